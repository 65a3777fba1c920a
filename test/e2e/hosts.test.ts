/** Environments on other hosts, reached over real OpenSSH servers of this file's own (test/helpers/sshd.ts,
 *  each with its own home and tmux socket): the built CLI applies there through gaia's worker, re-plans
 *  to "No changes.", sees a session killed on one host, and plans nothing — never "create it" — on a
 *  host whose sshd is stopped, while the other host is planned and applied. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { testProject, type TestProject } from '../helpers/cli.js';
import { haveSshd, startSshd, type SshdHost } from '../helpers/sshd.js';

const suite = haveSshd() ? describe : describe.skip;

suite('environments on other hosts, over ssh', () => {
  let a: SshdHost;
  let b: SshdHost;
  let p: TestProject;
  let runtime: string;
  const sockets = { a: `gaia-test-${randomBytes(4).toString('hex')}`, b: `gaia-test-${randomBytes(4).toString('hex')}` };
  const tmuxOn = (socket: string, args: readonly string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const sessionsOn = (socket: string) => {
    try {
      return tmuxOn(socket, ['list-sessions', '-F', '#{session_name}']).trim().split('\n').sort();
    } catch {
      return [];
    }
  };

  beforeAll(async () => {
    a = await startSshd();
    b = await startSshd();
    runtime = fs.mkdtempSync('/tmp/gaia-rt-');
    const config = path.join(runtime, 'ssh_config');
    fs.writeFileSync(config, `${fs.readFileSync(a.clientConfig, 'utf8')}\n${fs.readFileSync(b.clientConfig, 'utf8')}`);
    p = testProject('version: 1\nproject: placeholder\n');
    p.write('db/001.sql', 'CREATE TABLE t (x INTEGER);\n');
    p.git(['add', '-A']);
    p.git(['commit', '-q', '-m', 'migrations']);
    p.write('orchestration.yaml', `
version: 1
project: hosts
settings: { ssh: { config: ${config} } }
repository: { path: ., url: ${p.root}, base: main }
hosts:
  alpha: { ssh: ${a.name}, root: ~/gaia/app, tmux: { socket: ${sockets.a} } }
  beta: { ssh: ${b.name}, root: ~/gaia/app, tmux: { socket: ${sockets.b} } }
environments:
  count: 3
  name: dev{n}
  hosts: [alpha, beta]
  stages:
    qa: { database: { path: data/qa.db, migrations: db } }
  hooks:
    after_create: ['f="$GAIA_PROJECT_ROOT/hook-$GAIA_ENV.txt"; pwd > "$f"; echo "$GAIA_ENV_PATH" >> "$f"']
groups:
  workers: { perEnvironment: true, name: "{env}_worker", command: ["sleep", "3600"] }
`);
  }, 60_000);

  afterAll(async () => {
    for (const s of Object.values(sockets)) {
      try {
        tmuxOn(s, ['kill-server']);
      } catch {
        // not running
      }
    }
    p?.cleanup();
    await a?.remove();
    await b?.remove();
    fs.rmSync(runtime, { recursive: true, force: true });
  });

  const gaia = (args: readonly string[]) => p.gaia(args, { XDG_RUNTIME_DIR: runtime });

  it('applies on both hosts, re-plans to "No changes.", then sees a killed session and a stopped host', async () => {
    const first = await gaia(['plan']);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('git_worktree.dev1 on alpha will be created');
    expect(first.stdout).toContain('git_worktree.dev2 on beta will be created');

    const applied = await gaia(['apply', '--auto-approve']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(sessionsOn(sockets.a)).toEqual(['dev1_worker', 'dev3_worker']);
    expect(sessionsOn(sockets.b)).toEqual(['dev2_worker']);
    // Each environment is a clone on its host, under that host's own home, with its stage database.
    expect(fs.existsSync(path.join(a.root, 'home/gaia/app/envs/dev1/.git'))).toBe(true);
    expect(fs.existsSync(path.join(b.root, 'home/gaia/app/envs/dev2/data/qa.db'))).toBe(true);
    expect(fs.existsSync(path.join(p.root, 'envs'))).toBe(false);
    // The environment's after_create hook ran there, in its folder on its host, and was told that folder.
    const envOnA = path.join(a.root, 'home/gaia/app/envs/dev1');
    expect(fs.readFileSync(path.join(a.root, 'home/gaia/app/hook-dev1.txt'), 'utf8')).toBe(`${envOnA}\n${envOnA}\n`);

    const again = await gaia(['plan', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);

    tmuxOn(sockets.b, ['kill-session', '-t', '=dev2_worker']);
    const killed = await gaia(['plan']);
    expect(killed.stdout).toContain('tmux_session.dev2_worker on beta will be created');
    expect(killed.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');

    // beta stops answering: its resources are unknown, not missing; alpha is planned and applied.
    await b.stop();
    tmuxOn(sockets.a, ['kill-session', '-t', '=dev3_worker']);
    const down = await gaia(['plan']);
    expect(down.stdout).toMatch(/Warning: host beta \(gaia-test-host-\d+\) cannot be reached: .*Its \d+ resources are unknown and not planned/);
    expect(down.stdout).not.toContain('on beta will be created');
    expect(down.stdout).toContain('tmux_session.dev3_worker on alpha will be created');
    const partial = await gaia(['apply', '--auto-approve']);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('Not applied on 1 host that could not be reached');
    expect(sessionsOn(sockets.a)).toEqual(['dev1_worker', 'dev3_worker']);

    // Back: only the killed session is left to do.
    await b.start();
    const back = await gaia(['apply', '--auto-approve']);
    expect(back.code).toBe(0);
    expect(sessionsOn(sockets.b)).toEqual(['dev2_worker']);
    expect((await gaia(['plan', '--detailed-exitcode'])).code).toBe(0);

    const destroyed = await gaia(['destroy', '--auto-approve']);
    expect(destroyed.code).toBe(0);
    expect(sessionsOn(sockets.a)).toEqual([]);
    expect(fs.existsSync(path.join(a.root, 'home/gaia/app/envs/dev1'))).toBe(false);
  }, 120_000);
});
