/** A read-only look at one database file, in-process: never throws, never writes. */
import type { Host } from '../../host/host.js';
import { type AppliedMigration, MIGRATIONS_TABLE, type TableRows } from './attributes.js';
import { isUserObject, type MasterRow, readMaster, type SqliteDb } from './schema.js';

export type Inspection =
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly error: string }
  | { readonly kind: 'unreadable'; readonly error: string }
  | {
      readonly kind: 'ok';
      readonly migrationsTable: boolean;
      readonly applied: readonly AppliedMigration[];
      readonly userVersion: number;
      readonly tables: readonly TableRows[];
      readonly rows: number;
      /** The raw schema rows; `schemaSignature(master)` when a comparison is needed. */
      readonly master: readonly MasterRow[];
    };

/** A writer holding the lock longer than this makes the database unreadable for this plan, not a stall. */
const BUSY_TIMEOUT_MS = 1000;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Everything observe needs from an open database (also used by apply to re-check before acting).
 *  Two statements, not one per fact: the first statement of a connection parses the schema and
 *  takes the lock, and at 1,500 databases every statement counts. */
export function readDatabase(db: SqliteDb): Extract<Inspection, { kind: 'ok' }> {
  const master = readMaster(db);
  const migrationsTable = master.some((r) => r.type === 'table' && r.name === MIGRATIONS_TABLE);
  // Virtual tables may need modules this process lacks; their shadow tables hold (and count) the rows.
  const tableNames = master
    .filter((r) => r.type === 'table' && isUserObject(r) && !/^\s*create\s+virtual/i.test(r.sql ?? ''))
    .map((r) => r.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const applied = migrationsTable
    ? `(SELECT json_group_array(json_array(name, sha256)) FROM (SELECT name, sha256 FROM ${MIGRATIONS_TABLE} ORDER BY rowid))`
    : `'[]'`;
  const counts = tableNames.map((name, i) => `, (SELECT count(*) FROM ${quoteIdent(name)}) AS c${i}`).join('');
  const row = db
    .prepare(`SELECT (SELECT user_version FROM pragma_user_version) AS uv, ${applied} AS applied${counts}`)
    .get() as { uv: number; applied: string } & { [count: string]: number };
  const tables = tableNames.map((name, i) => ({ name, rows: Number(row[`c${i}`] ?? 0) }));
  return {
    kind: 'ok',
    migrationsTable,
    applied: (JSON.parse(row.applied) as [string, string][]).map(([name, sha256]) => ({ name, sha256 })),
    userVersion: Number(row.uv),
    tables,
    rows: tables.reduce((sum, t) => sum + t.rows, 0),
    master,
  };
}

export function inspectDatabase(host: Host, absPath: string): Inspection {
  if (!host.files.exists(absPath)) return { kind: 'missing' };
  let db: SqliteDb | undefined;
  try {
    db = host.openSqlite(absPath, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    // One read transaction: one lock for both statements, and a consistent view between them.
    db.exec('BEGIN');
    const found = readDatabase(db);
    db.exec('COMMIT');
    return found;
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? '');
    // Only SQLite's own verdict makes a file corrupt; a lock or a permission is not the file's fault.
    const corrupt = /^SQLITE_(NOTADB|CORRUPT|FORMAT)/.test(code);
    return { kind: corrupt ? 'corrupt' : 'unreadable', error: (err as Error).message };
  } finally {
    db?.close();
  }
}
