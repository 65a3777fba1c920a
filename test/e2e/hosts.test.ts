/** Environments on other hosts, reached over real OpenSSH servers of this file's own (test/helpers/hosts.ts:
 *  each sshd with its own home and tmux socket): the built CLI applies there through gaia's worker,
 *  re-plans to "No changes.", sees a session killed on one host, and plans nothing — never "create it" —
 *  on a host whose sshd is stopped, while the other host is planned and applied; a host lost mid-apply
 *  and an apply killed with SIGKILL converge with the next ordinary apply; 20 sessions on a host whose
 *  sshd allows 3 sessions per connection; an environment the manifest moves to another host is created
 *  there, then deleted here (a database with rows only with --allow-data-loss); gaia attach (through a real terminal), gaia send and a routed task reach a session on its host;
 *  3 hosts × 5 environments with databases and agents apply and re-plan to "No changes.". */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { GAIA_BIN, testProject, type TestProject } from '../helpers/cli.js';
import { exitCodeIn, terminal } from '../helpers/terminal.js';
import { hostsWorld, type HostsWorld } from '../helpers/hosts.js';
import { haveSshd } from '../helpers/sshd.js';
import { until, waitFor } from '../helpers/poll.js';

const suite = haveSshd() ? describe : describe.skip;

/** The workers kept on a host (pid and socket), by their command lines: `… worker.cjs --serve SOCKET`. */
function keptWorkers(hostRoot: string): [number, string][] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d): [number, string][] => {
    try {
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      const socket = argv[argv.indexOf('--serve') + 1];
      return argv.includes('--serve') && socket?.startsWith(`${hostRoot}/`) ? [[Number(d), socket]] : [];
    } catch {
      return [];
    }
  });
}

const environments = (hosts: string, count = 3) => `
environments:
  count: ${count}
  name: dev{n}
  hosts: [${hosts}]
  stages:
    qa: { database: { path: data/qa.db, migrations: db } }
  hooks:
    after_create: ['f="$GAIA_PROJECT_ROOT/hook-$GAIA_ENV.txt"; pwd > "$f"; echo "$GAIA_ENV_PATH" >> "$f"']
`;

suite('environments on other hosts, over ssh', () => {
  let world: HostsWorld;
  let p: TestProject | undefined;

  beforeAll(async () => {
    world = await hostsWorld(['alpha', 'beta', 'gamma'], { gamma: { maxSessions: 3 } });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });
  afterEach(() => {
    p?.cleanup();
    p = undefined;
    for (const h of world.hosts) {
      try {
        h.tmux(['kill-server']);
      } catch {
        // not running
      }
      fs.rmSync(h.projectRoot, { recursive: true, force: true });
    }
  });

  /** A project whose manifest is `body` after the hosts, with one migration. */
  const project = (body: string, extra: Record<string, string> = {}): TestProject => {
    const made = testProject('version: 1\nproject: placeholder\n', { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    made.write('orchestration.yaml', `version: 1\nproject: hosts\n${world.yaml(extra)}\nrepository: { path: ., url: ${made.root}, base: main }\n${body}`);
    p = made;
    return made;
  };
  const gaia = (args: readonly string[]) => p!.gaia(args, world.env);
  const alpha = () => world.hosts[0]!;
  const beta = () => world.hosts[1]!;
  const gamma = () => world.hosts[2]!;

  it('applies on both hosts, re-plans to "No changes.", then sees a killed session and a stopped host', async () => {
    project(`${environments('alpha, beta')}providers:
  asker: { command: ["sh", "-c", "echo 'Overwrite the file? [y/N]'; sleep 3600"], agent: { preset: generic } }
groups:
  workers: { perEnvironment: true, name: "{env}_worker", command: ["sleep", "3600"] }
  listeners: { count: 1, name: "listen{n}", host: beta, command: ["cat"] }
  askers: { count: 1, name: "ask{n}", host: beta, provider: asker }
routing:
  rules:
    - { type: review, group: listeners }
`);
    const a = alpha();
    const b = beta();
    const first = await gaia(['plan']);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('git_worktree.dev1 on alpha will be created');
    expect(first.stdout).toContain('git_worktree.dev2 on beta will be created');

    const applied = await gaia(['apply', '--auto-approve']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(a.sessions()).toEqual(['dev1_worker', 'dev3_worker']);
    expect(b.sessions()).toEqual(['ask1', 'dev2_worker', 'listen1']);
    // Each environment is a clone on its host, under that host's own home, with its stage database.
    expect(fs.existsSync(path.join(a.projectRoot, 'envs/dev1/.git'))).toBe(true);
    expect(fs.existsSync(path.join(b.projectRoot, 'envs/dev2/data/qa.db'))).toBe(true);
    expect(fs.existsSync(path.join(p!.root, 'envs'))).toBe(false);
    // The environment's after_create hook ran there, in its folder on its host, and was told that folder.
    const envOnA = path.join(a.projectRoot, 'envs/dev1');
    expect(fs.readFileSync(path.join(a.projectRoot, 'hook-dev1.txt'), 'utf8')).toBe(`${envOnA}\n${envOnA}\n`);

    const again = await gaia(['plan', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);

    // Status reads an agent's pane on its host: the question it sits on says waiting.
    const seen = await gaia(['status', '--json']);
    const report = JSON.parse(seen.stdout) as { groups: { sessions: { name: string; agent?: { state: string } }[] }[]; environments: { name: string; dirty: number | null; ahead: number | null }[] };
    const ask = report.groups.flatMap((g) => g.sessions).find((x) => x.name === 'ask1');
    expect(ask?.agent?.state).toBe('waiting');
    // …and each environment's git state, read by git on its host (null when nobody read it).
    expect(report.environments.find((e) => e.name === 'dev2')).toMatchObject({ dirty: 0, ahead: 0 });

    // The dashboard's API, served live, places each environment and session on its host.
    const served = p!.spawn(['serve', '--port', '0'], world.env);
    let printed = '';
    served.stdout?.on('data', (d: Buffer) => (printed += d.toString()));
    try {
      const url = await waitFor('the dashboard URL', () => /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(printed)?.[1]);
      const live = (await (await fetch(`${url}api/multi-env/status`)).json()) as {
        environments: { name: string; host?: string; path: string }[];
        groups: { sessions: { name: string; host?: string; state: string }[] }[];
        hosts: { name: string; unreachable?: string }[];
      };
      expect(live.environments.map((e) => [e.name, e.host, e.path])).toEqual([['dev1', 'alpha', 'envs/dev1'], ['dev2', 'beta', 'envs/dev2'], ['dev3', 'alpha', 'envs/dev3']]);
      const sessions = live.groups.flatMap((g) => g.sessions);
      expect(sessions.find((x) => x.name === 'listen1')).toMatchObject({ host: 'beta', state: 'up' });
      expect(live.hosts.map((h) => [h.name, h.unreachable])).toEqual([['alpha', undefined], ['beta', undefined], ['gamma', undefined]]);
    } finally {
      served.kill('SIGTERM');
      await served.catch(() => undefined);
    }

    // Health probes each host's environments there: its databases pass quick_check there; a rebase
    // in progress in a clone on beta is seen there.
    const healthy = await gaia(['health']);
    expect(healthy.stdout).toContain('HEALTHY');
    expect(healthy.code).toBe(0);
    const rebasing = path.join(b.projectRoot, 'envs/dev2/.git/rebase-merge');
    fs.mkdirSync(rebasing);
    const degraded = await gaia(['health']);
    expect(degraded.stdout).toMatch(/dev2[\s\S]*rebase in progress/);
    expect(degraded.code).toBe(2);
    fs.rmSync(rebasing, { recursive: true });

    // gaia attach reaches the session on its host: ssh -t there, tmux attach-session, exit 0 on detach.
    const term = terminal(p!.root, { ...world.env, NO_COLOR: '1' });
    try {
      const done = term.start(['env', '-u', 'TMUX', GAIA_BIN, 'attach', 'dev2_worker']);
      await waitFor('the client on beta', () => (b.tmux(['list-clients', '-F', '#{client_session}']).includes('dev2_worker') ? true : undefined));
      b.tmux(['detach-client', '-s', '=dev2_worker']);
      expect(await exitCodeIn(done)).toBe(0);
      expect(term.screen()).toContain('[detached (from session dev2_worker)]');
    } finally {
      term.kill();
    }

    // gaia send delivers to a session on its host, confirmed on its pane there.
    const sent = await gaia(['send', 'listen1', 'hello from here']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(b.tmux(['capture-pane', '-p', '-t', '=listen1:'])).toContain('hello from here');
    // A task routed to a session on a host is typed there, through the same worker.
    const task = await gaia(['task', 'add', 'review the parser', '--type', 'review', '--deliver']);
    expect(task.stderr).toBe('');
    expect(task.code).toBe(0);
    expect(task.stdout).toContain('listen1');
    await waitFor('the task on beta', () => (b.tmux(['capture-pane', '-p', '-t', '=listen1:']).includes('review the parser') ? true : undefined));

    b.tmux(['kill-session', '-t', '=dev2_worker']);
    const killed = await gaia(['plan']);
    expect(killed.stdout).toContain('tmux_session.dev2_worker on beta will be created');
    expect(killed.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');

    // beta stops answering: its resources are unknown, not missing; alpha is planned and applied.
    await b.sshd.stop();
    a.tmux(['kill-session', '-t', '=dev3_worker']);
    const down = await gaia(['plan']);
    expect(down.stdout).toMatch(/Warning: host beta \(gaia-test-host-\d+\) cannot be reached: .*Its \d+ resources are unknown and not planned/);
    expect(down.stdout).not.toContain('on beta will be created');
    expect(down.stdout).toContain('tmux_session.dev3_worker on alpha will be created');
    const health = await gaia(['health']);
    expect(health.stdout).toMatch(/✖ beta {2}host beta \(gaia-test-host-\d+\) cannot be reached: .*what is on it is unknown/);
    expect(health.stdout).toContain('FAILING');
    const status = await gaia(['status']);
    expect(status.stdout).toMatch(/\? dev2 +beta:envs\/dev2 +unknown: host beta cannot be reached/);
    expect(status.stdout).toMatch(/dev1 +alpha:envs\/dev1/);
    const partial = await gaia(['apply', '--auto-approve']);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('Not applied on 1 host that could not be reached');
    expect(a.sessions()).toEqual(['dev1_worker', 'dev3_worker']);

    // Back: only the killed session is left to do.
    await b.sshd.start();
    expect((await gaia(['apply', '--auto-approve'])).code).toBe(0);
    expect(b.sessions()).toEqual(['ask1', 'dev2_worker', 'listen1']);
    expect((await gaia(['plan', '--detailed-exitcode'])).code).toBe(0);

    const destroyed = await gaia(['destroy', '--auto-approve']);
    expect(destroyed.code).toBe(0);
    expect(a.sessions()).toEqual([]);
    expect(fs.existsSync(path.join(a.projectRoot, 'envs/dev1'))).toBe(false);
  }, 120_000);

  it('a host lost in the middle of an apply, and an apply killed with SIGKILL: the next ordinary apply converges', async () => {
    // Each worker session's after_create hook takes a while, so the apply is still running when it is cut.
    project(`${environments('alpha, beta', 2)}groups:\n  workers: { perEnvironment: true, name: "{env}_worker", command: ["sleep", "3600"], hooks: { after_create: ["sleep 2"] } }\n`);
    const a = alpha();
    const b = beta();
    const running = p!.spawn(['apply', '--auto-approve'], world.env);
    await until(() => b.sessions().includes('dev2_worker'), 20_000);
    await b.sshd.stop();
    const cut = await running;
    expect(cut.exitCode).toBe(1);
    expect(cut.stdout).toMatch(/tmux_session\.dev2_worker: .*host beta cannot be reached/);
    // The session may have started before the connection went; its hook cannot have run: the next apply runs it.
    await b.sshd.start();
    const plan = await gaia(['plan']);
    expect(plan.stdout).toMatch(/tmux_session\.dev2_worker on beta (will be created|will be updated in place \(its after_create hooks)/);

    // Any moment is a kill point that must converge; this one lands once the apply is at beta's work.
    const second = p!.spawn(['apply', '--auto-approve'], world.env);
    let printed = '';
    second.stdout?.on('data', (d: Buffer) => (printed += d.toString()));
    await until(() => printed.includes('dev2_worker'), 20_000);
    second.kill('SIGKILL');
    await second.catch(() => undefined);

    const third = await gaia(['apply', '--auto-approve']);
    expect(third.stderr).toBe('');
    expect(third.code).toBe(0);
    expect(a.sessions()).toEqual(['dev1_worker']);
    expect(b.sessions()).toEqual(['dev2_worker']);
    const after = await gaia(['plan', '--detailed-exitcode']);
    expect(after.stdout).toContain('No changes.');
    expect(after.code).toBe(0);
  }, 120_000);

  it('20 sessions on a host whose sshd allows 3 sessions per connection, with channels: 2', async () => {
    project('groups:\n  crowd: { count: 20, name: "c{n}", host: gamma, command: ["sleep", "3600"] }\n', { gamma: 'channels: 2' });
    const applied = await gaia(['apply', '--auto-approve']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(gamma().sessions()).toHaveLength(20);
    const again = await gaia(['plan', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
    expect((await gaia(['status'])).code).toBe(0);
  }, 60_000);

  it('3 hosts × 5 environments, each with a stage database and an agent: apply, then "No changes."', async () => {
    project(`${environments('alpha, beta, gamma', 15)}providers:
  asker: { command: ["sh", "-c", "echo 'Overwrite the file? [y/N]'; sleep 3600"], agent: { preset: generic } }
groups:
  agents: { perEnvironment: true, name: "{env}_agent", provider: asker }
`);
    const applied = await gaia(['apply', '--auto-approve']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Resources: 45 added');
    for (const [i, h] of [alpha(), beta(), gamma()].entries()) {
      expect(h.sessions()).toEqual([1, 2, 3, 4, 5].map((k) => `dev${i + 1 + 3 * (k - 1)}_agent`).sort());
    }
    const again = await gaia(['plan', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
    const status = JSON.parse((await gaia(['status', '--json'])).stdout) as { groups: { sessions: { agent?: { state: string } }[] }[] };
    expect(status.groups.flatMap((g) => g.sessions).map((x) => x.agent?.state)).toEqual(Array(15).fill('waiting'));
  }, 120_000);

  it('the start grace of this gaia holds on the host: an agent there that exits within it failed to start', async () => {
    project(`providers:
  quitter: { command: ["sh", "-c", "sleep 1; exit 3"], agent: { preset: generic } }
groups:
  quitters: { count: 1, name: "quit{n}", host: beta, provider: quitter }
`);
    const r = await p!.gaia(['apply', '--auto-approve'], { ...world.env, GAIA_AGENT_START_GRACE: '2500' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('tmux_session.quit1: failed: its program did not start: exited 3 within 2500 ms');
  }, 60_000);

  it('the command after the first talks to the worker its host kept, starting nothing here; a kept worker gone is replaced', async () => {
    project('groups:\n  loners: { count: 2, name: "lone{n}", host: alpha, command: ["sleep", "3600"] }\n');
    const a = alpha();
    const stats = { ...world.env, GAIA_STATS: '1' };
    const spawned = (r: { stderr: string }) => Number(/gaia-stats spawned=(\d+)/.exec(r.stderr)?.[1]);
    const plan = async (env: Record<string, string> = stats) => {
      const r = await p!.gaia(['plan', '--detailed-exitcode'], env);
      expect(r.stdout).toContain('No changes.');
      expect(r.code).toBe(0);
      return r;
    };
    expect((await gaia(['apply', '--auto-approve'])).code).toBe(0);
    expect(await until(() => keptWorkers(a.sshd.root).length === 1, 10_000)).toBe(true);
    expect(spawned(await plan())).toBe(0);
    // Private at both ends: its socket there in a 0700 folder, the forward here 0600 in gaia's 0700 one.
    const [pid, socket] = keptWorkers(a.sshd.root)[0]!;
    expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
    const controls = path.join(world.env.XDG_RUNTIME_DIR!, 'gaia-ssh');
    const forwards = fs.readdirSync(controls).filter((f) => f.startsWith('w-'));
    expect(forwards.length).toBeGreaterThan(0);
    expect(forwards.map((f) => fs.statSync(path.join(controls, f)).mode & 0o777)).toEqual(forwards.map(() => 0o600));

    // Killed, it is replaced by the next command, which meanwhile starts a worker of its own.
    process.kill(pid, 'SIGKILL');
    expect(spawned(await plan())).toBeGreaterThan(0);
    expect(keptWorkers(a.sshd.root).map(([other]) => other)).not.toContain(pid);
    expect(spawned(await plan())).toBe(0);
    // Through it, a session killed there is seen.
    a.tmux(['kill-session', '-t', '=lone2']);
    expect((await gaia(['plan'])).stdout).toContain('tmux_session.lone2 on alpha will be created');
    // The host's sshd restarted: its connection (and the forward with it) is new, the kept worker the same.
    // (Two started at once, as two commands may, leave one: the other sees its socket replaced and goes.)
    expect(await until(() => keptWorkers(a.sshd.root).length === 1, 10_000)).toBe(true);
    const [[before]] = keptWorkers(a.sshd.root) as [[number, string]];
    await a.sshd.stop();
    await a.sshd.start();
    expect((await gaia(['apply', '--auto-approve'])).code).toBe(0);
    expect(spawned(await plan())).toBe(0);
    expect(keptWorkers(a.sshd.root).map(([pid]) => pid)).toEqual([before]);
    // Other settings of this gaia's are another kept worker's.
    await plan({ ...stats, GAIA_AGENT_START_GRACE: '1000' });
    expect(await until(() => new Set(keptWorkers(a.sshd.root).map(([, socket]) => socket)).size === 2, 10_000)).toBe(true);
    // The host's copy of gaia removed: its kept workers go, and the next command copies it again.
    fs.rmSync(path.join(a.sshd.root, 'home/.cache/gaia'), { recursive: true });
    expect(await until(() => keptWorkers(a.sshd.root).length === 0, 10_000)).toBe(true);
    await plan();
    expect(await until(() => keptWorkers(a.sshd.root).length === 1, 10_000)).toBe(true);
  }, 120_000);

  it('an environment the manifest moves to another host is created there, then deleted here, with the usual safety', async () => {
    const manifest = (hosts: string) => `${environments(hosts, 1)}groups:\n  workers: { perEnvironment: true, name: "{env}_worker", command: ["sleep", "3600"] }\n`;
    const made = project(manifest('alpha'));
    expect((await gaia(['apply', '--auto-approve'])).code).toBe(0);
    const oldDb = path.join(alpha().projectRoot, 'envs/dev1/data/qa.db');
    const db = new Database(oldDb);
    db.exec('INSERT INTO t VALUES (42)');
    db.close();
    const notes = path.join(alpha().projectRoot, 'envs/dev1/notes.txt');
    fs.writeFileSync(notes, 'work that exists nowhere else\n');
    made.write('orchestration.yaml', fs.readFileSync(path.join(made.root, 'orchestration.yaml'), 'utf8').replace('hosts: [alpha]', 'hosts: [beta]'));

    const moving = await gaia(['plan']);
    expect(moving.stdout).toContain('git_worktree.dev1 on beta will be created');
    expect(moving.stdout).toContain('tmux_session.dev1_worker on beta will be created');
    expect(moving.stdout).toMatch(/git_worktree\.dev1 on alpha will be destroyed \(moved to beta; the old copy is deleted once the new one is there\)/);
    expect(moving.stdout).toContain('sqlite_database.dev1.qa on alpha will be destroyed');

    // The old stage database has a row: its delete is refused, and what it lives in stays with it.
    const refused = await gaia(['apply', '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(beta().sessions()).toEqual(['dev1_worker']);
    expect(alpha().sessions()).toEqual([]);
    expect(fs.existsSync(path.join(beta().projectRoot, 'envs/dev1/data/qa.db'))).toBe(true);
    expect(fs.existsSync(oldDb)).toBe(true);
    expect(refused.stdout).toMatch(/tmux_session\.dev1_worker: destroyed \(the old copy on alpha, moved to beta; ended \d+ process/);
    expect(refused.stdout).toMatch(/REFUSED sqlite_database\.dev1\.qa \(delete\): refused: deletes 1 row in 1 table; .*\(the old copy on alpha, moved to beta\)/);
    expect(refused.stdout).toContain('SKIPPED git_worktree.dev1 (delete): skipped: sqlite_database.dev1.qa did not complete');

    // Nothing else to do but the old copies; with --allow-data-loss they go (the database backed up first).
    const again = await gaia(['plan']);
    expect(again.stdout).not.toContain('will be created');
    expect(again.stdout).toContain('sqlite_database.dev1.qa on alpha will be destroyed');
    // The old worktree holds a file that exists nowhere else: kept without --force.
    const dirty = await gaia(['apply', '--auto-approve', '--allow-data-loss']);
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toContain('notes.txt');
    expect(fs.existsSync(notes)).toBe(true);
    const moved = await gaia(['apply', '--auto-approve', '--force']);
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect(fs.existsSync(path.join(alpha().projectRoot, 'envs/dev1'))).toBe(false);
    expect(fs.existsSync(path.join(beta().projectRoot, 'envs/dev1/.git'))).toBe(true);
    const settled = await gaia(['plan', '--detailed-exitcode']);
    expect(settled.stdout).toContain('No changes.');
    expect(settled.code).toBe(0);
    expect((await gaia(['state', 'list'])).stdout).not.toContain('alpha:');

    // Moved on to gamma, killed with SIGKILL once its new copy is there and before the old one is gone:
    // the old copy's record was kept ahead, so the next ordinary apply deletes it on beta.
    made.write('orchestration.yaml', fs.readFileSync(path.join(made.root, 'orchestration.yaml'), 'utf8').replace('hosts: [beta]', 'hosts: [gamma]'));
    const killed = p!.spawn(['apply', '--auto-approve', '--allow-data-loss'], world.env);
    let printed = '';
    killed.stdout?.on('data', (d: Buffer) => (printed += d.toString()));
    await until(() => printed.includes('tmux_session.dev1_worker: created'), 20_000);
    killed.kill('SIGKILL');
    await killed.catch(() => undefined);
    expect(gamma().sessions()).toEqual(['dev1_worker']);
    const after = await gaia(['apply', '--auto-approve', '--allow-data-loss']);
    expect(after.code).toBe(0);
    expect(after.stdout).not.toContain('will be created');
    expect(after.stdout).toMatch(/git_worktree\.dev1 on beta will be (destroyed|forgotten)/);
    expect(beta().sessions()).toEqual([]);
    expect(fs.existsSync(path.join(beta().projectRoot, 'envs/dev1'))).toBe(false);
    expect(gamma().sessions()).toEqual(['dev1_worker']);
    const final = await gaia(['plan', '--detailed-exitcode']);
    expect(final.stdout).toContain('No changes.');
    expect(final.code).toBe(0);

    // A move left unfinished (gamma's database has a row) is finished by a destroy: everything goes.
    const rows = new Database(path.join(gamma().projectRoot, 'envs/dev1/data/qa.db'));
    rows.exec('INSERT INTO t VALUES (7)');
    rows.close();
    made.write('orchestration.yaml', fs.readFileSync(path.join(made.root, 'orchestration.yaml'), 'utf8').replace('hosts: [gamma]', 'hosts: [alpha]'));
    expect((await gaia(['apply', '--auto-approve'])).code).toBe(1);
    expect((await gaia(['state', 'list'])).stdout).toContain('gamma:sqlite_database.dev1.qa on gamma');
    const gone = await gaia(['destroy', '--auto-approve', '--allow-data-loss', '--force']);
    expect(gone.stdout).toContain('sqlite_database.dev1.qa on gamma will be destroyed (the old copy of a move the manifest no longer has)');
    expect(gone.code).toBe(0);
    expect([alpha().sessions(), gamma().sessions()]).toEqual([[], []]);
    expect(fs.existsSync(path.join(gamma().projectRoot, 'envs/dev1'))).toBe(false);
    expect(fs.existsSync(path.join(alpha().projectRoot, 'envs/dev1'))).toBe(false);
    expect((await gaia(['state', 'list'])).stdout.trim()).toBe('gaia owns nothing yet.');
  }, 90_000);
});
