import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { plan } from '../../src/core/planner.js';
import type { Change, Plan } from '../../src/core/plan.js';
import type { Attributes, Observed, Recorded, Resource } from '../../src/core/resource.js';
import type { ApplyContext } from '../../src/providers/provider.js';
import { listBackups, restoreBackup, sha256Hex, sqliteProvider } from '../../src/providers/sqlite/index.js';
import { testDigests } from '../helpers/digests.js';
import { testHost, testSettings } from '../helpers/context.js';

const KIND = 'sqlite_database';
let root: string;
let logs: string[];

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'gaia-sqlite-'));
  mkdirSync(path.join(root, 'migrations'));
  logs = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function ctx(extra: Partial<ApplyContext> = {}): ApplyContext {
  return {
    root,
    digests: testDigests,
    host: testHost(),
    settings: testSettings(),
    allowDataLoss: false,
    force: false,
    backupDir: path.join(root, '.gaia', 'backups'),
    log: (line) => logs.push(line),
    ...extra,
  };
}

function migration(name: string, sql: string): { name: string; file: string; sha256: string } {
  const file = `migrations/${name}`;
  writeFileSync(path.join(root, file), sql);
  return { name, file, sha256: sha256Hex(readFileSync(path.join(root, file))) };
}

const INIT = 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE INDEX users_name ON users(name);\n';
const TAGS = 'CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);\nALTER TABLE users ADD COLUMN email TEXT;\n';

function db(
  migrations: readonly ReturnType<typeof migration>[],
  opts: { address?: string; path?: string; preventDestroy?: boolean } = {},
): Resource {
  return {
    kind: KIND,
    address: opts.address ?? 'sqlite_database.dev1.qa',
    attributes: { path: opts.path ?? 'envs/dev1/data/qa.db', migrations, preventDestroy: opts.preventDestroy ?? false },
    dependsOn: [],
  };
}

const recordOf = (r: Resource, attributes: Attributes = r.attributes): Recorded => ({
  kind: r.kind,
  address: r.address,
  attributes,
  specHash: 'h',
  dependsOn: [],
});

async function observe(desired: readonly Resource[], recorded: readonly Recorded[]): Promise<readonly Observed[]> {
  return (await sqliteProvider.observe({ desired, recorded }, ctx())).observed;
}

async function planFor(desired: readonly Resource[], recorded: readonly Recorded[]): Promise<Plan> {
  const observed = await observe(desired, recorded);
  return plan({
    digests: testDigests,
    desired,
    observed,
    recorded,
    specs: sqliteProvider.kinds,
    manifest: { path: 'orchestration.yaml', hash: 'x' },
    now: '2025-01-01T00:00:00.000Z',
  });
}

function only(p: Plan): Change {
  expect(p.changes).toHaveLength(1);
  return p.changes[0]!;
}

async function apply(change: Change, extra: Partial<ApplyContext> = {}) {
  const [outcome] = await sqliteProvider.apply([change], ctx(extra));
  return outcome!;
}

const abs = (rel = 'envs/dev1/data/qa.db') => path.join(root, rel);

function withDb<T>(fn: (d: Database.Database) => T, rel?: string): T {
  const d = new Database(abs(rel));
  try {
    return fn(d);
  } finally {
    d.close();
  }
}

/** Everything a migration could have touched: schema, rows, bookkeeping, user_version. */
function snapshot(rel?: string) {
  return withDb((d) => {
    const master = d.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all() as { name: string; type: string }[];
    const rows = Object.fromEntries(
      master.filter((m) => m.type === 'table').map((m) => [m.name, d.prepare(`SELECT * FROM "${m.name}"`).all()]),
    );
    return { master, rows, userVersion: d.pragma('user_version', { simple: true }) };
  }, rel);
}

async function createWith(r: Resource): Promise<void> {
  const outcome = await apply(only(await planFor([r], [])));
  expect(outcome).toEqual(expect.objectContaining({ status: 'done' }));
}

describe('sqlite_database provider on real files', () => {
  test('create applies every migration in one go, records them, leaves no temp files, and the next plan is a no-op', async () => {
    const r = db([migration('001_init.sql', INIT), migration('002_tags.sql', TAGS)]);
    const change = only(await planFor([r], []));
    expect(change.action).toBe('create');
    expect(sqliteProvider.steps(change, ctx())).toEqual([
      { address: r.address, description: 'create envs/dev1/data/qa.db, apply 001_init.sql, 002_tags.sql (one transaction)' },
    ]);
    // What a create killed half-way would have left behind.
    mkdirSync(path.dirname(abs()), { recursive: true });
    writeFileSync(`${abs()}.gaia-new-deadbeef`, 'half-built');
    expect(await apply(change)).toMatchObject({ status: 'done', notes: ['applied 001_init.sql, 002_tags.sql'] });

    const [o] = await observe([r], [recordOf(r)]);
    expect(o!.attributes).toMatchObject({
      corrupt: false,
      migrationsTable: true,
      applied: [{ name: '001_init.sql' }, { name: '002_tags.sql' }],
      userVersion: 2,
      tables: [{ name: 'tags', rows: 0 }, { name: 'users', rows: 0 }],
      rows: 0,
    });
    expect(only(await planFor([r], [recordOf(r)])).action).toBe('noop');
    // Built beside its final path and renamed in: no leftovers, the stale half-built one removed.
    expect(readdirSync(path.dirname(abs()))).toEqual(['qa.db']);
  });

  test('a migration added later plans an update and apply runs only the new one, keeping rows', async () => {
    const init = migration('001_init.sql', INIT);
    const v1 = db([init]);
    await createWith(v1);
    withDb((d) => d.prepare("INSERT INTO users (name) VALUES ('ada'), ('grace')").run());
    const firstRun = withDb((d) => d.prepare('SELECT applied_at FROM _gaia_migrations').get());

    const v2 = db([init, migration('002_tags.sql', TAGS)]);
    const change = only(await planFor([v2], [recordOf(v1)]));
    expect(change.action).toBe('update');
    expect(change.reasons).toEqual([{ code: 'migrations_pending', text: '1 new migration: 002_tags.sql' }]);
    expect((await sqliteProvider.steps(change, ctx()))[0]!.description).toBe(
      'apply 002_tags.sql to envs/dev1/data/qa.db (one transaction)',
    );

    expect(await apply(change)).toMatchObject({ status: 'done', notes: ['applied 002_tags.sql'] });
    withDb((d) => {
      expect(d.prepare('SELECT name FROM users ORDER BY id').all()).toEqual([{ name: 'ada' }, { name: 'grace' }]);
      expect(d.prepare('SELECT name FROM _gaia_migrations ORDER BY rowid').all()).toEqual([
        { name: '001_init.sql' },
        { name: '002_tags.sql' },
      ]);
      // 001 was not run again: its record is untouched.
      expect(d.prepare("SELECT applied_at FROM _gaia_migrations WHERE name = '001_init.sql'").get()).toEqual(firstRun);
      expect(d.pragma('user_version', { simple: true })).toBe(2);
      expect(d.prepare("SELECT count(*) AS n FROM pragma_table_info('users') WHERE name = 'email'").get()).toEqual({ n: 1 });
    });
    expect(only(await planFor([v2], [recordOf(v2)])).action).toBe('noop');
  });

  test('a failing migration fails the change, names the file and SQLite error, and leaves the database exactly as it was', async () => {
    const init = migration('001_init.sql', INIT);
    await createWith(db([init]));
    withDb((d) => d.prepare("INSERT INTO users (name) VALUES ('ada')").run());
    const before = snapshot();

    // Good statements first, so a partial apply would be visible.
    const bad = migration('002_bad.sql', "CREATE TABLE extra (x);\nINSERT INTO users (name) VALUES ('eve');\nSELECT * FROM nope;\n");
    const change = only(await planFor([db([init, bad])], [recordOf(db([init]))]));
    const outcome = await apply(change);
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatch(/migrations\/002_bad\.sql failed: no such table: nope/);
    expect(snapshot()).toEqual(before);
  });

  test('a migration file changed between plan and apply is refused with both hashes named', async () => {
    const init = migration('001_init.sql', INIT);
    await createWith(db([init]));
    const tags = migration('002_tags.sql', TAGS);
    const change = only(await planFor([db([init, tags])], [recordOf(db([init]))]));
    writeFileSync(abs('migrations/002_tags.sql'), `${TAGS}-- edited\n`);
    const before = snapshot();
    const outcome = await apply(change);
    expect(outcome.status === 'failed' && outcome.error).toMatch(/migration migrations\/002_tags\.sql changed since the plan .*run gaia plan again/);
    expect(snapshot()).toEqual(before);
  });

  test('a migration edited after it ran plans a replace whose hazard counts the rows', async () => {
    const init = migration('001_init.sql', INIT);
    const v1 = db([init]);
    await createWith(v1);
    withDb((d) => d.prepare("INSERT INTO users (name) VALUES ('a'), ('b')").run());
    const edited = db([migration('001_init.sql', `${INIT}CREATE TABLE more (x);\n`)]);
    const change = only(await planFor([edited], [recordOf(v1)]));
    expect(change.action).toBe('replace');
    expect(change.reasons).toEqual([{ code: 'migration_changed', text: 'migration 001_init.sql was edited after it ran' }]);
    expect(change.hazards).toEqual([{ code: 'data_loss', text: 'deletes 2 rows in 1 table' }]);
  });

  test('deleting a database with rows is refused without allowDataLoss and the file stays', async () => {
    const r = db([migration('001_init.sql', INIT)]);
    await createWith(r);
    withDb((d) => d.prepare("INSERT INTO users (name) VALUES ('ada'), ('grace'), ('linus')").run());
    const change = only(await planFor([], [recordOf(r)]));
    expect(change).toMatchObject({ action: 'delete', hazards: [{ code: 'data_loss', text: 'deletes 3 rows in 1 table' }] });
    const outcome = await apply(change);
    expect(outcome.status === 'failed' && outcome.error).toMatch(/holds 3 rows in 1 table; pass --allow-data-loss/);
    expect(existsSync(abs())).toBe(true);
    expect(listBackups(ctx().host.files, ctx().backupDir)).toEqual([]);
  });

  test('with allowDataLoss a backup is taken first, the files removed, and restoreBackup brings the rows back', async () => {
    const r = db([migration('001_init.sql', INIT)]);
    await createWith(r);
    withDb((d) => {
      d.pragma('journal_mode = WAL');
      d.prepare("INSERT INTO users (name) VALUES ('ada'), ('grace')").run();
    });
    const change = only(await planFor([], [recordOf(r)]));
    expect((await sqliteProvider.steps(change, ctx()))[0]!.description).toBe(
      `back up to ${path.join(ctx().backupDir, 'sqlite_database.dev1.qa-<timestamp>.db')}, then delete envs/dev1/data/qa.db (deletes 2 rows in 1 table)`,
    );
    expect(await apply(change, { allowDataLoss: true })).toEqual({ status: 'done' });

    expect(readdirSync(path.dirname(abs()))).toEqual([]); // db, -wal and -shm all gone
    const backups = listBackups(ctx().host.files, ctx().backupDir);
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatchObject({ address: 'sqlite_database.dev1.qa' });
    expect(backups[0]!.path).toMatch(/sqlite_database\.dev1\.qa-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.db$/);
    expect(logs).toEqual([expect.stringContaining(backups[0]!.path)]);

    expect(await restoreBackup(ctx().host, backups[0]!.path, abs())).toEqual({ kind: 'restored', path: abs(), tables: 1, rows: 2 });
    withDb((d) => expect(d.prepare('SELECT name FROM users ORDER BY id').all()).toEqual([{ name: 'ada' }, { name: 'grace' }]));
    // The restored file is the owned database again: nothing to do.
    expect(only(await planFor([r], [recordOf(r)])).action).toBe('noop');
  });

  test('restoreBackup refuses a backup that is not a database, and an existing target without overwrite', async () => {
    writeFileSync(path.join(root, 'junk.db'), 'this is not sqlite at all, just text that is long enough'.repeat(20));
    const junk = await restoreBackup(ctx().host, path.join(root, 'junk.db'), path.join(root, 'out.db'));
    expect(junk).toMatchObject({ kind: 'refused', error: expect.stringMatching(/not a valid database/) });
    expect(existsSync(path.join(root, 'out.db'))).toBe(false);

    await createWith(db([migration('001_init.sql', INIT)]));
    writeFileSync(path.join(root, 'taken.db'), 'x');
    const taken = await restoreBackup(ctx().host, abs(), path.join(root, 'taken.db'));
    expect(taken).toMatchObject({ kind: 'refused', error: expect.stringMatching(/exists/) });
    expect(readFileSync(path.join(root, 'taken.db'), 'utf8')).toBe('x');
  });

  test('preventDestroy refuses delete and replace even with allowDataLoss', async () => {
    const init = migration('001_init.sql', INIT);
    const r = db([init], { preventDestroy: true });
    await createWith(r);
    const del = only(await planFor([], [recordOf(r)]));
    expect(del.hazards).toContainEqual(expect.objectContaining({ code: 'prevent_destroy' }));
    expect(await apply(del, { allowDataLoss: true })).toMatchObject({ status: 'failed', error: expect.stringMatching(/preventDestroy/) });

    const edited = db([migration('001_init.sql', `${INIT}-- changed\n`)], { preventDestroy: true });
    const rep = only(await planFor([edited], [recordOf(r)]));
    expect(rep.action).toBe('replace');
    expect(await apply(rep, { allowDataLoss: true })).toMatchObject({ status: 'failed', error: expect.stringMatching(/preventDestroy/) });
    expect(existsSync(abs())).toBe(true);
  });

  test('a file that is not a database is observed as corrupt with the error, without throwing', async () => {
    const r = db([migration('001_init.sql', INIT)]);
    mkdirSync(path.dirname(abs()), { recursive: true });
    writeFileSync(abs(), Buffer.alloc(4096, 7));
    const [o] = await observe([r], [recordOf(r)]);
    expect(o!.attributes).toMatchObject({ corrupt: true, error: expect.stringMatching(/not a database/) });
    const change = only(await planFor([r], [recordOf(r)]));
    expect(change).toMatchObject({ action: 'replace', reasons: [{ code: 'corrupt' }] });
    // The corrupt bytes are kept before the file is replaced by a fresh database.
    expect(await apply(change)).toMatchObject({ status: 'failed', error: expect.stringMatching(/corrupt .*--allow-data-loss/) });
    expect(await apply(change, { allowDataLoss: true })).toMatchObject({ status: 'done' });
    expect(readdirSync(ctx().backupDir)).toEqual([expect.stringMatching(/\.corrupt$/)]);
    expect(withDb((d) => d.prepare('SELECT count(*) AS n FROM users').get())).toEqual({ n: 0 });
  });

  test('a database locked by a writer is unreadable, not corrupt: warned about, left alone, and never deleted', async () => {
    const r = db([migration('001_init.sql', INIT)]);
    await createWith(r);
    const writer = new Database(abs());
    writer.exec("BEGIN EXCLUSIVE; INSERT INTO users (name) VALUES ('in flight')");
    try {
      const result = await sqliteProvider.observe({ desired: [r], recorded: [recordOf(r)] }, ctx());
      expect(result.observed[0]!.attributes).toMatchObject({ state: 'unreadable', corrupt: false, error: 'database is locked' });
      expect(result.warnings).toEqual([expect.objectContaining({ code: 'database_unreadable', address: r.address })]);
      const del = only(await planFor([], [recordOf(r)]));
      expect(await apply(del, { allowDataLoss: true })).toMatchObject({ status: 'failed', error: expect.stringMatching(/cannot read .*will not delete/) });
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    expect(existsSync(abs())).toBe(true);
  });

  test('a WAL database in use by an app is read without disturbing it, counting rows still in the WAL', async () => {
    const r = db([migration('001_init.sql', INIT)]);
    await createWith(r);
    const app = new Database(abs());
    try {
      app.pragma('journal_mode = WAL');
      app.pragma('wal_autocheckpoint = 0');
      app.prepare("INSERT INTO users (name) VALUES ('a'), ('b'), ('c')").run();
      expect(existsSync(`${abs()}-wal`)).toBe(true);
      const [o] = await observe([r], [recordOf(r)]);
      expect(o!.attributes).toMatchObject({ state: 'ok', rows: 3 });
      app.prepare("INSERT INTO users (name) VALUES ('d')").run(); // the app keeps writing
    } finally {
      app.close();
    }
    withDb((d) => expect(d.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 4 }));
  });

  test('an unowned database with the expected schema is adopted; one with another schema is a conflict', async () => {
    const r = db([migration('001_init.sql', INIT)]);
    mkdirSync(path.dirname(abs()), { recursive: true });
    // Same schema written by hand, with other whitespace and quoting.
    withDb((d) => {
      d.exec('create table "users" ( id integer primary key,  name text not null );\n  create index users_name on users (name)');
      d.prepare("INSERT INTO users (name) VALUES ('kept')").run();
    });
    const adopt = only(await planFor([r], []));
    expect(adopt).toMatchObject({ action: 'adopt', reasons: [{ code: 'schema_matches', text: 'existing database has the expected schema' }] });

    withDb((d) => d.exec('CREATE TABLE other (x)'));
    const p = await planFor([r], []);
    expect(p.changes).toEqual([]);
    expect(p.conflicts).toEqual([
      expect.objectContaining({
        address: r.address,
        text: 'a database exists at envs/dev1/data/qa.db with a different schema; gaia did not create it',
      }),
    ]);
  });

  test('an adopted database without gaia bookkeeping is baselined, not migrated again', async () => {
    const init = migration('001_init.sql', INIT);
    const r = db([init]);
    mkdirSync(path.dirname(abs()), { recursive: true });
    withDb((d) => {
      d.exec(INIT);
      d.prepare("INSERT INTO users (name) VALUES ('kept')").run();
    });
    expect(only(await planFor([r], [])).action).toBe('adopt');
    // After adoption the state store owns it; the next plan records the migrations as applied.
    const change = only(await planFor([r], [recordOf(r)]));
    expect(change).toMatchObject({ action: 'update', reasons: [{ code: 'baseline' }] });
    expect(await apply(change)).toMatchObject({ status: 'done' });
    withDb((d) => {
      expect(d.prepare('SELECT name FROM _gaia_migrations').all()).toEqual([{ name: '001_init.sql' }]);
      expect(d.prepare('SELECT name FROM users').all()).toEqual([{ name: 'kept' }]);
    });
    expect(only(await planFor([r], [recordOf(r)])).action).toBe('noop');
  });

  test('observes 1,500 databases in-process, spawning nothing (the time is a figure of bench/sqlite-observe.mjs)', async () => {
    const init = migration('001_init.sql', INIT);
    const template = db([init], { path: 'template.db' });
    await createWith(template);
    withDb((d) => d.prepare("INSERT INTO users (name) VALUES ('a'), ('b')").run(), 'template.db');
    const desired: Resource[] = [];
    for (let i = 0; i < 1500; i++) {
      const r = db([init], { address: `sqlite_database.dev${i}.qa`, path: `envs/dev${i}.qa.db` });
      desired.push(r);
    }
    mkdirSync(path.join(root, 'envs'), { recursive: true });
    for (let i = 0; i < 1500; i++) copyFileSync(abs('template.db'), abs(`envs/dev${i}.qa.db`));
    const recorded = desired.map((r) => recordOf(r));
    const c = ctx();

    const observe = (rec: readonly Recorded[]) => sqliteProvider.observe({ desired, recorded: rec }, c);
    const owned = await observe(recorded);
    const unowned = await observe([]);

    expect(owned.observed).toHaveLength(1500);
    expect(owned.observed.every((o) => o.attributes.rows === 2)).toBe(true);
    expect(unowned.observed.every((o) => o.attributes.schemaMatches === true)).toBe(true);
    expect(c.host.spawned).toBe(0);
    // The time (target 500 ms) is bench/sqlite-observe.mjs's figure, not a bound here: a loaded
    // machine is slow, not wrong. What would make it slow by design, a process per database, is counted.
  });
});
