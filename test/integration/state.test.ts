/** The SQLite state store against real files: migrations, ownership records, apply history,
 *  the lock (in one process and across processes) and WAL reads during a write. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import ts from 'typescript';
import { insertLock } from '../../src/state/lock.js';
import type { Database } from '../../src/state/schema.js';
import { openSqliteStore, type SqliteStateStore } from '../../src/state/sqlite-store.js';
import { lockContract } from '../helpers/lock-contract.js';
import { entry, steppingClock } from '../helpers/store-fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BETTER_SQLITE3 = path.join(ROOT, 'node_modules/better-sqlite3/lib/index.js');
const MIGRATIONS = ['0001_initial', '0002_features', '0003_agent_conversations'];

let dir: string;
let dbPath: string;
const cleanups: (() => unknown)[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-state-'));
  dbPath = path.join(dir, 'project', '.gaia', 'state.db');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function open(options: Parameters<typeof openSqliteStore>[1] = {}): Promise<SqliteStateStore> {
  const store = await openSqliteStore(dbPath, options);
  cleanups.push(() => store.close());
  return store;
}

/** A second connection straight to the file, as another process would have. */
function raw(): BetterSqlite3.Database {
  const db = new BetterSqlite3(dbPath);
  db.pragma('busy_timeout = 5000');
  cleanups.push(() => db.close());
  return db;
}

function executedMigrations(db: BetterSqlite3.Database): { name: string; timestamp: string }[] {
  return db.prepare('select name, timestamp from kysely_migration order by name').all() as { name: string; timestamp: string }[];
}

describe('migrations', () => {
  test('opening a new file creates its folder, switches to WAL and runs each migration once', async () => {
    await open();
    const db = raw();
    expect(executedMigrations(db).map((m) => m.name)).toEqual(MIGRATIONS);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining(['resources', 'applies', 'apply_steps', 'lock', 'tasks', 'reconciles', 'agent_conversations', 'kv']),
    );
  });

  test('reopening runs no migration again and keeps the data', async () => {
    const first = await open();
    await first.record(entry('dev1'));
    await first.close();
    cleanups.pop();
    const before = executedMigrations(raw());

    const second = await open();
    expect(executedMigrations(raw())).toEqual(before);
    expect((await second.recorded()).map((r) => r.address)).toEqual(['tmux_session.dev1']);
  });

  test('a database with only the first migration gets the second on open', async () => {
    (await open()).close();
    cleanups.pop();
    const db = raw();
    for (const table of ['tasks', 'reconciles', 'agent_conversations', 'kv']) db.exec(`drop table ${table}`);
    db.prepare('delete from kysely_migration where name in (?, ?)').run('0002_features', '0003_agent_conversations');

    const store = await open();
    expect(executedMigrations(db).map((m) => m.name)).toEqual(MIGRATIONS);
    await store.setValue('k', 'v');
    expect(await store.getValue('k')).toBe('v');
  });

  test('conversation ids of a store from before 0003 are kept, with an unknown provider, one address per id', async () => {
    (await open()).close();
    cleanups.pop();
    const db = raw();
    db.exec('drop table agent_conversations');
    db.exec('create table agent_ids (address text primary key, conversation_id text not null, created_at text not null)');
    const add = db.prepare('insert into agent_ids values (?, ?, ?)');
    add.run('tmux_session.a', 'id-1', 'T1');
    add.run('tmux_session.b', 'id-1', 'T2');
    add.run('tmux_session.c', 'id-3', 'T3');
    db.prepare('delete from kysely_migration where name = ?').run('0003_agent_conversations');

    const store = await open();
    expect(await store.agentConversations()).toEqual([
      { address: 'tmux_session.b', provider: null, id: 'id-1', startedAt: 'T2' },
      { address: 'tmux_session.c', provider: null, id: 'id-3', startedAt: 'T3' },
    ]);
  });

  test('a file that is not a database is refused with its path named', async () => {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    fs.writeFileSync(dbPath, 'not sqlite at all, just some text that is long enough to have a header'.repeat(10));
    await expect(openSqliteStore(dbPath)).rejects.toThrow(/cannot open the state database .*state\.db: it is damaged \(file is not a database\)/);
  });

  test('a database migrated by a newer gaia is refused with the unknown migration named', async () => {
    (await open()).close();
    cleanups.pop();
    raw().prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('0099_future', new Date().toISOString());
    await expect(openSqliteStore(dbPath)).rejects.toThrow(/state database .*state\.db.*0099_future/);
  });
});

describe('resources', () => {
  test('record, recorded and forget round-trip attributes as JSON', async () => {
    const store = await open();
    const attributes = {
      command: 'claude --resume',
      env: { LANG: 'fr_FR.UTF-8', GREETING: 'héllo “world” 🌍' },
      ports: [8081, 8082],
      nothing: null,
      enabled: true,
      nested: { a: { b: [{ c: 1.5 }] } },
    };
    await store.record(entry('dev1', { attributes }));
    await store.record(entry('dev2', { dependsOn: [] }));

    expect(await store.recorded()).toEqual([entry('dev1', { attributes }), entry('dev2', { dependsOn: [] })]);

    await store.forget('tmux_session.dev1');
    await store.forget('tmux_session.never-recorded');
    expect((await store.recorded()).map((r) => r.address)).toEqual(['tmux_session.dev2']);
  });

  test('recording an address again replaces it and keeps when it was first owned', async () => {
    const store = await open({ now: steppingClock() });
    await store.record(entry('dev1'));
    await store.record(entry('dev1', { specHash: 'hash-2', attributes: { command: 'codex' } }));

    expect(await store.recorded()).toEqual([entry('dev1', { specHash: 'hash-2', attributes: { command: 'codex' } })]);
    const row = raw().prepare('select created_at, updated_at from resources').get() as { created_at: string; updated_at: string };
    expect(row.created_at < row.updated_at).toBe(true);
  });

  test('record is committed when it returns: another connection sees it while the store stays open', async () => {
    const store = await open();
    const db = raw();
    await store.record(entry('dev1'));
    expect(db.prepare('select address from resources').all()).toEqual([{ address: 'tmux_session.dev1' }]);
  });

  test('recordMany writes every entry, and none when one of them fails', async () => {
    const store = await open();
    const good = Array.from({ length: 1200 }, (_, i) => entry(`s${String(i).padStart(4, '0')}`));
    await store.recordMany(good);
    expect((await store.recorded()).length).toBe(1200);

    // The bad entry sits in a later INSERT than the first 500: the whole transaction must roll back.
    const batch = Array.from({ length: 700 }, (_, i) => entry(`t${String(i).padStart(4, '0')}`));
    batch[650] = { ...entry('bad'), specHash: null as unknown as string };
    await expect(store.recordMany(batch)).rejects.toMatchObject({ message: expect.stringMatching(/NOT NULL/) });
    expect((await store.recorded()).length).toBe(1200);
  });

  test('a sensitive value that reaches the store unmasked is stored only as a digest', async () => {
    const store = await open();
    await store.record({ ...entry('dev1', { attributes: { env: { API_KEY: 'sk-live-SECRET', MODE: 'dev' } } }), sensitive: ['env.API_KEY'] });
    await store.close();
    cleanups.pop();

    const bytes = ['state.db', 'state.db-wal']
      .map((f) => path.join(path.dirname(dbPath), f))
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f).toString('latin1'))
      .join('');
    expect(bytes).not.toContain('sk-live-SECRET');
    const [stored] = await (await open()).recorded();
    expect(stored?.attributes).toEqual({ env: { API_KEY: expect.stringMatching(/^sensitive:[0-9a-f]{16}$/), MODE: 'dev' } });
  });

  // How long this takes is a figure of bench/state-store.mjs; here, that all of them come back.
  test('open + recorded() of 9,000 resources returns them all', async () => {
    const seed = await open();
    await seed.recordMany(
      Array.from({ length: 9000 }, (_, i) =>
        entry(`dev${i}`, { attributes: { command: 'claude', cwd: `worktrees/dev${i}`, env: { PORT: String(8000 + i) }, lines: [1, 2, 3] } }),
      ),
    );
    await seed.close();
    cleanups.pop();

    const store = await open();
    const all = await store.recorded();
    expect(all.length).toBe(9000);
    expect(all[8999]?.attributes).toEqual({ command: 'claude', cwd: expect.stringMatching(/^worktrees\/dev\d+$/), env: { PORT: expect.any(String) }, lines: [1, 2, 3] });
  });
});

describe('apply history', () => {
  test('an apply and its steps are kept in order, newest apply first', async () => {
    const store = await open({ now: steppingClock() });
    const first = await store.beginApply({ command: 'gaia apply', manifestHash: 'm1' });
    await store.recordStep(first, { address: 'git_worktree.dev1', action: 'create', status: 'done', argv: ['git', 'worktree', 'add', 'a b'], at: 't1' });
    await store.recordStep(first, {
      address: 'tmux_session.dev1',
      action: 'create',
      status: 'failed',
      error: 'exit 1',
      argv: ['tmux', 'new-session'],
      stderr: 'duplicate session',
      at: 't2',
    });
    await store.recordStep(first, { address: 'tmux_session.dev2', action: 'create', status: 'skipped', at: 't3' });
    await store.finishApply(first, 'failed', '1 done, 1 failed, 1 skipped');
    const second = await store.beginApply({ command: 'gaia apply --auto-approve', manifestHash: 'm2' });

    expect(second).toBeGreaterThan(first);
    const [latest, earlier] = await store.applies(10);
    expect(latest).toEqual({ id: second, startedAt: expect.any(String), status: 'running', command: 'gaia apply --auto-approve', manifestHash: 'm2' });
    expect(earlier).toEqual({
      id: first,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      status: 'failed',
      command: 'gaia apply',
      manifestHash: 'm1',
      summary: '1 done, 1 failed, 1 skipped',
    });
    expect(earlier!.startedAt < earlier!.finishedAt!).toBe(true);
    expect(await store.applies(1)).toEqual([latest]);

    expect(await store.steps(first)).toEqual([
      { address: 'git_worktree.dev1', action: 'create', status: 'done', argv: ['git', 'worktree', 'add', 'a b'], at: 't1' },
      {
        address: 'tmux_session.dev1',
        action: 'create',
        status: 'failed',
        error: 'exit 1',
        argv: ['tmux', 'new-session'],
        stderr: 'duplicate session',
        at: 't2',
      },
      { address: 'tmux_session.dev2', action: 'create', status: 'skipped', at: 't3' },
    ]);
    expect(await store.steps(second)).toEqual([]);
  });

  test('a step for an apply that does not exist is refused (foreign key)', async () => {
    const store = await open();
    await expect(store.recordStep(999, { address: 'x.y', action: 'create', status: 'done', at: 't' })).rejects.toMatchObject({ message: expect.stringMatching(/FOREIGN KEY/) });
  });
});

describe('the lock', () => {
  lockContract(open);

  test('a row left without its guard (its holder died, whatever its pid or host is now) is taken over and named; its apply becomes interrupted', async () => {
    const store = await open();
    const running = await store.beginApply({ command: 'gaia apply', manifestHash: 'h' });
    for (const [pid, host] of [[await exitedPid(), os.hostname()], [process.pid, os.hostname()], [1, `not-${os.hostname()}`]] as const) {
      raw()
        .prepare('insert into lock (id, pid, host, since, command) values (1, ?, ?, ?, ?)')
        .run(pid, host, '2026-01-01T00:00:00.000Z', 'gaia apply');
      const result = await store.acquireLock('gaia destroy', 0);
      expect(result).toMatchObject({ kind: 'acquired', tookOver: { pid, host, since: '2026-01-01T00:00:00.000Z', command: 'gaia apply' } });
      expect((await store.lockHolder())?.command).toBe('gaia destroy');
      if (result.kind === 'acquired') await result.release();
    }
    expect((await store.applies(5)).find((x) => x.id === running)?.status).toBe('interrupted');
    expect(await store.unlock(false)).toEqual({ kind: 'none' });
  });

  test('a holder killed with SIGKILL: unlock clears it without --force, and the next acquire needs nothing', async () => {
    const entry = await transpiledStore();
    const script = path.join(dir, 'hold.mjs');
    fs.writeFileSync(script, `const { openSqliteStore } = await import(${JSON.stringify(entry)});
const store = await openSqliteStore(process.argv[2]);
const r = await store.acquireLock('gaia apply', 0);
console.log(r.kind);
setInterval(() => {}, 1000);
`);
    (await open()).close();
    cleanups.pop();
    const child = spawn(process.execPath, [script, dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const store = await open();
    expect(await store.acquireLock('gaia apply', 0)).toMatchObject({ kind: 'held', holder: { pid: child.pid } });
    expect(await store.unlock(false)).toMatchObject({ kind: 'live', holder: { pid: child.pid } });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(await store.unlock(false)).toMatchObject({ kind: 'cleared', holder: { pid: child.pid } });
    expect(await store.acquireLock('gaia apply', 0)).toMatchObject({ kind: 'acquired' });
  });

  test('closing a store releases a lock it still holds', async () => {
    const a = await open();
    expect((await a.acquireLock('gaia apply', 0)).kind).toBe('acquired');
    await a.close();
    cleanups.pop();
    expect(raw().prepare('select count(*) as n from lock').get()).toEqual({ n: 0 });
  });

  test('four processes inserting the lock row at the same moment: exactly one wins', async () => {
    (await open()).close();
    cleanups.pop();
    // The very statement the store runs, compiled by kysely; each child puts its own pid in.
    const compiler = new Kysely<Database>({ dialect: new SqliteDialect({ database: async () => new BetterSqlite3(':memory:') }) });
    const { sql, parameters } = insertLock(compiler, { pid: -1, host: os.hostname(), since: 'now', command: 'child' }).compile();
    const script = path.join(dir, 'insert-lock.mjs');
    fs.writeFileSync(
      script,
      `import Database from ${JSON.stringify(pathToFileURL(BETTER_SQLITE3).href)};
const [dbPath, sql, params, startAt] = process.argv.slice(2);
const db = new Database(dbPath);
db.pragma('busy_timeout = 5000');
const values = JSON.parse(params).map((p) => (p === -1 ? process.pid : p));
const statement = db.prepare(sql);
while (Date.now() < Number(startAt)) {} // all four fire together
const { changes } = statement.run(...values);
console.log(JSON.stringify({ pid: process.pid, changes }));
db.close();
`,
    );
    const startAt = Date.now() + 700;
    const outputs = await Promise.all(
      [1, 2, 3, 4].map(() => runNode([script, dbPath, sql, JSON.stringify(parameters), String(startAt)])),
    );
    const results = outputs.map((o) => JSON.parse(o) as { pid: number; changes: number });

    const winners = results.filter((r) => r.changes === 1);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.changes === 0)).toHaveLength(3);
    expect(raw().prepare('select pid from lock').all()).toEqual([{ pid: winners[0]!.pid }]);
  });

  test('four processes opening a new state file at once all migrate it, and one takes the lock', async () => {
    const entry = await transpiledStore();
    const script = path.join(dir, 'open-and-lock.mjs');
    fs.writeFileSync(
      script,
      `const { openSqliteStore } = await import(${JSON.stringify(entry)});
const [dbPath, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {}
const store = await openSqliteStore(dbPath);
const result = await store.acquireLock('child', 0);
console.log(JSON.stringify({ pid: process.pid, kind: result.kind, holder: result.kind === 'held' ? result.holder.pid : process.pid }));
// Alive (holding what it took) until every child has tried: a holder that is gone is taken over.
setTimeout(() => process.exit(0), 3000);
`,
    );
    const startAt = Date.now() + 800;
    const outputs = await Promise.all([1, 2, 3, 4].map(() => runNode([script, dbPath, String(startAt)])));
    const results = outputs.map((o) => JSON.parse(o) as { pid: number; kind: string; holder: number });

    const winners = results.filter((r) => r.kind === 'acquired');
    expect(winners).toHaveLength(1);
    expect(results.every((r) => r.holder === winners[0]!.pid)).toBe(true);
    expect(executedMigrations(raw()).map((m) => m.name)).toEqual(MIGRATIONS);
  });
});

describe('WAL', () => {
  test('a reader reads resources while another connection holds an open write transaction', async () => {
    const store = await open();
    await store.record(entry('dev1'));
    const writer = raw();
    writer.exec('begin immediate');
    writer
      .prepare('insert into resources (address, kind, attributes, spec_hash, depends_on, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)')
      .run('tmux_session.dev2', 'tmux_session', '{}', 'h', '[]', 'now', 'now');

    const started = performance.now();
    const seen = await store.recorded();
    expect(performance.now() - started).toBeLessThan(5000); // not waiting out the 5 s busy timeout
    expect(seen.map((r) => r.address)).toEqual(['tmux_session.dev1']); // the uncommitted row is not visible

    writer.exec('commit');
    expect((await store.recorded()).map((r) => r.address)).toEqual(['tmux_session.dev1', 'tmux_session.dev2']);
  });
});

describe('tables for later features', () => {
  test('tasks are added open, filtered, delivered and completed once', async () => {
    const store = await open({ now: steppingClock() });
    const t1 = await store.addTask({ text: 'fix login', type: 'bug', env: 'dev1', session: 'dev1_worker' });
    const t2 = await store.addTask({ text: 'review PR 12' });
    expect(t1).toEqual({
      id: t1.id,
      text: 'fix login',
      type: 'bug',
      env: 'dev1',
      session: 'dev1_worker',
      status: 'open',
      createdAt: '2026-01-01T00:00:01.000Z',
      delivered: false,
    });
    expect(t2).toEqual({ id: t2.id, text: 'review PR 12', status: 'open', createdAt: '2026-01-01T00:00:02.000Z', delivered: false });

    expect(await store.markTaskDelivered(t1.id)).toBe(true);
    expect((await store.listTasks({ delivered: false })).map((t) => t.id)).toEqual([t2.id]);
    expect((await store.listTasks({ env: 'dev1' })).map((t) => t.id)).toEqual([t1.id]);

    expect(await store.completeTask(t1.id)).toBe(true);
    expect(await store.completeTask(t1.id)).toBe(false);
    expect(await store.completeTask(12345)).toBe(false);
    expect(await store.listTasks({ status: 'done' })).toEqual([
      { ...t1, status: 'done', delivered: true, doneAt: '2026-01-01T00:00:03.000Z' },
    ]);
    expect((await store.listTasks()).map((t) => t.id)).toEqual([t1.id, t2.id]);
  });

  test('reconciles are listed newest first with absent fields omitted', async () => {
    const store = await open();
    const a = await store.recordReconcile({ revision: 'abc123', startedAt: 't1', finishedAt: 't2', result: 'applied', summary: '3 changes' });
    const b = await store.recordReconcile({ startedAt: 't3', result: 'failed', error: 'git fetch failed' });
    expect(await store.reconciles(10)).toEqual([
      { id: b, startedAt: 't3', result: 'failed', error: 'git fetch failed' },
      { id: a, revision: 'abc123', startedAt: 't1', finishedAt: 't2', result: 'applied', summary: '3 changes' },
    ]);
    expect(await store.reconciles(1)).toHaveLength(1);
  });

  test('agent conversations: a fresh start replaces the record, an identifier belongs to one address, a forgotten resource takes its conversation along', async () => {
    const store = await open();
    const a = 'tmux_session.dev1_worker';
    const b = 'tmux_session.dev2_worker';
    expect(await store.agentConversations()).toEqual([]);
    await store.conversationStarted({ address: a, provider: 'claude:claude', id: 'conv-1', startedAt: 'T1' });
    await store.conversationStarted({ address: a, provider: 'claude:claude', id: 'conv-2', startedAt: 'T2' });
    await store.conversationStarted({ address: b, provider: 'codex:codex', startedAt: 'T3' });
    expect(await store.agentConversations()).toEqual([
      { address: a, provider: 'claude:claude', id: 'conv-2', startedAt: 'T2' },
      { address: b, provider: 'codex:codex', startedAt: 'T3' },
    ]);
    // Learned for b, the identifier leaves a: never two sessions on one conversation.
    await store.conversationConfirmed(b, 'codex:codex', 'conv-2');
    expect(await store.agentConversations()).toEqual([
      { address: a, provider: 'claude:claude', startedAt: 'T2' },
      { address: b, provider: 'codex:codex', id: 'conv-2', startedAt: 'T3' },
    ]);
    await store.forget(b);
    await store.forgetConversation(a);
    expect(await store.agentConversations()).toEqual([]);

    expect(await store.getValue('last_revision')).toBeUndefined();
    await store.setValue('last_revision', 'a');
    await store.setValue('last_revision', 'b');
    expect(await store.getValue('last_revision')).toBe('b');
  });
});

/** The pid of a process that has exited (pids are not reused this quickly). */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((resolve) => child.on('exit', resolve));
  return pid;
}

function runNode(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

/** The store's own source, type-stripped into a temp folder, so child processes run the real code. */
async function transpiledStore(): Promise<string> {
  const out = path.join(dir, 'compiled');
  const sources = ['src/state', 'src/state/migrations']
    .flatMap((d) => fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith('.ts')).map((f) => path.join(d, f)))
    .concat(['src/core/hash.ts', 'src/core/digest.ts', 'src/core/mask.ts', 'src/core/resource.ts', 'src/host/local/sqlite-driver.ts', 'src/host/local/write-atomic.ts', 'src/core/collections.ts']);
  for (const source of sources) {
    const { outputText } = ts.transpileModule(fs.readFileSync(path.join(ROOT, source), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    const target = path.join(out, source.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
  }
  fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'));
  return pathToFileURL(path.join(out, 'src/state/sqlite-store.js')).href;
}
