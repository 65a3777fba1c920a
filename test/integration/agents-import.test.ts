/** gaia import on a hand-made tmux server and repository: the report's "existing" sessions, sessions
 *  named by its patterns and worktrees become a manifest; --adopt takes ownership without restarting
 *  anything, and the next gaia plan with that manifest says "No changes.". */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Manifest } from '../../src/manifest/types.js';
import { testProject, type TestProject } from '../helpers/cli.js';

describe('gaia import --adopt', () => {
  let p: TestProject;
  const pids = () => p.tmux(['list-panes', '-a', '-F', '#{session_name} #{pane_pid}']).split('\n').filter(Boolean).sort();

  beforeAll(() => {
    p = testProject('version: 1\nproject: unused\n');
    p.git(['worktree', 'add', '-q', '-b', 'env/dev1', 'envs/dev1']);
    p.git(['worktree', 'add', '-q', '-b', 'env/dev2', 'envs/dev2']);
    const session = (name: string, dir: string, ...command: string[]) => {
      const before = p.sessions().length;
      p.tmux(['new-session', '-d', '-s', name, '-c', path.join(p.root, dir), ...(command.length ? ['--', ...command] : [])]);
      expect(p.sessions().length).toBe(before + 1);
    };
    for (const name of ['gaia_main', 'dashboard', 'monitor', 'scheduler', 'notes']) session(name, '.', 'bash');
    session('dev1_worker', 'envs/dev1', 'sleep', '100000');
    session('dev2_worker', 'envs/dev2', 'sleep', '100000');
    session('pr_impl1', '.', 'sleep 100001');
    session('pr_impl2', '.', 'sleep 100001');
  });
  afterAll(() => p.cleanup());

  it('writes a manifest of the sessions and worktrees that exist', async () => {
    const r = await p.gaia(['import', '-o', 'imported.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Wrote imported.yaml: 9 sessions, 2 environments.');
    const m = YAML.parse(fs.readFileSync(path.join(p.root, 'imported.yaml'), 'utf8')) as Manifest;
    expect(m.environments).toEqual({ names: ['dev1', 'dev2'], path: 'envs/{env}', branch: 'env/{env}', base: 'main' });
    expect(m.groups).toEqual({
      dev_workers: { perEnvironment: true, name: '{env}_worker', command: ['sleep', '100000'] },
      pr_impl: { names: ['pr_impl1', 'pr_impl2'], command: 'sleep 100001' },
      existing: { names: ['dashboard', 'gaia_main', 'monitor', 'notes', 'scheduler'], command: 'bash' },
    });
    expect((await p.gaia(['validate', '-f', 'imported.yaml'])).code).toBe(0);
    // Before adoption gaia owns none of it: every one is a conflict, never touched.
    const plan = await p.gaia(['plan', '-f', 'imported.yaml']);
    expect(plan.stdout).toContain('Conflicts — gaia does not own these');
  });

  it('adopts them without restarting anything; the next plan says "No changes."', async () => {
    const before = pids();
    const r = await p.gaia(['import', '-o', 'imported.yaml', '--adopt']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Adopted 13 resources: .*git_branch\.dev1.*git_worktree\.dev2.*tmux_session\.pr_impl2/);
    expect(r.stdout).toContain('gaia plan -f imported.yaml: No changes.');

    const plan = await p.gaia(['plan', '-f', 'imported.yaml', '--detailed-exitcode']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No changes.');
    expect(pids()).toEqual(before);
    // The sessions carry gaia's marks now (status knows they are gaia's even without the state store).
    expect(p.tmux(['show-environment', '-t', '=pr_impl1', 'GAIA_ADDRESS']).trim()).toBe('GAIA_ADDRESS=tmux_session.pr_impl1');
  });

  it('imports nothing gaia already manages', async () => {
    const r = await p.gaia(['import']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 sessions and 0 environments that gaia did not manage');
    const m = YAML.parse(r.stdout) as Manifest;
    expect([m.groups, m.environments]).toEqual([undefined, undefined]);
  });
});
