/** The git provider and the git operations reach files only through the Host they are given: a
 *  Host built from this machine with one file operation replaced by a stand-in (one that says a
 *  path is missing, or records instead of acting) changes what they see and do. Real git in
 *  temporary folders; the other git tests prove the local Host behaves as before. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashOf } from '../../src/core/hash.js';
import type { Change } from '../../src/core/plan.js';
import { resource, type Attributes, type Resource } from '../../src/core/resource.js';
import type { Host, HostFiles } from '../../src/host/host.js';
import { localFiles, localHost } from '../../src/host/local/local-host.js';
import { resolveRefs } from '../../src/providers/git/ref-files.js';
import { loadManifestAt } from '../../src/ops/reconcile-manifest.js';
import { reconcileRound } from '../../src/ops/reconcile.js';
import { gitProvider } from '../../src/providers/git/index.js';
import type { ApplyContext } from '../../src/providers/provider.js';
import { testDigests } from '../helpers/digests.js';
import { testSettings } from '../helpers/context.js';
import { tempRepo, type TempRepo } from '../helpers/git.js';

/** This machine, with some file operations replaced. */
function hostWith(files: Partial<HostFiles>): Host {
  const local = localHost();
  return {
    name: local.name,
    get spawned() {
      return local.spawned;
    },
    run: (argv, options) => local.run(argv, options),
    files: { ...localFiles, ...files },
    processes: local.processes,
    openSqlite: local.openSqlite,
  };
}

const context = (root: string, host: Host): ApplyContext => ({
  root, host, settings: testSettings(), digests: testDigests, force: false, allowDataLoss: false, backupDir: path.join(root, '.gaia-backups'), log: () => undefined,
});

let repo: TempRepo;
beforeEach(() => {
  repo = tempRepo('gaia-seam-git-');
});
afterEach(() => repo.cleanup());

test('observe: a repository the host says is not there is reported missing, and no git runs', async () => {
  const host = hostWith({ exists: (p) => p !== repo.root && localFiles.exists(p) });
  const desired = [resource('git_branch', 'dev1', { repo: '.', name: 'env/dev1', base: 'main' })];
  const result = await gitProvider.observe({ desired, recorded: [] }, { root: repo.root, host, settings: testSettings(), digests: testDigests });
  expect(result.observed).toEqual([]);
  expect(result.warnings?.map((w) => w.code)).toEqual(['git_repository_missing']);
  expect(host.spawned).toBe(0);
});

test('apply: a clone is removed through host.files.remove', async () => {
  const project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-seam-git-project-')));
  try {
    const clone: Resource = resource('git_worktree', 'c1', { source: 'clone', url: repo.root, path: 'clones/c1', branch: 'env/c1', base: 'main' });
    const [made] = await gitProvider.apply([change('create', clone)], context(project, localHost()));
    expect(made).toMatchObject({ status: 'done' });
    const found = (await gitProvider.observe({ desired: [clone], recorded: [] }, context(project, localHost()))).observed[0]!;

    const removed: string[] = [];
    const host = hostWith({ remove: (p) => void removed.push(p) });
    const [deleted] = await gitProvider.apply([change('delete', clone, found.attributes)], context(project, host));
    expect(deleted).toMatchObject({ status: 'done' });
    expect(removed).toEqual([path.join(project, 'clones/c1')]);
    expect(fs.existsSync(path.join(project, 'clones/c1/.git'))).toBe(true); // the stand-in only recorded it
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});

test('resolveRefs reads ref files through HostFiles: a loose ref it says is missing falls back to packed-refs', () => {
  const first = repo.git(['rev-parse', 'HEAD']).trim();
  repo.git(['branch', 'b']);
  repo.git(['pack-refs', '--all']);
  repo.write('x.txt', 'x\n');
  repo.git(['add', 'x.txt']);
  repo.git(['commit', '-q', '-m', 'second']);
  repo.git(['branch', '-f', 'b', 'HEAD']); // a loose ref now shadows the packed one
  const second = repo.git(['rev-parse', 'HEAD']).trim();
  expect(resolveRefs(localFiles, repo.root, ['b']).get('b')).toEqual({ kind: 'commit', sha: second });

  const loose = path.join(repo.root, '.git', 'refs', 'heads', 'b');
  const files: HostFiles = { ...localFiles, readText: (p) => (p === loose ? undefined : localFiles.readText(p)) };
  expect(resolveRefs(files, repo.root, ['b']).get('b')).toEqual({ kind: 'commit', sha: first });
});

test('loadManifestAt lays out the revision in a scratch folder made, written and removed through host.files', async () => {
  repo.write('orchestration.yaml', 'project: seam\n');
  repo.git(['add', 'orchestration.yaml']);
  repo.git(['commit', '-q', '-m', 'manifest']);
  const calls: string[] = [];
  let scratch = '';
  const host = hostWith({
    makeTempFolder: (prefix) => (scratch = localFiles.makeTempFolder(prefix)),
    writeFile: (p, content) => {
      calls.push(`write ${path.relative(scratch, p)}`);
      localFiles.writeFile(p, content);
    },
    remove: (p) => {
      calls.push(`remove ${p === scratch ? 'scratch' : p}`);
      localFiles.remove(p);
    },
  });
  const loaded = await loadManifestAt(host, repo.root, 'HEAD', 'orchestration.yaml', 'HEAD');
  expect(loaded.kind).toBe('loaded');
  expect(path.basename(scratch)).toMatch(/^gaia-rev-/);
  expect(calls).toEqual(['write orchestration.yaml', 'remove scratch']);
  expect(fs.existsSync(scratch)).toBe(false);
});

test('reconcile looks for the working copy through the host its caller gives', async () => {
  repo.write('orchestration.yaml', 'project: seam\n');
  const host = hostWith({ exists: (p) => path.basename(p) !== '.git' && localFiles.exists(p) });
  const outcome = await reconcileRound({ file: 'orchestration.yaml', repo: repo.root, host });
  expect(outcome).toMatchObject({ result: 'failed', error: `${repo.root} is not inside a git repository; gaia reconcile follows a git ref` });
});

/** A creation (of `r`) or a deletion (of what was found at its address). */
function change(action: 'create' | 'delete', r: Resource, before?: Attributes): Change {
  const common = { kind: r.kind, address: r.address, action, reasons: [], diffs: [], dependsOn: [], hazards: [] };
  return action === 'create' ? { ...common, after: r.attributes, specHash: hashOf(r.attributes) } : { ...common, before: before! };
}

test('observe: a clone\'s branch and commit are read from its HEAD and ref files (loose, packed, detached) as git says them, with no git process; an unborn branch asks git', async () => {
  const project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-seam-git-project-')));
  try {
    const clone: Resource = resource('git_worktree', 'c1', { source: 'clone', url: repo.root, path: 'clones/c1', branch: 'env/c1', base: 'main' });
    expect((await gitProvider.apply([change('create', clone)], context(project, localHost())))[0]).toMatchObject({ status: 'done' });
    const dir = path.join(project, 'clones/c1');
    const git = (args: readonly string[]) => repo.git(['-C', dir, ...args]).trim();
    const seen = async () => {
      const host = localHost();
      const found = (await gitProvider.observe({ desired: [clone], recorded: [] }, context(project, host))).observed[0]!;
      return { branch: found.attributes.branch, head: found.attributes.head, spawned: host.spawned };
    };
    expect(await seen()).toEqual({ branch: 'env/c1', head: git(['rev-parse', 'HEAD']), spawned: 0 });
    git(['pack-refs', '--all']);
    expect(fs.existsSync(path.join(dir, '.git/refs/heads/env/c1'))).toBe(false);
    expect(await seen()).toEqual({ branch: 'env/c1', head: git(['rev-parse', 'HEAD']), spawned: 0 });
    git(['checkout', '-q', '--detach']);
    expect(await seen()).toEqual({ branch: null, head: git(['rev-parse', 'HEAD']), spawned: 0 });
    git(['checkout', '-q', '--orphan', 'unborn']);
    const unborn = await seen();
    expect(unborn).toMatchObject({ branch: 'unborn', spawned: 1 });
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});
