/** Schemas as comparable values: the normalised `sqlite_master` of user objects, and the schema
 *  a list of migrations builds (applied to `:memory:`, cached per list). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type SqliteDatabase } from './driver.js';
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

/** Read migration files relative to `root`; an unreadable file is an error naming it. */
export function readMigrations(
  root: string,
  migrations: readonly Migration[],
): { readonly ok: true; readonly sources: readonly MigrationSource[] } | { readonly ok: false; readonly error: string } {
  const sources: MigrationSource[] = [];
  for (const migration of migrations) {
    try {
      const bytes = readFileSync(path.resolve(root, migration.file));
      sources.push({ migration, sql: bytes.toString('utf8'), sha256: sha256Hex(bytes) });
    } catch (err) {
      return { ok: false, error: `cannot read migration ${migration.file}: ${(err as Error).message}` };
    }
  }
  return { ok: true, sources };
}

/** Run migrations on an open database; the first failure names its file and SQLite's message. */
export function runMigrations(db: SqliteDb, sources: readonly MigrationSource[]): void {
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
  constructor(private readonly root: string) {}

  get(migrations: readonly Migration[]): DesiredSchema {
    const key = migrations.map((m) => `${m.file}\0${m.sha256}`).join('\n');
    let found = this.cache.get(key);
    if (!found) {
      found = desiredSchema(this.root, migrations);
      this.cache.set(key, found);
    }
    return found;
  }
}

export function desiredSchema(root: string, migrations: readonly Migration[]): DesiredSchema {
  const read = readMigrations(root, migrations);
  if (!read.ok) return read;
  const db = openDatabase(':memory:');
  try {
    runMigrations(db, read.sources);
    return { ok: true, signature: schemaSignature(readMaster(db)) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    db.close();
  }
}
