/** GitOps on real git and real tmux: a bare repository as the remote, a clone as the machine's
 *  working copy, a private tmux socket per test. Each test pushes, runs rounds, and checks the
 *  world, the working copy and the recorded history. */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { execa } from 'execa';
import { Kysely, SqliteDialect } from 'kysely';
import { PENDING_PREFIX } from '../../src/core/plan.js';
import { localHost } from '../../src/host/local/local-host.js';
import { reconcileRound, syncStatus, type ReconcileOptions, type RoundOutcome } from '../../src/ops/reconcile.js';
import { insertLock } from '../../src/state/lock.js';
import type { Database } from '../../src/state/schema.js';
import { openSqliteStore, type SqliteStateStore } from '../../src/state/sqlite-store.js';
import { bareRemote, tempRepo, type BareRemote, type TempRepo } from '../helpers/git.js';
import { GAIA_BIN } from '../helpers/cli.js';
import { socketPath } from '../helpers/tmux.js';

interface Groups { readonly [group: string]: string }

/** One session per group (`<group>1`), running `command` in the project root. */
function manifest(groups: Groups, sync = 'sync: { mode: auto, prune: false, selfHeal: true }'): string {
  return [
    'version: 1',
    'project: gitops',
    sync,
    'groups:',
    ...Object.entries(groups).map(([g, cmd]) => `  ${g}:\n    count: 1\n    name: "${g}{n}"\n    command: ${JSON.stringify(cmd)}`),
    '',
  ].join('\n');
}

const LONG = 'sleep 1000';

let remote: BareRemote;
let dev: TempRepo;
let machine: string;
let socket: string;
let previousSocket: string | undefined;
let clock: number;
const stores: SqliteStateStore[] = [];

function gitIn(dir: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function tmux(args: readonly string[]): string {
  try {
    return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return '';
  }
}
/** name → { pid, dead } of every session on the test's socket. */
function sessions(): Map<string, { pid: string; dead: boolean }> {
  const rows = tmux(['list-sessions', '-F', '#{session_name} #{pane_pid} #{pane_dead}']).split('\n').filter(Boolean);
  return new Map(rows.map((r) => {
    const [name, pid, dead] = r.split(' ');
    return [name!, { pid: pid!, dead: dead === '1' }];
  }));
}
async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Commit the manifest in the developer's clone and push it; returns the new revision. */
function push(text: string, message = 'manifest'): string {
  dev.write('orchestration.yaml', text);
  dev.git(['add', '-A']);
  dev.git(['commit', '-q', '-m', message]);
  dev.git(['push', '-q', 'origin', 'main']);
  return dev.git(['rev-parse', 'HEAD']).trim();
}

function round(extra: Partial<ReconcileOptions> = {}): Promise<RoundOutcome> {
  return reconcileRound({ file: 'orchestration.yaml', repo: machine, ref: 'origin/main', host: localHost(), now: () => new Date(clock), ...extra });
}

async function store(): Promise<SqliteStateStore> {
  const s = await openSqliteStore(path.join(machine, '.gaia', 'state.db'));
  stores.push(s);
  return s;
}

beforeEach(() => {
  remote = bareRemote('gaia-gitops-remote-');
  dev = tempRepo('gaia-gitops-dev-');
  dev.write('.gitignore', '.gaia/\n');
  dev.git(['remote', 'add', 'origin', remote.path]);
  machine = fs.realpathSync(fs.mkdtempSync(path.join(remote.path, '..', 'gaia-gitops-machine-')));
  socket = `gaia-test-${randomBytes(5).toString('hex')}`;
  previousSocket = process.env.GAIA_TMUX_SOCKET;
  process.env.GAIA_TMUX_SOCKET = socket;
  clock = Date.parse('2026-01-01T00:00:00Z');
});

/** The first revision pushed, cloned as the machine's working copy. */
function startWith(text: string): string {
  const rev = push(text, 'first');
  fs.rmSync(machine, { recursive: true, force: true });
  execFileSync('git', ['clone', '-q', remote.path, machine]);
  gitIn(machine, ['config', 'user.name', 'machine']);
  gitIn(machine, ['config', 'user.email', 'machine@example.invalid']);
  return rev;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  tmux(['kill-server']);
  fs.rmSync(socketPath(socket), { force: true });
  if (previousSocket === undefined) delete process.env.GAIA_TMUX_SOCKET;
  else process.env.GAIA_TMUX_SOCKET = previousSocket;
  remote.cleanup();
  dev.cleanup();
  fs.rmSync(machine, { recursive: true, force: true });
});

describe('gaia reconcile: one round at a time', () => {
  it('a pushed manifest change is applied by one round, which records the revision', async () => {
    const first = startWith(manifest({ a: LONG }));
    const r1 = await round();
    expect(r1.result).toBe('applied');
    expect([...sessions().keys()]).toEqual(['a1']);

    const second = push(manifest({ a: LONG, b: LONG }), 'add group b');
    const r2 = await round();
    expect(r2).toMatchObject({ result: 'applied', revision: second });
    expect([...sessions().keys()].sort()).toEqual(['a1', 'b1']);
    expect(gitIn(machine, ['rev-parse', 'HEAD']).trim()).toBe(second);

    const s = await store();
    const history = await s.reconciles(10);
    expect(history.map((h) => [h.revision, h.result])).toEqual([[second, 'applied'], [first, 'applied']]);
    expect(history[0]!.summary).toContain('Plan: 1 to add');
    expect(await syncStatus({ store: s })).toMatchObject({ sync: 'Synced', revision: second });

    // Nothing new: the next round has nothing to do and says so.
    expect((await round()).result).toBe('synced');
  });

  it('an invalid manifest is refused with located errors; the last good revision keeps running', async () => {
    const good = startWith(manifest({ a: LONG }));
    await round();
    const before = sessions().get('a1')!.pid;

    const bad = push(manifest({ a: LONG }).replace('count: 1', 'count: two'), 'break it');
    const r = await round();
    expect(r).toMatchObject({ result: 'refused', revision: good, offered: bad });
    expect(r.errors[0]).toMatchObject({ file: `${bad.slice(0, 12)}:orchestration.yaml`, path: 'groups.a.count' });
    expect(r.errors[0]!.line).toBeGreaterThan(1);
    expect(sessions().get('a1')).toEqual({ pid: before, dead: false });
    expect(gitIn(machine, ['rev-parse', 'HEAD']).trim()).toBe(good);
    expect(fs.readFileSync(path.join(machine, 'orchestration.yaml'), 'utf8')).not.toContain('count: two');

    const s = await store();
    const [last] = await s.reconciles(1);
    expect(last).toMatchObject({ revision: bad, result: 'refused' });
    expect(last!.error).toContain('groups.a.count');
    expect(await syncStatus({ store: s })).toMatchObject({ sync: 'OutOfSync', revision: good });

    // Refused, yet the last good revision is kept running: a session that dies meanwhile is healed.
    tmux(['kill-session', '-t', '=a1']);
    const meanwhile = await round();
    expect(meanwhile).toMatchObject({ result: 'refused', revision: good, restarted: ['tmux_session.a1'] });
    expect(sessions().get('a1')?.dead).toBe(false);

    // A fix pushed after it is taken.
    const fixed = push(manifest({ a: LONG, c: LONG }), 'fix');
    expect(await round()).toMatchObject({ result: 'applied', revision: fixed });
    expect(sessions().has('c1')).toBe(true);
  });

  it('self-heal restarts a session killed outside gaia; with selfHeal off it is only reported', async () => {
    startWith(manifest({ a: LONG }));
    await round();
    tmux(['kill-session', '-t', '=a1']);
    expect(sessions().has('a1')).toBe(false);
    const healed = await round();
    expect(healed.result).toBe('applied');
    expect(healed.restarted).toEqual(['tmux_session.a1']);
    expect(sessions().get('a1')?.dead).toBe(false);

    push(manifest({ a: LONG }, 'sync: { selfHeal: false }'), 'no self-heal');
    await round();
    tmux(['kill-session', '-t', '=a1']);
    const reported = await round();
    expect(reported.result).toBe('out-of-sync');
    expect(reported.held.map((h) => [h.change.address, h.why.kind])).toEqual([['tmux_session.a1', 'self_heal_off']]);
    expect(reported.summary).toContain('not healed (selfHeal is off)');
    expect(sessions().has('a1')).toBe(false);
  });

  it('a session that exits at once backs off (30 s, 1 m …) and is reported crash-looping with its last output', async () => {
    // The short sleep lets tmux read the line first: tmux 3.3a now and then drops the output of a
    // program that exits the instant it has printed (its dead pane then shows only the exit status).
    startWith(manifest({ a: LONG, crash: 'echo crashed-$GAIA_SESSION; sleep 0.3; exit 3' }));
    const deadAgain = () => until('crash1 to die', () => sessions().get('crash1')?.dead === true);
    expect((await round()).result).toBe('applied'); // created (a sync, not a heal)
    await deadAgain();
    const t0 = clock;
    const at = async (seconds: number) => {
      clock = t0 + seconds * 1000;
      const r = await round();
      return r;
    };
    expect((await at(1)).restarted).toEqual(['tmux_session.crash1']); // first restart: at once
    await deadAgain();
    const waiting = await at(2);
    expect(waiting.restarted).toEqual([]);
    expect(waiting.held.map((h) => h.why)).toEqual([{ kind: 'backoff', attempt: 2, until: t0 + 31_000 }]);
    expect(waiting.result).toBe('out-of-sync');
    expect((await at(31)).restarted).toEqual(['tmux_session.crash1']); // second: after 30 s
    await deadAgain();
    expect((await at(60)).held.map((h) => h.why.kind)).toEqual(['backoff']); // third waits 1 m
    const third = await at(91);
    expect(third.restarted).toEqual(['tmux_session.crash1']);
    expect(third.crashLooping).toHaveLength(1);
    expect(third.crashLooping[0]).toMatchObject({ address: 'tmux_session.crash1', restarts: 3, nextRestart: new Date(t0 + 91_000 + 120_000).toISOString() });
    expect(third.crashLooping[0]!.lastOutput).toContain('crashed-crash1');
    expect(third.error).toContain('tmux_session.crash1 is crash-looping');
    // The healthy session was never touched.
    expect(third.restarted).not.toContain('tmux_session.a1');

    const s = await store();
    const status = await syncStatus({ store: s });
    expect(status.crashLooping.map((c) => c.address)).toEqual(['tmux_session.crash1']);
    expect(status.crashLooping[0]!.lastOutput).toContain('crashed-crash1');
  });

  it('with prune off a removed group is reported and left running; prune on deletes it', async () => {
    startWith(manifest({ a: LONG, old: LONG }));
    await round();
    const pid = sessions().get('old1')!.pid;
    push(manifest({ a: LONG }), 'drop group old');
    const r = await round();
    expect(r.result).toBe('out-of-sync');
    expect(r.held.map((h) => [h.change.address, h.change.action, h.why.kind])).toEqual([['tmux_session.old1', 'delete', 'prune_off']]);
    expect(r.summary).toContain('1 not pruned (prune is off): tmux_session.old1');
    expect(sessions().get('old1')?.pid).toBe(pid);
    const s = await store();
    expect((await s.recorded()).map((x) => x.address)).toContain('tmux_session.old1');

    push(manifest({ a: LONG }, 'sync: { prune: true }'), 'prune');
    expect((await round()).result).toBe('applied');
    expect(sessions().has('old1')).toBe(false);
  });

  it('local changes in the working copy are never overwritten: the new revision is refused', async () => {
    const good = startWith(manifest({ a: LONG }));
    await round();
    fs.appendFileSync(path.join(machine, 'orchestration.yaml'), '# a hand edit on the machine\n');
    push(manifest({ a: LONG, b: LONG }), 'add b');
    const r = await round();
    expect(r.result).toBe('refused');
    expect(r.summary).toContain('local changes (orchestration.yaml)');
    expect(gitIn(machine, ['rev-parse', 'HEAD']).trim()).toBe(good);
    expect(fs.readFileSync(path.join(machine, 'orchestration.yaml'), 'utf8')).toContain('# a hand edit on the machine');
    expect(sessions().has('b1')).toBe(false);
  });

  it('manual sync only records OutOfSync; nothing is created', async () => {
    startWith(manifest({ a: LONG }, 'sync: { mode: manual }'));
    const r = await round();
    expect(r).toMatchObject({ result: 'out-of-sync' });
    expect(r.summary).toContain('sync is manual');
    expect(sessions().size).toBe(0);
    expect(await syncStatus({ store: await store() })).toMatchObject({ sync: 'OutOfSync' });
  });

  it('a round killed mid-way (working copy moved, a create half-done, its lock left behind) converges next round', async () => {
    startWith(manifest({ a: LONG }));
    await round();
    const next = push(manifest({ a: LONG, b: LONG }), 'add b');
    // What a reconcile killed right after moving the working copy and writing ahead b's create leaves:
    gitIn(machine, ['fetch', '-q']);
    gitIn(machine, ['merge', '--ff-only', '-q', 'origin/main']);
    const s = await store();
    await s.record({ kind: 'tmux_session', address: 'tmux_session.b1', attributes: {}, specHash: `${PENDING_PREFIX}x`, dependsOn: [] });
    const dead = spawnSync('true').pid!;
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path.join(machine, '.gaia', 'state.db')) }) });
    await insertLock(db, { pid: dead, host: hostname(), since: new Date().toISOString(), command: 'gaia reconcile' }).execute();
    await db.destroy();

    const logs: string[] = [];
    const r = await round({ log: (l) => logs.push(l) });
    expect(r).toMatchObject({ result: 'applied', revision: next });
    expect(logs.join('\n')).toMatch(/took over the lock of gaia reconcile \(pid \d+ .*\), which died/);
    expect(sessions().get('b1')?.dead).toBe(false);
    expect((await s.recorded()).find((x) => x.address === 'tmux_session.b1')!.specHash.startsWith(PENDING_PREFIX)).toBe(false);
    expect(await s.lockHolder()).toBeUndefined();
  });

  it('a round after a gaia apply that was killed holding the lock takes the lock over, names it, and marks that apply interrupted', async () => {
    startWith(manifest({ a: LONG }));
    const s = await store();
    const applyId = await s.beginApply({ command: 'gaia apply', manifestHash: 'h' });
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path.join(machine, '.gaia', 'state.db')) }) });
    // pid 1 is alive (init): only the OS lock, free here, says the holder is gone.
    await insertLock(db, { pid: 1, host: 'a-host-that-was-renamed', since: new Date().toISOString(), command: 'gaia apply' }).execute();
    await db.destroy();
    const logs: string[] = [];
    const r = await round({ log: (l) => logs.push(l) });
    expect(r).toMatchObject({ result: 'applied' });
    expect(logs.join('\n')).toContain('took over the lock of gaia apply (pid 1 on a-host-that-was-renamed');
    expect((await s.applies(10)).find((a) => a.id === applyId)?.status).toBe('interrupted');
    expect(await s.lockHolder()).toBeUndefined();
  });

  it('a lock held by a live apply is respected: the round is skipped, nothing changes', async () => {
    startWith(manifest({ a: LONG }));
    const s = await store();
    const lock = await s.acquireLock('gaia apply', 0);
    expect(lock.kind).toBe('acquired');
    const r = await round();
    expect(r.result).toBe('locked');
    expect(r.summary).toContain('locked by gaia apply');
    expect(sessions().size).toBe(0);
    if (lock.kind === 'acquired') await lock.release();
  });
});

describe('drift and the CLI on the same setup', () => {
  const cli = (args: readonly string[]) => execa(GAIA_BIN, [...args], { cwd: machine, env: { GAIA_TMUX_SOCKET: socket, NO_COLOR: '1' }, reject: false, stdin: 'ignore' });

  it('gaia drift and plan --refresh-only show a killed session, exit 2 with --detailed-exitcode, and change nothing', async () => {
    startWith(manifest({ a: LONG, b: LONG }));
    await round();
    expect((await cli(['drift', '--detailed-exitcode'])).exitCode).toBe(0);
    tmux(['kill-session', '-t', '=b1']);
    const drift = await cli(['drift', '--detailed-exitcode']);
    expect(drift.exitCode).toBe(2);
    expect(drift.stdout).toMatch(/- tmux_session\.b1\s+# session missing \(removed outside gaia\)/);
    expect(drift.stdout).toContain('Drift: 1 missing, 0 changed outside gaia (of 2 owned).');
    const refresh = await cli(['plan', '--refresh-only', '--detailed-exitcode', '--json']);
    expect(refresh.exitCode).toBe(2);
    expect((JSON.parse(refresh.stdout) as { entries: { address: string; drift: string }[] }).entries).toEqual([expect.objectContaining({ address: 'tmux_session.b1', drift: 'missing' })]);
    expect(sessions().has('b1')).toBe(false);
  });

  it('gaia reconcile --watch stops cleanly on SIGTERM: exit 0, lock released', async () => {
    startWith(manifest({ a: LONG }));
    const child = cli(['reconcile', '--watch', '--interval', '1s', '--ref', 'origin/main']);
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => { seen += d.toString(); });
    await until('the first round', () => /: applied/.test(seen), 15_000);
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(sessions().has('a1')).toBe(true);
    const s = await store();
    expect(await s.lockHolder()).toBeUndefined();
  });

  it('gaia diff reads both revisions from git: located errors for an invalid side, exit 1', async () => {
    const good = startWith(manifest({ a: LONG }));
    const bad = push(manifest({ a: LONG }).replace('count: 1', 'count: two'), 'break');
    gitIn(machine, ['fetch', '-q']);
    const r = await cli(['diff', '--base', good, '--head', 'origin/main']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^origin\/main:orchestration\.yaml:\d+:\d+ {2}groups\.a\.count:/m);
    const ok = await cli(['diff', '--base', good, '--head', bad.slice(0, 7), '--json']);
    expect(ok.exitCode).toBe(1);
    const fine = await cli(['diff', '--base', good, '--detailed-exitcode']);
    expect(fine.exitCode).toBe(0);
    expect(fine.stdout).toContain('No differences');
  });
});
