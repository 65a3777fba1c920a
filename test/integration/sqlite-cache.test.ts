/** Observing unchanged databases from the inspection cache, on real SQLite files: a kept inspection
 *  is used only while the file (and its write-ahead log) keeps its stamp; any write, a replaced file
 *  or a write just before the read means the file is read again. Health's passed quick checks are
 *  kept the same way; failed ones never are. */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Resource } from '../../src/core/resource.js';
import type { Model } from '../../src/manifest/model.js';
import { probeHealth } from '../../src/ops/health-probe.js';
import type { StatusReport } from '../../src/ops/status-model.js';
import { sqliteProvider } from '../../src/providers/sqlite/index.js';
import { testDigests } from '../helpers/digests.js';
import { testHost, testSettings } from '../helpers/context.js';

let root: string;
let cacheDir: string;
const REL = 'data/dev.db';
let abs: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'gaia-sqlite-cache-'));
  cacheDir = path.join(root, '.gaia', 'cache');
  abs = path.join(root, REL);
  mkdirSync(path.dirname(abs), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const desired: Resource = { kind: 'sqlite_database', address: 'sqlite_database.dev1.dev', attributes: { path: REL, migrations: [], preventDestroy: false }, dependsOn: [] };
const cacheFile = () => path.join(cacheDir, 'sqlite-inspections.json');
const cached = (): Record<string, { stamp: string; found: { rows: number } }> => JSON.parse(readFileSync(cacheFile(), 'utf8')).entries;

async function rows(): Promise<number> {
  const { observed } = await sqliteProvider.observe({ desired: [desired], recorded: [] }, { root, host: testHost(), settings: testSettings({ cacheDir }), digests: testDigests });
  return Number(observed[0]!.attributes.rows);
}

/** A database with `n` rows, its times moved a minute back (older than the racy window). */
function makeDb(n: number, file = abs): void {
  const db = new Database(file);
  db.exec('CREATE TABLE t (x INTEGER)');
  for (let i = 0; i < n; i++) db.prepare('INSERT INTO t VALUES (?)').run(i);
  db.close();
  age(file);
}
const age = (file: string) => utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

/** Proof that an answer came from the cache and not the file: a row count the file does not have. */
function plant(count: number): void {
  const data = JSON.parse(readFileSync(cacheFile(), 'utf8'));
  data.entries[abs].found.rows = count;
  writeFileSync(cacheFile(), JSON.stringify(data));
}

test('an unchanged database is answered from the cache without opening it', async () => {
  makeDb(3);
  expect(await rows()).toBe(3);
  expect(cached()[abs]!.found.rows).toBe(3);
  plant(999);
  expect(await rows()).toBe(999);
});

test('a write (rollback journal) changes the stamp: the file is read again', async () => {
  makeDb(3);
  expect(await rows()).toBe(3);
  plant(999);
  const db = new Database(abs);
  db.prepare('INSERT INTO t VALUES (42)').run();
  db.close();
  expect(await rows()).toBe(4);
});

test('a write that only reached the write-ahead log is seen too', async () => {
  const db = new Database(abs);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (x INTEGER)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  age(abs);
  age(`${abs}-wal`);
  expect(await rows()).toBe(0);
  plant(999);
  expect(await rows()).toBe(999); // still cached: nothing written
  db.prepare('INSERT INTO t VALUES (1)').run(); // into the -wal; the main file is untouched
  expect(await rows()).toBe(1);
  db.close();
});

test('another file moved into the same path is read, not taken for the old one', async () => {
  makeDb(3);
  expect(await rows()).toBe(3);
  plant(999);
  const other = path.join(root, 'data', 'other.db');
  makeDb(7, other);
  renameSync(other, abs);
  age(abs);
  expect(await rows()).toBe(7);
});

test('a database written just before it was read is not kept (its times may not move on the next write)', async () => {
  const db = new Database(abs);
  db.exec('CREATE TABLE t (x INTEGER)');
  db.close();
  expect(await rows()).toBe(0);
  expect(cached()[abs]).toBeUndefined();
});

test('a damaged cache file is ignored, and databases no longer observed drop out of it', async () => {
  makeDb(2);
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cacheFile(), '{ not json');
  expect(await rows()).toBe(2);
  const data = JSON.parse(readFileSync(cacheFile(), 'utf8'));
  data.entries['/gone.db'] = data.entries[abs];
  writeFileSync(cacheFile(), JSON.stringify(data));
  expect(await rows()).toBe(2);
  expect(Object.keys(cached())).toEqual([abs]);
});

describe("health's quick checks", () => {
  const checksFile = () => path.join(cacheDir, 'sqlite-quick-checks.json');
  // One environment at the root with one stage whose database is at REL, as status reports it.
  const report = { environments: [{ name: 'dev1', directory: true, stages: [{ name: 'dev', database: { exists: true, path: REL } }] }] } as unknown as StatusReport;
  const check = () => {
    const model = { root, environments: [{ name: 'dev1', path: '.' }] } as unknown as Pick<Model, 'root' | 'environments'>;
    return probeHealth(testHost(), model, report, cacheDir).quickCheck.get('dev1.dev');
  };
  const plantFailure = () => {
    const data = JSON.parse(readFileSync(checksFile(), 'utf8'));
    data.entries[abs].found = { ok: false, error: 'planted' };
    writeFileSync(checksFile(), JSON.stringify(data));
  };

  test('a passed check is kept while the file keeps its stamp, and made again after a write', () => {
    makeDb(3);
    expect(check()).toEqual({ ok: true });
    plantFailure();
    expect(check()).toEqual({ ok: false, error: 'planted' }); // answered from the cache: the file was not opened
    const db = new Database(abs);
    db.prepare('INSERT INTO t VALUES (1)').run();
    db.close();
    age(abs);
    expect(check()).toEqual({ ok: true });
  });

  test('a failed check is never kept: each look checks the file again', () => {
    writeFileSync(abs, 'not a database, but long enough to have a header of sorts'.repeat(20));
    age(abs);
    expect(check()).toMatchObject({ ok: false, error: expect.stringMatching(/not a database/) });
    expect(JSON.parse(readFileSync(checksFile(), 'utf8')).entries).toEqual({});
  });
});
