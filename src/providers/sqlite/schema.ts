/** Schemas as comparable values: the normalised `sqlite_master` of user objects, and the schema
 *  a list of migrations builds (applied to `:memory:`, cached per list). */
import { createHash } from 'node:crypto';
import type { Host, HostFiles, SqliteDatabase } from '../../host/host.js';
import { refuseAnyFile, refuseOutside } from './sql-guard.js';
import { MIGRATIONS_TABLE, type Migration } from './attributes.js';

export type SqliteDb = SqliteDatabase;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export type MasterRow = { type: string; name: string; tbl_name: string; sql: string | null };

export function readMaster(db: SqliteDb): MasterRow[] {
  return db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master').all() as MasterRow[];
}

export function isUserObject(row: Pick<MasterRow, 'name'>): boolean {
  return !row.name.startsWith('sqlite_') && row.name !== MIGRATIONS_TABLE;
}

/** Whitespace, quoting and case differences between hand-written and migration-written DDL do not count. */
function normaliseSql(sql: string | null): string {
  return (sql ?? '')
    .replace(/["`[\]]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),;])\s*/g, '$1')
    .replace(/;+$/, '')
    .trim()
    .toLowerCase();
}

/** One line per user object, sorted: equal strings mean equal schemas. */
export function schemaSignature(rows: readonly MasterRow[]): string {
  return rows
    .filter(isUserObject)
    .map((r) => `${r.type}|${r.name.toLowerCase()}|${normaliseSql(r.sql)}`)
    .sort()
    .join('\n');
}

export type MigrationSource = { readonly migration: Migration; readonly sql: string; readonly sha256: string };

/** Read migration files relative to `root`; an unreadable file is an error naming it, and so is one
 *  whose real path (symlinks followed) leaves the root. */
export function readMigrations(
  files: HostFiles,
  root: string,
  migrations: readonly Migration[],
): { readonly ok: true; readonly sources: readonly MigrationSource[] } | { readonly ok: false; readonly error: string } {
  const sources: MigrationSource[] = [];
  for (const migration of migrations) {
    const inside = files.resolveInside(root, migration.file);
    if (!inside.ok) return { ok: false, error: `migration ${inside.error}` };
    try {
      const bytes = files.readBytes(inside.abs);
      // Node's own words for a missing file, as when it was read directly.
      if (bytes === undefined) throw new Error(`ENOENT: no such file or directory, open '${inside.abs}'`);
      sources.push({ migration, sql: bytes.toString('utf8'), sha256: sha256Hex(bytes) });
    } catch (err) {
      return { ok: false, error: `cannot read migration ${migration.file}: ${(err as Error).message}` };
    }
  }
  return { ok: true, sources };
}

/** Which files a migration may reach: none (comparing schemas, read-only), or only inside the root
 *  (apply), as `files` resolves them. */
export type FileRule = { readonly kind: 'none' } | { readonly kind: 'inside'; readonly root: string; readonly files: HostFiles };

function refusal(rule: FileRule, s: MigrationSource): string | undefined {
  if (rule.kind === 'none') return refuseAnyFile(s.migration.file, s.sql);
  return refuseOutside(s.migration.file, s.sql, rule.root, process.cwd(), (rel) => rule.files.resolveInside(rule.root, rel));
}

/** Run migrations on an open database; the first failure names its file and SQLite's message. Every
 *  file is checked before the first runs, so a refused one leaves the database untouched. */
export function runMigrations(db: SqliteDb, sources: readonly MigrationSource[], rule: FileRule): void {
  for (const s of sources) {
    const refused = refusal(rule, s);
    if (refused) throw new MigrationError(refused);
  }
  for (const s of sources) {
    try {
      db.exec(s.sql);
    } catch (err) {
      throw new MigrationError(`migration ${s.migration.file} failed: ${(err as Error).message}`);
    }
  }
}

export class MigrationError extends Error {}

export type DesiredSchema = { readonly ok: true; readonly signature: string } | { readonly ok: false; readonly error: string };

/** Builds desired schemas once per distinct migration list (1,500 stages usually share one list). */
export class DesiredSchemaCache {
  private readonly cache = new Map<string, DesiredSchema>();
  constructor(
    private readonly host: Host,
    private readonly root: string,
  ) {}

  get(migrations: readonly Migration[]): DesiredSchema {
    const key = migrations.map((m) => `${m.file}\0${m.sha256}`).join('\n');
    let found = this.cache.get(key);
    if (!found) {
      found = desiredSchema(this.host, this.root, migrations);
      this.cache.set(key, found);
    }
    return found;
  }
}

export function desiredSchema(host: Host, root: string, migrations: readonly Migration[]): DesiredSchema {
  const read = readMigrations(host.files, root, migrations);
  if (!read.ok) return read;
  const db = host.openSqlite(':memory:');
  try {
    runMigrations(db, read.sources, { kind: 'none' });
    return { ok: true, signature: schemaSignature(readMaster(db)) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    db.close();
  }
}
