/** The state store on a real PostgreSQL 15 server (test/helpers/postgres.ts): the same migrations and
 *  contract as on SQLite (records, history, tasks, conversations, the project's values), the lock's
 *  advisory guard against other connections, and the errors a user can meet, with the password masked. */
import pg from 'pg';
import { APPLY_LOCK_KEY } from '../../src/state/postgres-guard.js';
import { openPostgresStore } from '../../src/state/postgres-store.js';
import type { KyselyStateStore } from '../../src/state/kysely-store.js';
import { StateUnavailable } from '../../src/state/unavailable.js';
import { freePort, PG_PASSWORD, startPostgres, type PgServer } from '../helpers/postgres.js';
import { lockContract } from '../helpers/lock-contract.js';
import { entry, steppingClock } from '../helpers/store-fixtures.js';

const MIGRATIONS = ['0001_initial', '0002_features', '0003_agent_conversations'];

let server: PgServer;
let url: string;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  server = await startPostgres({ tls: true });
}, 60_000);
afterAll(async () => server?.stop());

beforeEach(async () => {
  url = await server.database();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(options: Parameters<typeof openPostgresStore>[1] = {}): Promise<KyselyStateStore> {
  const store = await openPostgresStore(url, options);
  cleanups.push(() => store.close());
  return store;
}

describe('migrations', () => {
  test('a new database gets every migration once; reopening (two stores at once) runs none again and keeps the data', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    await a.record(entry('dev1'));
    expect((await server.query<{ name: string }>(url, 'SELECT name FROM kysely_migration ORDER BY name')).map((r) => r.name)).toEqual(MIGRATIONS);
    const again = await open();
    expect(await again.recorded()).toEqual([entry('dev1')]);
    expect(await b.recorded()).toEqual([entry('dev1')]);
    expect(await server.query(url, 'SELECT count(*)::int AS n FROM kysely_migration')).toEqual([{ n: 3 }]);
  });
});

describe('records', () => {
  test('round-trip as JSON, ordered byte by byte as on SQLite; a replace keeps when it was first owned; forget', async () => {
    const store = await open({ now: steppingClock() });
    const attributes = { command: 'claude --resume', env: { GREETING: 'héllo “world” 🌍' }, ports: [8081], nothing: null, nested: { a: [{ b: 1.5 }] } };
    // "C" order: upper case before lower, '_' (0x5f) before 'a'; a linguistic order would differ.
    for (const name of ['dev_b', 'Dev', 'deva']) await store.record(entry(name, { attributes }));
    expect((await store.recorded()).map((r) => r.address)).toEqual(['tmux_session.Dev', 'tmux_session.dev_b', 'tmux_session.deva']);
    await store.record(entry('deva', { specHash: 'hash-2' }));
    const [row] = await server.query<{ created_at: string; updated_at: string }>(url, "SELECT created_at, updated_at FROM resources WHERE address = 'tmux_session.deva'");
    expect(row!.created_at < row!.updated_at).toBe(true);
    expect((await store.recordedOfKind('tmux_session')).find((r) => r.address === 'tmux_session.deva')).toEqual(entry('deva', { specHash: 'hash-2' }));
    await store.forget('tmux_session.Dev');
    expect((await store.recorded()).map((r) => r.address)).toEqual(['tmux_session.dev_b', 'tmux_session.deva']);
    expect((await store.recorded())[0]?.attributes).toEqual(attributes);
  });

  test('recordMany writes all or none', async () => {
    const store = await open();
    await store.recordMany(Array.from({ length: 1200 }, (_, i) => entry(`s${String(i).padStart(4, '0')}`)));
    const batch = Array.from({ length: 700 }, (_, i) => entry(`t${String(i).padStart(4, '0')}`));
    batch[650] = { ...entry('bad'), specHash: null as unknown as string };
    await expect(store.recordMany(batch)).rejects.toMatchObject({ message: expect.stringMatching(/null value/i) });
    expect((await store.recorded()).length).toBe(1200);
  });
});

describe('apply history', () => {
  test('applies newest first with their steps in order; a step of no apply is refused (foreign key)', async () => {
    const store = await open({ now: steppingClock() });
    const first = await store.beginApply({ command: 'gaia apply', manifestHash: 'm1' });
    await store.landed(first, {
      record: [entry('dev1')],
      forget: [],
      steps: [
        { address: 'git_worktree.dev1', action: 'create', status: 'done', argv: ['git', 'worktree', 'add', 'a b'], at: 't1' },
        { address: 'tmux_session.dev1', action: 'create', status: 'failed', error: 'exit 1', stderr: 'duplicate', at: 't2' },
      ],
    });
    await store.recordStep(first, { address: 'tmux_session.dev2', action: 'create', status: 'skipped', at: 't3' });
    await store.finishApply(first, 'failed', '1 done, 1 failed, 1 skipped');
    const second = await store.beginApply({ command: 'gaia destroy', manifestHash: 'm2' });
    expect(second).toBeGreaterThan(first);
    expect(await store.applies(10)).toEqual([
      { id: second, startedAt: expect.any(String), status: 'running', command: 'gaia destroy', manifestHash: 'm2' },
      { id: first, startedAt: expect.any(String), finishedAt: expect.any(String), status: 'failed', command: 'gaia apply', manifestHash: 'm1', summary: '1 done, 1 failed, 1 skipped' },
    ]);
    expect(await store.steps(first)).toEqual([
      { address: 'git_worktree.dev1', action: 'create', status: 'done', argv: ['git', 'worktree', 'add', 'a b'], at: 't1' },
      { address: 'tmux_session.dev1', action: 'create', status: 'failed', error: 'exit 1', stderr: 'duplicate', at: 't2' },
      { address: 'tmux_session.dev2', action: 'create', status: 'skipped', at: 't3' },
    ]);
    expect(await store.recorded()).toEqual([entry('dev1')]);
    await expect(store.recordStep(999, { address: 'x.y', action: 'create', status: 'done', at: 't' })).rejects.toMatchObject({ message: expect.stringMatching(/foreign key/i) });
    expect(await store.backUp()).toBeUndefined(); // a server keeps its own backups
  });
});

describe('the lock', () => {
  lockContract(open);

  test('a second hold in the same store is refused too: each hold is a connection of its own', async () => {
    const a = await open();
    const taken = await a.acquireLock('gaia apply', 0);
    if (taken.kind !== 'acquired') throw new Error('expected the lock');
    expect((await a.acquireLock('gaia apply', 0)).kind).toBe('held');
    await taken.release();
  });

  test('a holder on another machine (another connection holding the advisory lock) is never stolen; once its connection dies, its lock is taken over and named, its apply interrupted', async () => {
    const store = await open();
    const running = await store.beginApply({ command: 'gaia apply', manifestHash: 'h' });
    const other = new pg.Client({ connectionString: url });
    other.on('error', () => undefined);
    await other.connect();
    cleanups.push(() => other.end().catch(() => undefined));
    const { rows } = await other.query<{ pid: number }>('SELECT pg_try_advisory_lock($1) AS taken, pg_backend_pid() AS pid', [APPLY_LOCK_KEY.toString()]);
    await other.query("INSERT INTO lock (id, pid, host, since, command) VALUES (1, 4242, 'far-away', '2026-01-01T00:00:00.000Z', 'gaia apply')");

    expect(await store.acquireLock('gaia destroy', 200)).toEqual({ kind: 'held', holder: { pid: 4242, host: 'far-away', since: '2026-01-01T00:00:00.000Z', command: 'gaia apply' } });
    expect(await store.unlock(false)).toMatchObject({ kind: 'live', holder: { host: 'far-away' } });

    // The holder's machine is gone: the server ends its connection (as it does on a dead socket).
    await server.query(url, 'SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    const result = await store.acquireLock('gaia destroy', 5000);
    expect(result).toMatchObject({ kind: 'acquired', tookOver: { pid: 4242, host: 'far-away', command: 'gaia apply' } });
    expect((await store.lockHolder())?.command).toBe('gaia destroy');
    expect((await store.applies(5)).find((x) => x.id === running)?.status).toBe('interrupted');
  });

  test('a lock whose connection ends under its holder says so (lost), so the holder starts nothing new; releasing it normally does not', async () => {
    const store = await open();
    const result = await store.acquireLock('gaia apply', 0);
    if (result.kind !== 'acquired') throw new Error('not acquired');
    expect(result.lost?.aborted).toBe(false);
    const [holder] = await server.query<{ pid: number }>(url, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted");
    await server.query(url, 'SELECT pg_terminate_backend($1)', [holder!.pid]);
    for (let i = 0; i < 100 && !result.lost?.aborted; i++) await new Promise((r) => setTimeout(r, 50));
    expect([result.lost?.aborted, (result.lost?.reason as Error | undefined)?.message]).toEqual([true, 'the connection holding the lock ended']);
    await result.release();

    const again = await store.acquireLock('gaia apply', 0);
    if (again.kind !== 'acquired') throw new Error('not acquired');
    await again.release();
    expect(again.lost?.aborted).toBe(false);
  });

  test('closing a store releases a lock it still holds (row and advisory lock)', async () => {
    const a = await open();
    expect((await a.acquireLock('gaia apply', 0)).kind).toBe('acquired');
    await a.close();
    cleanups.pop();
    expect(await server.query(url, 'SELECT count(*)::int AS n FROM lock')).toEqual([{ n: 0 }]);
    expect(await server.query(url, "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'")).toEqual([{ n: 0 }]);
  });
});

describe('tables for later features', () => {
  test('tasks, reconciles, agent conversations and values behave as on SQLite', async () => {
    const store = await open({ now: steppingClock() });
    const t1 = await store.addTask({ text: 'fix login', type: 'bug', env: 'dev1', session: 'dev1_worker' });
    const t2 = await store.addTask({ text: 'review PR 12' });
    expect(t1).toEqual({ id: t1.id, text: 'fix login', type: 'bug', env: 'dev1', session: 'dev1_worker', status: 'open', createdAt: '2026-01-01T00:00:01.000Z', delivered: false });
    expect(await store.markTaskDelivered(t1.id)).toBe(true);
    expect((await store.listTasks({ delivered: false })).map((t) => t.id)).toEqual([t2.id]);
    expect(await store.completeTask(t1.id)).toBe(true);
    expect(await store.completeTask(t1.id)).toBe(false);
    expect(await store.listTasks({ status: 'done' })).toEqual([{ ...t1, status: 'done', delivered: true, doneAt: '2026-01-01T00:00:03.000Z' }]);

    const r = await store.recordReconcile({ revision: 'abc', startedAt: 't1', result: 'applied' });
    expect(await store.reconciles(5)).toEqual([{ id: r, revision: 'abc', startedAt: 't1', result: 'applied' }]);

    const a = 'tmux_session.dev1_worker';
    const b = 'tmux_session.dev2_worker';
    await store.conversationStarted({ address: a, provider: 'claude:claude', id: 'conv-1', startedAt: 'T1' });
    await store.conversationStarted({ address: b, provider: 'codex:codex', startedAt: 'T3' });
    await store.conversationConfirmed(b, 'codex:codex', 'conv-1');
    expect(await store.agentConversations()).toEqual([
      { address: a, provider: 'claude:claude', startedAt: 'T1' },
      { address: b, provider: 'codex:codex', id: 'conv-1', startedAt: 'T3' },
    ]);
    await store.forget(b);
    expect((await store.agentConversations()).map((c) => c.address)).toEqual([a]);

    expect(await store.getValue('project')).toBeUndefined();
    await store.setValue('project', 'a');
    await store.setValue('project', 'b');
    expect(await store.getValue('project')).toBe('b');
  });
});

describe('TLS', () => {
  const withCa = async <T>(file: string | undefined, fn: () => Promise<T>): Promise<T> => {
    const before = process.env.NODE_EXTRA_CA_CERTS;
    if (file === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = file;
    try {
      return await fn();
    } finally {
      if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = before;
    }
  };
  const encrypted = async (store: KyselyStateStore): Promise<boolean> => {
    // The store's own connections: a hold of the lock is one of them.
    const held = await store.acquireLock('gaia apply', 0);
    if (held.kind !== 'acquired') throw new Error('expected the lock');
    const rows = await server.query<{ ssl: boolean }>(url, "SELECT ssl FROM pg_stat_ssl JOIN pg_locks USING (pid) WHERE locktype = 'advisory'");
    await held.release();
    return rows[0]?.ssl === true;
  };

  test('sslmode=verify-full trusts the CA of NODE_EXTRA_CA_CERTS, and without it names the failed check; sslmode=disable stays plain', async () => {
    const verified = `${url}?sslmode=verify-full`;
    const store = await withCa(server.caFile, () => openPostgresStore(verified));
    cleanups.push(() => store.close());
    expect(await withCa(server.caFile, () => encrypted(store))).toBe(true);

    const untrusted = await withCa(undefined, () => openPostgresStore(verified).then(() => undefined, (e: unknown) => e));
    expect(untrusted).toBeInstanceOf(StateUnavailable);
    expect((untrusted as Error).message).toMatch(/self[- ]signed certificate|unable to verify/);
    expect((untrusted as Error).message).not.toContain(PG_PASSWORD);

    const plain = await openPostgresStore(`${url}?sslmode=disable`);
    cleanups.push(() => plain.close());
    expect(await encrypted(plain)).toBe(false);
  });
});

describe('errors a user meets', () => {
  test('a server that stops taking connections in the middle of a command is named, not an internal error', async () => {
    const store = await open();
    await store.record(entry('dev1'));
    const db = url.split('/').at(-1)!;
    const admin = url.replace(/\/gaia_\w+$/, '/postgres');
    await server.query(admin, `ALTER DATABASE "${db}" ALLOW_CONNECTIONS false`);
    await server.query(admin, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [db]);
    try {
      const error: unknown = await store.recorded().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(StateUnavailable);
      expect((error as Error).message).toMatch(/^cannot open the state database postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/gaia_\w+: .*(not currently accepting connections|terminat)/);
    } finally {
      await server.query(admin, `ALTER DATABASE "${db}" ALLOW_CONNECTIONS true`);
    }
  });

  const refused = async (target: string): Promise<StateUnavailable> => {
    const error: unknown = await openPostgresStore(target).then(
      async (s) => {
        await s.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateUnavailable);
    const unavailable = error as StateUnavailable;
    expect(`${unavailable.message} ${unavailable.hint}`).not.toContain(PG_PASSWORD);
    return unavailable;
  };

  test('a server nobody listens on, a wrong password, a missing database and a malformed URL are named with the password masked', async () => {
    const port = await freePort();
    const down = await refused(`postgres://gaia:${PG_PASSWORD}@127.0.0.1:${port}/state`);
    expect(down.message).toBe(`cannot open the state database postgres://gaia:***@127.0.0.1:${port}/state: connect ECONNREFUSED 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(down.hint).toMatch(/server runs/);

    const badLogin = await refused(url.replace(PG_PASSWORD, 'wrong'));
    expect(badLogin.message).toMatch(/postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/gaia_\w+: password authentication failed for user "postgres" \(28P01\)/);

    const missing = await refused(url.replace(/\/gaia_\w+$/, '/no_such_db'));
    expect(missing.message).toMatch(/database "no_such_db" does not exist \(3D000\)/);

    const malformed = await refused(`postgres://gaia:${PG_PASSWORD}@`);
    expect(malformed.message).toMatch(/^cannot open the state database postgres:\/\/gaia:\*\*\*@: it is not a PostgreSQL URL/);
  });
});
