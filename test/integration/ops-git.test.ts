/** gaia git <op> across real worktrees: a real rebase conflict left for the user, destructive
 *  operations that refuse without --force, unknown environments. */
import fs from 'node:fs';
import path from 'node:path';
import { localDate } from '../../src/ops/git-ops.js';
import { testProject, type TestProject } from '../helpers/cli.js';
import { bareRemote } from '../helpers/git.js';
import { opsManifest } from './ops-fixture.js';

describe('gaia git across environments', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = testProject(opsManifest([28470, 28479]), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
  });
  afterAll(() => p.cleanup());
  const exists = (file: string) => fs.existsSync(path.join(p.root, file));

  it('sync rebases each environment on main; a conflict is reported with its file and left in place', async () => {
    p.write('envs/dev1/README.md', 'dev1 says hello\n');
    p.git(['commit', '-q', '-am', 'dev1 edits README'], 'envs/dev1');
    p.write('README.md', 'main says hello\n');
    p.git(['commit', '-q', '-am', 'main edits README']);

    const r = await p.gaia(['git', 'sync', '--all']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('dev1  rebase stopped with conflicts in README.md; resolve them and run `git rebase --continue`, or run `git rebase --abort`');
    expect(r.stdout).toMatch(/dev2 +synced \(rebase on main\)/);
    expect(r.stdout).toMatch(/^dev1 +conflict \(exit 1\)/m);
    expect(r.stdout).toMatch(/^dev2 +ok /m);
    // Left for the user: the rebase is still in progress with conflict markers in the file.
    expect(exists('.git/worktrees/dev1/rebase-merge')).toBe(true);
    expect(fs.readFileSync(path.join(p.root, 'envs/dev1/README.md'), 'utf8')).toContain('<<<<<<<');
    expect(p.git(['log', '-1', '--format=%s', 'env/dev2'])).toBe('main edits README\n');

    const again = await p.gaia(['git', 'sync', 'dev1']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('a rebase is in progress; finish it or run `git rebase --abort` first');

    const health = await p.gaia(['health']);
    expect(health.code).toBe(2);
    expect(health.stdout).toContain('rebase in progress (conflicts in README.md)');
    p.git(['rebase', '--abort'], 'envs/dev1');
  });

  it('clean without --force refuses and lists the files; with --force it removes them but never gaia\'s database', async () => {
    p.write('envs/dev2/junk.txt', 'x\n');
    p.write('envs/dev2/build/out.o', 'x\n');
    const refused = await p.gaia(['git', 'clean', 'dev2']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('would remove 2 untracked paths: build/, junk.txt; pass --force to remove them');
    expect(exists('envs/dev2/junk.txt')).toBe(true);

    const forced = await p.gaia(['git', 'clean', 'dev2', '--force']);
    expect(forced.code).toBe(0);
    expect(exists('envs/dev2/junk.txt')).toBe(false);
    expect(exists('envs/dev2/build')).toBe(false);
    expect(exists('envs/dev2/data/dev.db')).toBe(true);
  });

  it('reset lists the commits it would drop and needs --force to drop them', async () => {
    p.write('envs/dev2/extra.txt', 'x\n');
    p.git(['add', 'extra.txt'], 'envs/dev2');
    p.git(['commit', '-q', '-m', 'work to lose'], 'envs/dev2');
    const refused = await p.gaia(['git', 'reset', 'dev2']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/reset to main would discard 1 commit not on main \([0-9a-f]+ work to lose\); pass --force/);
    expect(p.git(['log', '-1', '--format=%s'], 'envs/dev2')).toBe('work to lose\n');
    expect((await p.gaia(['git', 'reset', 'dev2', '--force'])).code).toBe(0);
    expect(p.git(['rev-parse', 'HEAD'], 'envs/dev2')).toBe(p.git(['rev-parse', 'main']));
  });

  it('commit -m commits where there is something and says nothing to commit elsewhere; feature makes a dated branch', async () => {
    p.write('envs/dev1/new.txt', 'x\n');
    const r = await p.gaia(['git', 'commit', '-m', 'add new.txt', '--all']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dev2 +nothing to commit/);
    expect(p.git(['log', '-1', '--format=%s'], 'envs/dev1')).toBe('add new.txt\n');

    const f = await p.gaia(['git', 'feature', 'login form', 'dev1']);
    expect(f.code).toBe(0);
    const branch = `feature/${localDate(new Date())}-login-form`;
    expect(p.git(['branch', '--show-current'], 'envs/dev1')).toBe(`${branch}\n`);
    expect(f.stdout).toContain(`created ${branch} from env/dev1`);
  });

  it('push sets the upstream on the remote; a second push has nothing to do', async () => {
    const remote = bareRemote('gaia-ops-remote-');
    try {
      p.git(['remote', 'add', 'origin', remote.path]);
      const first = await p.gaia(['git', 'push', 'dev2']);
      expect(first.code).toBe(0);
      expect(remote.git(['rev-parse', 'env/dev2'])).toBe(p.git(['rev-parse', 'env/dev2']));
      expect(p.git(['rev-parse', '--abbrev-ref', 'env/dev2@{upstream}'])).toBe('origin/env/dev2\n');
      expect((await p.gaia(['git', 'push', 'dev2'])).stdout).toMatch(/dev2 +already pushed/);
    } finally {
      p.git(['remote', 'remove', 'origin']);
      remote.cleanup();
    }
  });

  it('rejects unknown environments with the valid names, and a mutating op without targets', async () => {
    const r = await p.gaia(['git', 'status', 'dev1', 'dev9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown environment "dev9"');
    expect(r.stderr).toContain('valid environments: dev1, dev2');
    const none = await p.gaia(['git', 'push']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('name the environments to push');
  });
});
