/** The shapes of a `sqlite_database`'s attributes, and readers that turn loose JSON into them.
 *  Desired: what the manifest wants. Observed: what a read-only look at the file found. */
import type { Attributes, Json } from '../../core/resource.js';

export const SQLITE_KIND = 'sqlite_database';
/** gaia's own bookkeeping table inside every database it creates. */
export const MIGRATIONS_TABLE = '_gaia_migrations';

export type Migration = {
  readonly name: string;
  /** Relative to the project root. */
  readonly file: string;
  /** Lowercase hex sha256 of the file's bytes (see `sha256Hex`). */
  readonly sha256: string;
};

export type SqliteDesired = {
  /** Relative to the project root. */
  readonly path: string;
  readonly migrations: readonly Migration[];
  readonly preventDestroy: boolean;
};

export type AppliedMigration = { readonly name: string; readonly sha256: string };
export type TableRows = { readonly name: string; readonly rows: number };

/** `state` tells the three apart; `corrupt` is kept as a plain flag for people reading plan JSON. */
export type SqliteObserved =
  | {
      readonly state: 'ok';
      readonly path: string;
      readonly preventDestroy: boolean;
      readonly corrupt: false;
      /** The database has gaia's migrations table (absent: made by something else, or empty). */
      readonly migrationsTable: boolean;
      readonly applied: readonly AppliedMigration[];
      readonly userVersion: number;
      readonly tables: readonly TableRows[];
      readonly rows: number;
      /** Whether the user schema equals the one the desired migrations build; null when not looked at. */
      readonly schemaMatches: boolean | null;
    }
  | {
      /** Not a database, or a damaged one. */
      readonly state: 'corrupt';
      readonly path: string;
      readonly preventDestroy: boolean;
      readonly corrupt: true;
      readonly error: string;
    }
  | {
      /** Could not be read now (locked, no permission): nothing can be said about it, and nothing is done to it. */
      readonly state: 'unreadable';
      readonly path: string;
      readonly preventDestroy: boolean;
      readonly corrupt: false;
      readonly error: string;
    };

type Obj = { readonly [key: string]: Json };

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: Json | undefined, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}
function num(v: Json | undefined): number {
  return typeof v === 'number' ? v : 0;
}
function list(v: Json | undefined): readonly Json[] {
  return Array.isArray(v) ? (v as readonly Json[]) : [];
}

export function readDesired(a: Attributes): SqliteDesired {
  return {
    path: str(a.path),
    migrations: list(a.migrations)
      .filter(isObj)
      .map((m) => ({ name: str(m.name, str(m.file)), file: str(m.file), sha256: str(m.sha256) })),
    preventDestroy: a.preventDestroy === true,
  };
}

export function readObserved(a: Attributes): SqliteObserved {
  const path = str(a.path);
  const preventDestroy = a.preventDestroy === true;
  if (a.state === 'corrupt' || a.corrupt === true) return { state: 'corrupt', path, preventDestroy, corrupt: true, error: str(a.error) };
  if (a.state === 'unreadable') return { state: 'unreadable', path, preventDestroy, corrupt: false, error: str(a.error) };
  return {
    state: 'ok',
    path,
    preventDestroy,
    corrupt: false,
    migrationsTable: a.migrationsTable === true,
    applied: list(a.applied)
      .filter(isObj)
      .map((m) => ({ name: str(m.name), sha256: str(m.sha256) })),
    userVersion: num(a.userVersion),
    tables: list(a.tables)
      .filter(isObj)
      .map((t) => ({ name: str(t.name), rows: num(t.rows) })),
    rows: num(a.rows),
    schemaMatches: typeof a.schemaMatches === 'boolean' ? a.schemaMatches : null,
  };
}

/** How a migration is named to people: its file's base name (`003_add_users.sql`). */
export function migrationLabel(m: Pick<Migration, 'file' | 'name'>): string {
  const base = m.file.split(/[\\/]/).pop();
  return base || m.name;
}
