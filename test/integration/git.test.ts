import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashOf } from '../../src/core/hash.js';
import type { Change } from '../../src/core/plan.js';
import { resource, type Observed, type Resource } from '../../src/core/resource.js';
import { localExecutor, type Executor } from '../../src/host/exec.js';
import { gitProvider } from '../../src/providers/git/index.js';
import { branchSpec, worktreeSpec } from '../../src/providers/git/spec.js';
import type { ApplyContext, ChangeOutcome } from '../../src/providers/provider.js';
import { bareRemote, tempRepo, type TempRepo } from '../helpers/git.js';
import { testDigests } from '../helpers/digests.js';
import { testHost, testSettings } from '../helpers/context.js';

const branch = (env: string, base = 'main'): Resource =>
  resource('git_branch', env, { repo: '.', name: `env/${env}`, base });
const worktree = (env: string, branchName = `env/${env}`): Resource =>
  resource('git_worktree', env, { source: 'worktree', repo: '.', path: `envs/${env}`, branch: branchName }, [`git_branch.${env}`]);

function change(action: Change['action'], desired: Resource | undefined, before?: Observed): Change {
  const kind = desired?.kind ?? before!.kind;
  const address = desired?.address ?? before!.address;
  return {
    kind,
    address,
    action,
    reasons: [],
    diffs: [],
    dependsOn: desired?.dependsOn ?? [],
    hazards: [],
    ...(before ? { before: before.attributes } : {}),
    ...(desired ? { after: desired.attributes, specHash: hashOf(desired.attributes) } : {}),
  };
}

interface Recording extends Executor {
  readonly ran: string[][];
}
function recording(inner: Executor = localExecutor()): Recording {
  const ran: string[][] = [];
  return {
    ran,
    get spawned() {
      return inner.spawned;
    },
    run(argv, options) {
      ran.push([...argv]);
      return inner.run(argv, options);
    },
  };
}

function context(root: string, exec: Executor = localExecutor(), force = false): ApplyContext & { logs: string[] } {
  const logs: string[] = [];
  return { root, host: testHost(exec), settings: testSettings(), digests: testDigests, force, allowDataLoss: false, backupDir: path.join(root, '.gaia-backups'), log: (l) => logs.push(l), logs };
}

async function observe(root: string, desired: readonly Resource[], exec: Executor = localExecutor()) {
  return gitProvider.observe({ desired, recorded: [] }, { root, host: testHost(exec), settings: testSettings(), digests: testDigests });
}
const find = (observed: readonly Observed[], address: string) => observed.find((o) => o.address === address);

function expectDone(outcomes: readonly ChangeOutcome[]) {
  for (const o of outcomes) expect(o).toMatchObject({ status: 'done' });
}

/** Make env branches and worktrees by hand, as someone (or an earlier apply) left them. */
function makeEnvs(repo: TempRepo, envs: readonly string[]) {
  for (const env of envs) repo.git(['worktree', 'add', '-q', '-b', `env/${env}`, path.join(repo.root, 'envs', env), 'main']);
}

let repo: TempRepo;
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

describe('observe', () => {
  test.each([1, 20])('spawns exactly two git processes for a repository with %i worktree(s)', async (count) => {
    const envs = Array.from({ length: count }, (_, i) => `dev${i + 1}`);
    makeEnvs(repo, envs);
    const exec = localExecutor();
    const before = exec.spawned;
    const result = await observe(repo.root, envs.flatMap((e) => [branch(e), worktree(e)]), exec);
    expect(exec.spawned - before).toBe(2);
    expect(result.observed).toHaveLength(count * 2);
    const last = envs[envs.length - 1]!;
    expect(find(result.observed, `git_worktree.${last}`)?.attributes).toMatchObject({
      source: 'worktree',
      path: `envs/${last}`,
      branch: `env/${last}`,
      prunable: false,
      locked: false,
    });
    expect(find(result.observed, `git_branch.${last}`)?.attributes).toMatchObject({ name: `env/${last}`, checkedOutAt: `envs/${last}`, upstream: null });
  });

  test('a missing repository gives a warning and observes nothing, without spawning', async () => {
    const exec = localExecutor();
    const desired = [resource('git_branch', 'x', { repo: 'nope', name: 'env/x', base: 'main' })];
    const result = await observe(repo.root, desired, exec);
    expect(exec.spawned).toBe(0);
    expect(result.observed).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'git_repository_missing', address: 'git_branch.x' })]);
  });

  test('looks for an owned worktree where gaia made it (recorded), so a moved path plans a replace, not a second worktree', async () => {
    makeEnvs(repo, ['dev1']);
    const made = worktree('dev1');
    const moved = resource('git_worktree', 'dev1', { ...made.attributes, path: 'envs/one' }, made.dependsOn);
    const result = await gitProvider.observe(
      { desired: [moved], recorded: [{ ...made, specHash: hashOf(made.attributes) }] },
      { root: repo.root, host: testHost(), settings: testSettings(), digests: testDigests },
    );
    const found = find(result.observed, 'git_worktree.dev1')!;
    expect(found.attributes.path).toBe('envs/dev1');
    expect(worktreeSpec.compare(moved, found, undefined)).toMatchObject({ kind: 'replace', reasons: [{ code: 'path_changed' }] });
  });

  test('lists worktrees and branches no address names as unmanaged, but not the main worktree, its branch or requested bases', async () => {
    makeEnvs(repo, ['dev1', 'stray']);
    repo.git(['branch', 'feature/x']);
    const result = await observe(repo.root, [branch('dev1'), worktree('dev1')]);
    const unmanaged = (result.unmanaged ?? []).map((o) => [o.address, o.attributes.path ?? o.attributes.name]);
    expect(unmanaged).toEqual(
      expect.arrayContaining([
        ['git_worktree.stray', 'envs/stray'],
        ['git_branch.stray', 'env/stray'],
        ['git_branch.feature_x', 'feature/x'],
      ]),
    );
    expect(unmanaged).toHaveLength(3);
  });
});

describe('apply', () => {
  test('creates branches (one update-ref for the batch) and worktrees for three envs, which observe then finds as desired', async () => {
    const envs = ['dev1', 'dev2', 'dev3'];
    const exec = localExecutor();
    const ctx = context(repo.root, exec);
    const start = exec.spawned;
    expectDone(await gitProvider.apply(envs.map((e) => change('create', branch(e))), ctx));
    expect(exec.spawned - start).toBe(1);
    expectDone(await gitProvider.apply(envs.map((e) => change('create', worktree(e))), ctx));

    const { observed } = await observe(repo.root, envs.flatMap((e) => [branch(e), worktree(e)]));
    const main = repo.git(['rev-parse', 'main']).trim();
    for (const env of envs) {
      expect(find(observed, `git_branch.${env}`)?.attributes).toMatchObject({ commit: main, checkedOutAt: `envs/${env}` });
      const wt = find(observed, `git_worktree.${env}`)!;
      expect(wt.attributes).toMatchObject({ branch: `env/${env}`, head: main, prunable: false });
      expect(worktreeSpec.compare(worktree(env), wt, undefined)).toEqual({ kind: 'same' });
      expect(branchSpec.compare(branch(env), find(observed, `git_branch.${env}`)!, undefined)).toEqual({ kind: 'same' });
    }
  });

  test('a worktree switched to another branch by hand is planned as an update, and apply switches it back', async () => {
    makeEnvs(repo, ['dev1']);
    repo.git(['switch', '-q', '-c', 'experiment'], 'envs/dev1');
    const observed = find((await observe(repo.root, [worktree('dev1')])).observed, 'git_worktree.dev1')!;
    const comparison = worktreeSpec.compare(worktree('dev1'), observed, undefined);
    expect(comparison).toEqual({
      kind: 'update',
      reasons: [{ code: 'branch_not_checked_out', text: 'branch exists but is not checked out in the worktree' }],
      diffs: [{ path: 'branch', before: 'experiment', after: 'env/dev1' }],
    });
    expectDone(await gitProvider.apply([change('update', worktree('dev1'), observed)], context(repo.root)));
    expect(repo.git(['branch', '--show-current'], 'envs/dev1').trim()).toBe('env/dev1');
  });

  test('a worktree whose directory was deleted by hand is observed prunable, planned as replace, and apply recreates it', async () => {
    makeEnvs(repo, ['dev1']);
    fs.rmSync(path.join(repo.root, 'envs/dev1'), { recursive: true, force: true });
    const observed = find((await observe(repo.root, [worktree('dev1')])).observed, 'git_worktree.dev1')!;
    expect(observed.attributes.prunable).toBe(true);
    expect(worktreeSpec.compare(worktree('dev1'), observed, undefined)).toMatchObject({
      kind: 'replace',
      reasons: [{ code: 'worktree_dir_missing', text: 'worktree directory is missing' }],
    });
    expectDone(await gitProvider.apply([change('replace', worktree('dev1'), observed)], context(repo.root)));
    const after = find((await observe(repo.root, [worktree('dev1')])).observed, 'git_worktree.dev1')!;
    expect(after.attributes).toMatchObject({ prunable: false, branch: 'env/dev1' });
    expect(fs.existsSync(path.join(repo.root, 'envs/dev1/README.md'))).toBe(true);
  });

  test('a branch gaia did not create is a conflict and stays as it is', async () => {
    repo.git(['branch', 'env/dev1']);
    const commit = repo.git(['rev-parse', 'env/dev1']).trim();
    const observed = find((await observe(repo.root, [branch('dev1')])).observed, 'git_branch.dev1')!;
    expect(branchSpec.unowned!(branch('dev1'), observed)).toEqual({
      kind: 'conflict',
      text: 'branch env/dev1 exists and gaia did not create it',
      fix: 'remove or rename it, or if gaia made it before its state store was lost, run `gaia state rebuild`',
    });
    expect(repo.git(['rev-parse', 'env/dev1']).trim()).toBe(commit);
  });

  test('a plain directory at the worktree path is a conflict, and apply refuses to remove it', async () => {
    repo.write('envs/dev1/notes.txt', 'mine\n');
    const observed = find((await observe(repo.root, [worktree('dev1')])).observed, 'git_worktree.dev1')!;
    expect(observed.attributes.notAWorktree).toBe(true);
    expect(worktreeSpec.unowned!(worktree('dev1'), observed)).toMatchObject({ kind: 'conflict' });
    const [outcome] = await gitProvider.apply([change('delete', undefined, observed)], context(repo.root, localExecutor(), true));
    expect(outcome).toMatchObject({ status: 'failed', error: expect.stringContaining('gaia will not remove it') });
    expect(fs.readFileSync(path.join(repo.root, 'envs/dev1/notes.txt'), 'utf8')).toBe('mine\n');
  });

  test('deleting a worktree with uncommitted files and an unpushed commit is refused, listing them; with force it is removed', async () => {
    makeEnvs(repo, ['dev1']);
    repo.write('envs/dev1/c.txt', 'committed\n');
    repo.git(['add', 'c.txt'], 'envs/dev1');
    repo.git(['commit', '-q', '-m', 'work in progress'], 'envs/dev1');
    const sha = repo.git(['rev-parse', '--short', 'HEAD'], 'envs/dev1').trim();
    repo.write('envs/dev1/a.txt', 'new\n');
    repo.write('envs/dev1/README.md', 'edited\n');
    const observed = find((await observe(repo.root, [worktree('dev1')])).observed, 'git_worktree.dev1')!;

    const [refused] = await gitProvider.apply([change('delete', undefined, observed)], context(repo.root));
    expect(refused).toEqual({
      status: 'failed',
      error: `refusing to remove envs/dev1: 2 uncommitted files (README.md, a.txt) and 1 unpushed commit (${sha} work in progress); use --force to discard`,
    });
    expect(fs.existsSync(path.join(repo.root, 'envs/dev1/a.txt'))).toBe(true);

    const forced = context(repo.root, localExecutor(), true);
    expectDone(await gitProvider.apply([change('delete', undefined, observed)], forced));
    expect(fs.existsSync(path.join(repo.root, 'envs/dev1'))).toBe(false);
    expect(repo.git(['worktree', 'list', '--porcelain'])).not.toContain('envs/dev1');
    expect(forced.logs.join('\n')).toContain('discarding from envs/dev1');
  });

  test('deleting a clean worktree whose commits are pushed needs no force', async () => {
    const remote = bareRemote();
    try {
      makeEnvs(repo, ['dev1']);
      repo.write('envs/dev1/c.txt', 'committed\n');
      repo.git(['add', 'c.txt'], 'envs/dev1');
      repo.git(['commit', '-q', '-m', 'shared work'], 'envs/dev1');
      repo.git(['remote', 'add', 'origin', remote.path]);
      repo.git(['push', '-q', 'origin', 'env/dev1'], 'envs/dev1');
      const observed = find((await observe(repo.root, [worktree('dev1')])).observed, 'git_worktree.dev1')!;
      expectDone(await gitProvider.apply([change('delete', undefined, observed)], context(repo.root)));
      expect(fs.existsSync(path.join(repo.root, 'envs/dev1'))).toBe(false);
    } finally {
      remote.cleanup();
    }
  });

  test('branch delete refuses an unmerged branch, naming the command and what to do; force deletes it', async () => {
    repo.git(['switch', '-q', '-c', 'env/dev1']);
    repo.write('x.txt', 'x\n');
    repo.git(['add', 'x.txt']);
    repo.git(['commit', '-q', '-m', 'unmerged']);
    repo.git(['switch', '-q', 'main']);
    const observed = find((await observe(repo.root, [branch('dev1')])).observed, 'git_branch.dev1')!;

    const [refused] = await gitProvider.apply([change('delete', undefined, observed)], context(repo.root));
    expect(refused).toMatchObject({ status: 'failed', argv: ['git', '-C', repo.root, 'branch', '-d', 'env/dev1'] });
    const error = refused!.status === 'failed' ? refused!.error : '';
    expect(error).toMatch(/^`git -C .* branch -d env\/dev1` exited 1: .*not fully merged/s);
    expect(error).toContain('use --force to delete it anyway');
    expect(repo.git(['branch', '--list', 'env/dev1'])).toContain('env/dev1');

    expectDone(await gitProvider.apply([change('delete', undefined, observed)], context(repo.root, localExecutor(), true)));
    expect(repo.git(['branch', '--list', 'env/dev1'])).toBe('');
  });
});

describe('branch deletions', () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = tempRepo('gaia-git-delete-');
  });
  afterEach(() => repo.cleanup());

  test("one repository's deletions run as one git branch -d; each branch gets its own outcome", async () => {
    for (const env of ['dev1', 'dev2', 'dev3']) repo.git(['branch', `env/${env}`, 'main']);
    repo.git(['switch', '-q', 'env/dev2']);
    repo.write('y.txt', 'y\n');
    repo.git(['add', 'y.txt']);
    repo.git(['commit', '-q', '-m', 'unmerged']);
    repo.git(['switch', '-q', 'main']);
    const seen = (await observe(repo.root, ['dev1', 'dev2', 'dev3'].map((e) => branch(e)))).observed;
    const deletes = ['dev1', 'dev2', 'dev3'].map((e) => change('delete', undefined, find(seen, `git_branch.${e}`)!));

    const exec = recording();
    const outcomes = await gitProvider.apply(deletes, context(repo.root, exec));
    expect(exec.ran.filter((a) => a.includes('branch'))).toEqual([['git', '-C', repo.root, 'branch', '-d', 'env/dev1', 'env/dev2', 'env/dev3']]);
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'failed', 'done']);
    const error = outcomes[1]!.status === 'failed' ? outcomes[1]!.error : '';
    expect(error).toMatch(/error: The branch 'env\/dev2' is not fully merged/);
    expect(error).not.toMatch(/'env\/dev[13]'/);
    expect(error).toContain('use --force to delete it anyway');
    expect(repo.git(['branch', '--list', 'env/*']).trim()).toBe('env/dev2');
  });
});

describe('clone source', () => {
  let project: string;
  beforeEach(() => {
    project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-git-project-')));
  });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  const clone = (env: string, url: string, base = 'main'): Resource =>
    resource('git_worktree', env, { source: 'clone', url, path: `clones/${env}`, branch: `env/${env}`, base });

  test('clones a repository given by relative path, creates the branch from origin/base, and observes it', async () => {
    const url = path.relative(project, repo.root);
    expectDone(await gitProvider.apply([change('create', clone('c1', url))], context(project)));
    const dir = path.join(project, 'clones/c1');
    expect(fs.statSync(path.join(dir, '.git')).isDirectory()).toBe(true);
    expect(fs.existsSync(path.join(dir, 'README.md'))).toBe(true);

    const exec = localExecutor();
    const { observed } = await observe(project, [clone('c1', url)], exec);
    expect(exec.spawned).toBe(0); // its HEAD and ref files say it all
    const found = find(observed, 'git_worktree.c1')!;
    expect(found.attributes).toMatchObject({ source: 'clone', path: 'clones/c1', branch: 'env/c1', head: repo.git(['rev-parse', 'main']).trim() });
    expect(worktreeSpec.compare(clone('c1', url), found, undefined)).toEqual({ kind: 'same' });
  });

  test('checks out the existing remote branch when origin has it', async () => {
    repo.git(['switch', '-q', '-c', 'env/c2']);
    repo.write('c2.txt', 'c2\n');
    repo.git(['add', 'c2.txt']);
    repo.git(['commit', '-q', '-m', 'c2 work']);
    repo.git(['switch', '-q', 'main']);
    expectDone(await gitProvider.apply([change('create', clone('c2', repo.root))], context(project)));
    const dir = path.join(project, 'clones/c2');
    expect(fs.readFileSync(path.join(dir, 'c2.txt'), 'utf8')).toBe('c2\n');
    expect(execGit(dir, ['rev-parse', '--abbrev-ref', '@{upstream}'])).toBe('origin/env/c2');
  });

  test('deleting a clone with an unpushed commit is refused and keeps the directory', async () => {
    expectDone(await gitProvider.apply([change('create', clone('c3', repo.root))], context(project)));
    const dir = path.join(project, 'clones/c3');
    execGit(dir, ['config', 'user.name', 't']);
    execGit(dir, ['config', 'user.email', 't@example.invalid']);
    fs.writeFileSync(path.join(dir, 'new.txt'), 'x\n');
    execGit(dir, ['add', 'new.txt']);
    execGit(dir, ['commit', '-q', '-m', 'local only']);
    const found = find((await observe(project, [clone('c3', repo.root)])).observed, 'git_worktree.c3')!;
    const [refused] = await gitProvider.apply([change('delete', undefined, found)], context(project));
    expect(refused).toMatchObject({ status: 'failed', error: expect.stringMatching(/refusing to remove clones\/c3: 1 unpushed commit \(\w+ local only\)/) });
    expect(fs.existsSync(path.join(dir, 'new.txt'))).toBe(true);
  });
});

describe('steps', () => {
  async function ranVersusSteps(c: Change, root = repo.root) {
    const exec = recording();
    const shown = (await gitProvider.steps(c, { root, host: testHost(exec), settings: testSettings(), digests: testDigests })).filter((s) => s.argv).map((s) => [...s.argv!]);
    expectDone(await gitProvider.apply([c], context(root, exec)));
    return { ran: exec.ran, shown };
  }

  test('show exactly the commands apply runs for branch and worktree creation and removal', async () => {
    const b = await ranVersusSteps(change('create', branch('dev1')));
    expect(b.ran).toEqual(b.shown);
    expect(b.ran).toEqual([['git', '-C', repo.root, 'update-ref', '--stdin']]);

    const w = await ranVersusSteps(change('create', worktree('dev1')));
    expect(w.ran).toEqual(w.shown);
    expect(w.ran).toEqual([['git', '-C', repo.root, 'worktree', 'add', path.join(repo.root, 'envs/dev1'), 'env/dev1']]);

    const observed = find((await observe(repo.root, [worktree('dev1')])).observed, 'git_worktree.dev1')!;
    const d = await ranVersusSteps(change('delete', undefined, observed));
    expect(d.ran).toEqual(d.shown);
    expect(d.ran.map((argv) => argv.slice(3, 5).join(' '))).toEqual(['status --porcelain', 'log --format=%h %s', 'worktree remove']);
  });
});

/** git in any directory (a clone outside the temp repository); absolute paths pass through the helper. */
const execGit = (dir: string, args: readonly string[]) => repo.git(args, dir).trim();
