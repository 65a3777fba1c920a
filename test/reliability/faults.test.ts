/** External faults: the tmux server killed during an apply, a worktree directory or a branch deleted by
 *  hand, a database truncated or overwritten with garbage, the state or a target path not writable, a
 *  session program that exits at once. Each gives a clear message (never an internal error), the next
 *  plan repairs what can be repaired, and nothing gaia does not own is touched: every scenario keeps a
 *  session, a branch and a file of the user's beside gaia's and checks them at the end. */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { until } from '../helpers/poll.js';
import { project, recorded, report, sql, type PlanJson, type Project } from './support.js';

const manifest = (extra = '', settings = '') => `
version: 1
project: faults
${settings}
repository: { path: ., base: main }
environments:
  count: 2
  name: dev{n}
  stages:
    dev: { database: { path: data/dev.db, migrations: db }, port: { range: [28400, 28409] } }
groups:
  workers: { perEnvironment: true, name: "{env}_worker", command: ["sleep", "3600"] }
  reviewers: { count: 24, name: "review{n}", command: ["sleep", "3600"] }
${extra}
files:
  envs_json: { path: envs/environments.json, json: "{environments}" }
`;

const INTERNAL = /internal error|This is a bug|\n\s+at .+:\d+:\d+/;
let scenarios = 0;
let repaired = 0;

interface Mine {
  check(): void;
}

/** Things of the user's beside gaia's, with the same kinds: a session, a branch, a file. */
function usersOwn(p: Project): Mine {
  p.tmux(['new-session', '-d', '-s', 'mine', 'sleep 3600']);
  p.git(['branch', 'feature/mine']);
  p.write('notes/mine.txt', 'mine\n');
  return {
    check() {
      expect(p.sessions()).toContain('mine');
      expect(p.git(['branch', '--list', 'feature/mine'])).toContain('feature/mine');
      expect(readFileSync(path.join(p.root, 'notes/mine.txt'), 'utf8')).toBe('mine\n');
    },
  };
}

async function plan(p: Project): Promise<PlanJson> {
  const r = await p.run(['plan', '--json']);
  expect(r.stderr).not.toMatch(INTERNAL);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

/** The repair: apply, then the plan says "No changes." */
async function converges(p: Project, flags: string[] = []): Promise<void> {
  const applied = await p.run(['apply', '--auto-approve', ...flags]);
  expect(applied.stdout + applied.stderr).not.toMatch(INTERNAL);
  expect(applied.code).toBe(0);
  const again = await p.run(['plan', '--detailed-exitcode']);
  expect(again.stdout).toContain('No changes.');
  repaired++;
}

const pending = (plan: PlanJson) => plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}: ${c.reasons.map((r) => r.text).join('; ')}`);

describe('external faults', () => {
  let p: Project;
  afterEach(() => p?.cleanup());
  afterAll(() => {
    report({ area: 'external faults', measure: 'fault scenarios', tried: scenarios, okLabel: 'clear message and repaired', ok: repaired });
  });

  it('the tmux server killed over and over during an apply: the apply reports what landed, the plan recreates the lost sessions, the repair touches nothing else', async () => {
    scenarios++;
    p = project(manifest(), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    const child = p.start(['apply', '--auto-approve']);
    let kills = 0;
    let inFlight = 0;
    let timer: NodeJS.Timeout | undefined;
    child.stdout?.on('data', (d: Buffer) => {
      if (timer || !d.toString().includes('tmux_session')) return;
      timer = setInterval(() => {
        kills++;
        inFlight++;
        execFile('tmux', ['-L', p.socket, 'kill-server'], () => inFlight--);
      }, 5);
    });
    const r = await child;
    clearInterval(timer);
    await until(() => inFlight === 0); // the last kill-server commands still running
    expect(kills).toBeGreaterThan(0);
    expect(String(r.stdout) + String(r.stderr)).not.toMatch(INTERNAL);
    expect([0, 1]).toContain(r.exitCode);
    if (r.exitCode === 1) expect(String(r.stdout)).toMatch(/FAILED tmux_session\.\S+ \(create\): .*tmux/);
    const mine = usersOwn(p);
    const next = await plan(p);
    expect(next.conflicts).toEqual([]);
    // Only sessions were lost; each is planned as a create, nothing is deleted or replaced.
    expect(next.changes.filter((c) => c.action !== 'noop' && !(c.action === 'create' && c.kind === 'tmux_session'))).toEqual([]);
    await converges(p);
    expect(p.sessions()).toHaveLength(2 + 24 + 1);
    mine.check();
  });

  it('a worktree directory deleted by hand: the plan names it, recreates it and its database, and leaves the other environment alone', async () => {
    scenarios++;
    p = project(manifest(), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    expect((await p.run(['apply', '--auto-approve'])).code).toBe(0);
    const mine = usersOwn(p);
    writeFileSync(path.join(p.root, 'envs/dev2/work-in-progress.txt'), 'unsaved\n');
    rmSync(path.join(p.root, 'envs/dev1'), { recursive: true, force: true });
    const next = await plan(p);
    expect(pending(next).sort()).toEqual([
      'create sqlite_database.dev1.dev: database missing (gaia created it; it was removed outside gaia)',
      'replace git_worktree.dev1: worktree directory is missing',
    ]);
    await converges(p);
    expect(existsSync(path.join(p.root, 'envs/dev1/data/dev.db'))).toBe(true);
    expect(readFileSync(path.join(p.root, 'envs/dev2/work-in-progress.txt'), 'utf8')).toBe('unsaved\n');
    mine.check();
  });

  it('a branch deleted by hand: the plan recreates it from its base, the worktree on it keeps its files', async () => {
    scenarios++;
    p = project(manifest(), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    expect((await p.run(['apply', '--auto-approve'])).code).toBe(0);
    const mine = usersOwn(p);
    writeFileSync(path.join(p.root, 'envs/dev2/work-in-progress.txt'), 'unsaved\n');
    // git refuses `branch -D` of a checked-out branch; deleting the ref is what a hurried user does.
    p.git(['update-ref', '-d', 'refs/heads/env/dev2']);
    const next = await plan(p);
    expect(pending(next)).toEqual(['create git_branch.dev2: branch missing (gaia created it; it was removed outside gaia)']);
    await converges(p);
    expect(p.git(['rev-parse', 'env/dev2']).trim()).toBe(p.git(['rev-parse', 'main']).trim());
    expect(readFileSync(path.join(p.root, 'envs/dev2/work-in-progress.txt'), 'utf8')).toBe('unsaved\n');
    mine.check();
  });

  it('a database truncated to nothing is migrated again; one overwritten with garbage is refused without --allow-data-loss, then replaced with a copy kept', async () => {
    scenarios += 2;
    p = project(manifest(), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    expect((await p.run(['apply', '--auto-approve'])).code).toBe(0);
    const mine = usersOwn(p);
    const db1 = path.join(p.root, 'envs/dev1/data/dev.db');
    const db2 = path.join(p.root, 'envs/dev2/data/dev.db');
    sql(db2, 'INSERT INTO t VALUES (7), (8)');

    truncateSync(db1, 0);
    expect(pending(await plan(p))).toEqual(['update sqlite_database.dev1.dev: 1 new migration: 001.sql']);
    await converges(p);
    expect(sql(db1, "SELECT count(*) FROM sqlite_master WHERE name = 't'")).toBe('1');

    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251));
    writeFileSync(db1, garbage);
    const next = await plan(p);
    expect(pending(next)).toEqual(['replace sqlite_database.dev1.dev: database file is corrupt: file is not a database']);
    const refused = await p.run(['apply', '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/REFUSED sqlite_database\.dev1\.dev \(replace\): .*--allow-data-loss/);
    expect(readFileSync(db1).equals(garbage)).toBe(true);
    await converges(p, ['--allow-data-loss']);
    const copies = readdirSync(path.join(p.root, '.gaia/backups')).filter((f) => f.endsWith('.corrupt'));
    expect(copies).toHaveLength(1);
    expect(readFileSync(path.join(p.root, '.gaia/backups', copies[0]!)).equals(garbage)).toBe(true);
    // The other database kept its rows through all of it.
    expect(sql(db2, 'SELECT count(*) FROM t')).toBe('2');
    mine.check();
  });

  it('the state store cannot be written: a clear error naming the state file, not an internal error; once fixed, apply works', async () => {
    scenarios++;
    p = project(manifest('', 'settings: { state: blocked/state.db }'), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    // chmod cannot stop root (tests run as root in CI): a path whose parent is a FILE stops everyone.
    writeFileSync(path.join(p.root, 'blocked'), 'a file, not a folder\n');
    for (const args of [['plan'], ['apply', '--auto-approve'], ['state', 'list']]) {
      const r = await p.run(args);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(INTERNAL);
      expect(r.stderr).toMatch(/^Error: cannot open the state database .*blocked\/state\.db: /m);
    }
    if (process.getuid?.() !== 0) {
      // Not root: a folder without write permission is refused the same way.
      rmSync(path.join(p.root, 'blocked'));
      p.write('blocked/keep', '');
      chmodSync(path.join(p.root, 'blocked'), 0o555);
      const r = await p.run(['plan']);
      chmodSync(path.join(p.root, 'blocked'), 0o755);
      expect(r.stderr).toMatch(/^Error: cannot open the state database/m);
    } else {
      console.log('[reliability] running as root: chmod 0555 does not stop writes; only the parent-is-a-file case ran');
    }
    // A damaged state file is named too.
    rmSync(path.join(p.root, 'blocked'), { recursive: true, force: true });
    p.write('blocked/state.db', 'garbage, not SQLite\n'.repeat(200));
    const damaged = await p.run(['plan']);
    expect(damaged.stderr).toMatch(/^Error: cannot open the state database .*: it is damaged \(file is not a database\)/m);
    rmSync(path.join(p.root, 'blocked'), { recursive: true, force: true });
    expect(p.sessions()).toEqual([]);
    await converges(p);
  });

  it('a target path that cannot be written (its parent is a file): clear failures, nothing recorded as made, and after the fix apply converges', async () => {
    scenarios++;
    p = project(manifest(), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    const mine = usersOwn(p);
    writeFileSync(path.join(p.root, 'envs'), 'a file where the environments folder goes\n');
    const r = await p.run(['apply', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(INTERNAL);
    expect(r.stdout).toMatch(/FAILED git_worktree\.dev1 \(create\): .*worktree add .*Not a directory/s);
    expect(r.stdout).toMatch(/FAILED file\.envs_json \(create\): cannot write envs\/environments\.json: a file is in the way where a folder is needed/);
    expect(r.stdout).toMatch(/SKIPPED sqlite_database\.dev1\.dev \(create\): skipped: git_worktree\.dev1 did not complete/);
    // Failed creates leave no claim of ownership behind.
    const owned = (await recorded(p)).map((x) => x.address);
    expect(owned).not.toContain('git_worktree.dev1');
    expect(owned).not.toContain('file.envs_json');
    const next = await plan(p);
    expect(next.conflicts).toEqual([]);
    expect(next.changes.filter((c) => c.action !== 'noop' && c.action !== 'create')).toEqual([]);
    rmSync(path.join(p.root, 'envs'));
    await converges(p);
    mine.check();
  });

  it('a session program that exits at once: the plan says so (and offers the restart), the healthy sessions are left alone', async () => {
    scenarios++;
    p = project(manifest('  quick: { count: 1, name: quick, command: ["sh", "-c", "echo starting; exit 3"] }'), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    const mine = usersOwn(p);
    const first = await p.run(['apply', '--auto-approve']);
    expect(first.stdout + first.stderr).not.toMatch(INTERNAL);
    await until(() => p.tmux(['display-message', '-p', '-t', '=quick:', '#{pane_dead}']).trim() === '1');
    const next = await plan(p);
    expect(pending(next)).toEqual(['replace tmux_session.quick: program exited; pane is dead']);
    // The pane is kept (remain-on-exit): its exit status can be read.
    expect(p.tmux(['display-message', '-p', '-t', '=quick:', '#{pane_dead_status}']).trim()).toBe('3');
    expect(p.sessions()).toHaveLength(2 + 24 + 1 + 1);
    mine.check();
    repaired++; // the message is clear; a program that always exits cannot be repaired by a restart
  });
});
