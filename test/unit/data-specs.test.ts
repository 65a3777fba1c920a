/** The pure KindSpecs of sqlite_database, port and file: plain objects in, comparisons out. */
import type { Attributes, Observed, Recorded, Resource } from '../../src/core/resource.js';
import { fileProvider } from '../../src/providers/file/index.js';
import { sha256Text } from '../../src/providers/file/attributes.js';
import { parseProcNetTcp } from '../../src/host/local/proc-net.js';
import { portProvider } from '../../src/providers/port/index.js';
import { sqliteProvider } from '../../src/providers/sqlite/index.js';
import { migrationStatus } from '../../src/providers/sqlite/spec.js';

const sqlite = sqliteProvider.kinds.sqlite_database!;
const port = portProvider.kinds.port!;
const file = fileProvider.kinds.file!;

const res = (kind: string, attributes: Attributes): Resource => ({ kind, address: `${kind}.x`, attributes, dependsOn: [] });
const obs = (kind: string, attributes: Attributes): Observed => ({ kind, address: `${kind}.x`, attributes });
const rec = (kind: string, attributes: Attributes): Recorded => ({ kind, address: `${kind}.x`, attributes, specHash: 'h', dependsOn: [] });

describe('sqlite_database spec', () => {
  const m = (n: string, sha = `sha-${n}`) => ({ name: n, file: `migrations/${n}`, sha256: sha });
  const applied = (...ms: { name: string; sha256: string }[]) => ms.map(({ name, sha256 }) => ({ name, sha256 }));
  const want = (migrations: ReturnType<typeof m>[], preventDestroy = false) =>
    res('sqlite_database', { path: 'data/qa.db', migrations, preventDestroy });
  const have = (extra: Attributes): Observed =>
    obs('sqlite_database', {
      path: 'data/qa.db',
      preventDestroy: false,
      corrupt: false,
      migrationsTable: true,
      applied: [],
      userVersion: 0,
      tables: [],
      rows: 0,
      schemaMatches: null,
      ...extra,
    });
  const a = m('001_init.sql');
  const b = m('002_users.sql');
  const x = m('003_x.sql');
  const y = m('004_y.sql');

  test.each([
    ['applied equals desired: same', [a, b], [a, b], { kind: 'same' }],
    [
      'applied is a prefix: update listing the new migrations',
      [a, b],
      [a, b, x, y],
      { kind: 'update', reasons: [{ code: 'migrations_pending', text: '2 new migrations: 003_x.sql, 004_y.sql' }] },
    ],
    [
      'a migration edited after it ran: replace',
      [a, b],
      [a, m('002_users.sql', 'other')],
      { kind: 'replace', reasons: [{ code: 'migration_changed', text: 'migration 002_users.sql was edited after it ran' }] },
    ],
    [
      'a migration removed after it ran: replace',
      [a, b],
      [a],
      { kind: 'replace', reasons: [{ code: 'migration_changed', text: 'migration 002_users.sql was removed after it ran' }] },
    ],
    [
      'a migration inserted before one that ran: replace',
      [a, b],
      [a, x, b],
      { kind: 'replace', reasons: [{ code: 'migration_changed', text: 'migration 003_x.sql is listed before 002_users.sql, which already ran' }] },
    ],
  ])('%s', (_name, ran, desired, expected) => {
    const result = sqlite.compare(want(desired), have({ applied: applied(...ran) }), rec('sqlite_database', want(ran).attributes));
    expect(result).toMatchObject(expected);
  });

  test('migrationStatus returns the pending tail', () => {
    expect(migrationStatus(applied(a), [a, b, x])).toEqual({ kind: 'pending', pending: [b, x] });
  });

  test('a corrupt file is replaced', () => {
    const corrupt = obs('sqlite_database', { path: 'data/qa.db', corrupt: true, error: 'file is not a database', preventDestroy: false });
    expect(sqlite.compare(want([a]), corrupt, undefined)).toMatchObject({ kind: 'replace', reasons: [{ code: 'corrupt' }] });
  });

  test('owned database without gaia bookkeeping: a matching schema is baselined, an empty one migrated, another replaced', () => {
    const noTable = (extra: Attributes) => have({ migrationsTable: false, ...extra });
    expect(sqlite.compare(want([a]), noTable({ tables: [{ name: 'users', rows: 1 }], schemaMatches: true }), undefined)).toMatchObject({
      kind: 'update',
      reasons: [{ code: 'baseline' }],
    });
    expect(sqlite.compare(want([a]), noTable({}), undefined)).toMatchObject({ kind: 'update', reasons: [{ code: 'migrations_pending' }] });
    expect(sqlite.compare(want([a]), noTable({ tables: [{ name: 't', rows: 0 }], schemaMatches: false }), undefined)).toMatchObject({
      kind: 'replace',
      reasons: [{ code: 'schema_drift' }],
    });
  });

  test('unowned: a matching schema is adopted, another is a conflict naming the path', () => {
    expect(sqlite.unowned!(want([a]), have({ migrationsTable: false, schemaMatches: true }))).toEqual({
      kind: 'adopt',
      reason: { code: 'schema_matches', text: 'existing database has the expected schema' },
    });
    expect(sqlite.unowned!(want([a]), have({ migrationsTable: false, schemaMatches: false }))).toMatchObject({
      kind: 'conflict',
      text: 'a database exists at data/qa.db with a different schema; gaia did not create it',
    });
  });

  test('hazards count rows across tables holding them, and name preventDestroy', () => {
    const full = have({
      tables: [{ name: 'a', rows: 40 }, { name: 'b', rows: 1 }, { name: 'c', rows: 1 }, { name: 'd', rows: 0 }],
      rows: 42,
      preventDestroy: true,
    });
    expect(sqlite.hazards!(full, 'delete')).toEqual([
      { code: 'prevent_destroy', text: 'preventDestroy is set on data/qa.db; gaia will refuse to delete it' },
      { code: 'data_loss', text: 'deletes 42 rows in 3 tables' },
    ]);
    expect(sqlite.hazards!(have({}), 'delete')).toEqual([]);
  });

  test('a preventDestroy change alone is an in-place update', () => {
    expect(sqlite.compare(want([a], true), have({ applied: applied(a) }), rec('sqlite_database', want([a]).attributes))).toMatchObject({
      kind: 'update',
      reasons: [{ code: 'prevent_destroy_changed' }],
    });
  });
});

describe('port spec', () => {
  const p = (n: number) => ({ port: n, env: 'dev1', stage: 'qa' });
  test('same number: same; another number: update with a diff', () => {
    expect(port.compare(res('port', p(8081)), obs('port', { ...p(8081), listening: true, holder: null }), undefined)).toEqual({ kind: 'same' });
    expect(port.compare(res('port', p(8082)), obs('port', { ...p(8081), listening: false, holder: null }), undefined)).toEqual({
      kind: 'update',
      reasons: [{ code: 'port_changed', text: 'port changed from 8081 to 8082' }],
      diffs: [{ path: 'port', before: 8081, after: 8082 }],
    });
  });

  test('parseProcNetTcp keeps LISTEN sockets and decodes IPv4 and IPv6 addresses', () => {
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const v4 =
      header +
      '   0: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0 100 0 0 10 0\n' +
      '   1: 0100007F:1F91 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0 20 4 30 10 -1\n';
    const v6 =
      header +
      '   0: 00000000000000000000000000000000:1F92 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 77 1 0 100 0 0 10 0\n' +
      '   1: 00000000000000000000000001000000:1F93 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 78 1 0 100 0 0 10 0\n';
    expect(parseProcNetTcp(v4, 4)).toEqual([{ port: 8081, address: '127.0.0.1', family: 4, inode: 4242 }]);
    expect(parseProcNetTcp(v6, 6)).toEqual([
      { port: 8082, address: '::', family: 6, inode: 77 },
      { port: 8083, address: '::1', family: 6, inode: 78 },
    ]);
  });
});

describe('file spec', () => {
  const f = (content: string, mode = '0644') => ({ path: 'gen/app.env', content, mode });
  const seen = (content: string, mode = '0644') => obs('file', { ...f(content, mode), sha256: sha256Text(content), editedOutside: null });

  test('unchanged: same', () => {
    expect(file.compare(res('file', f('a\n')), seen('a\n'), rec('file', f('a\n')))).toEqual({ kind: 'same' });
  });

  test('edited outside gaia: update with edited_outside and a unified diff back to the desired text', () => {
    const result = file.compare(res('file', f('a\nb\n')), seen('a\nB\n'), rec('file', f('a\nb\n')));
    expect(result).toMatchObject({ kind: 'update', reasons: [{ code: 'edited_outside', text: 'file was edited outside gaia (drift)' }] });
    const unified = result.kind === 'update' ? result.diffs[0]?.unified : undefined;
    expect(unified).toContain('--- gen/app.env\ton disk');
    expect(unified).toMatch(/^-B$/m);
    expect(unified).toMatch(/^\+b$/m);
  });

  test('edited outside and changed in the manifest: both reasons', () => {
    const result = file.compare(res('file', f('new\n')), seen('hand\n'), rec('file', f('old\n')));
    expect(result).toMatchObject({ kind: 'update', reasons: [{ code: 'edited_outside' }, { code: 'content_changed', text: 'content changed' }] });
  });

  test('manifest change only: content_changed; mode change: mode_changed', () => {
    expect(file.compare(res('file', f('new\n')), seen('old\n'), rec('file', f('old\n')))).toMatchObject({
      kind: 'update',
      reasons: [{ code: 'content_changed' }],
    });
    expect(file.compare(res('file', f('a\n', '600')), seen('a\n'), rec('file', f('a\n')))).toMatchObject({
      kind: 'update',
      reasons: [{ code: 'mode_changed', text: 'mode changed from 0644 to 0600' }],
    });
  });

  test('unowned: same content adopted, different content a conflict', () => {
    expect(file.unowned!(res('file', f('a\n')), seen('a\n'))).toMatchObject({ kind: 'adopt' });
    expect(file.unowned!(res('file', f('a\n')), seen('b\n'))).toMatchObject({
      kind: 'conflict',
      text: 'file exists and differs; gaia did not write it',
    });
  });

  test('delete of a hand-edited file is a data_loss hazard; of an untouched one, none', () => {
    const edited = obs('file', { ...f('x'), sha256: sha256Text('x'), editedOutside: true });
    expect(file.hazards!(edited, 'delete')).toEqual([{ code: 'data_loss', text: 'file has hand edits that would be lost' }]);
    expect(file.hazards!(obs('file', { ...f('x'), sha256: sha256Text('x'), editedOutside: false }), 'delete')).toEqual([]);
  });
});
