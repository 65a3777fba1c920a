/** The default state store: a SQLite file (`.gaia/state.db`) through better-sqlite3 and kysely.
 *  Everything SQLite-specific is here: pragmas, transactional migrations, retry on a busy open. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../providers/sqlite/driver.js';
import { Kysely, SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';
import { KyselyStateStore, type StoreOptions } from './kysely-store.js';
import { migrateToLatest } from './migrate.js';
import { sqliteDdl } from './migrations/index.js';
import type { Database } from './schema.js';

/** Relative to the project root; callers resolve it and pass an absolute path. */
export const DEFAULT_STATE_PATH = '.gaia/state.db';

/** How long a write waits for another process's write before failing; reads never wait (WAL). */
const BUSY_TIMEOUT_MS = 5000;
const MIGRATE_ATTEMPTS = 5;

export type SqliteStateStore = KyselyStateStore;

/** The state database cannot be opened or prepared (its folder is not writable, its path runs through a
 *  file, it is not a database): a fact about the machine for the user to fix, not a bug in gaia. */
export class StateUnavailable extends Error {
  constructor(readonly path: string, reason: string) {
    super(`cannot open the state database ${path}: ${reason}`);
  }
}

export async function openSqliteStore(path: string, options: StoreOptions = {}): Promise<SqliteStateStore> {
  const db = new Kysely<Database>({ dialect: new TransactionalSqliteDialect({ database: openFile(path) }) });
  try {
    await migrate(db, path);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new KyselyStateStore(db, options);
}

function openFile(path: string): SqliteDatabase {
  let sqlite: SqliteDatabase;
  try {
    mkdirSync(dirname(path), { recursive: true });
    sqlite = openDatabase(path);
  } catch (error) {
    throw new StateUnavailable(path, messageOf(error));
  }
  try {
    // busy_timeout first: switching to WAL may itself have to wait for another opener.
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL: a `gaia plan` reads while an apply writes. NORMAL: every commit survives the process
    // being killed (SIGKILL); only an OS crash or power loss can drop the last commits.
    whileBusy(() => sqlite.pragma('journal_mode = WAL'));
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    return sqlite;
  } catch (error) {
    sqlite.close();
    throw new StateUnavailable(path, messageOf(error));
  }
}

async function migrate(db: Kysely<Database>, path: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await migrateToLatest(db, sqliteDdl);
    if (outcome.kind !== 'failed') return;
    // Two processes migrating a new file at once: the loser's transaction fails with SQLITE_BUSY
    // and rolls back whole; a moment later it finds the work done.
    if (isBusy(outcome.error) && attempt < MIGRATE_ATTEMPTS) {
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      continue;
    }
    const which = outcome.migration === undefined ? '' : ` (migration ${outcome.migration})`;
    throw new StateUnavailable(path, `preparing it${which} failed: ${messageOf(outcome.error)}`);
  }
}

/** Runs `fn` again while SQLite answers "busy", up to the busy timeout. Needed for the switch to
 *  WAL: when another gaia closes the last connection at the same moment (it checkpoints and removes
 *  the log under an exclusive lock), SQLite answers "database is locked" at once instead of waiting
 *  (seen with two concurrent applies in test/e2e/plan-apply.test.ts). */
function whileBusy<T>(fn: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      return fn();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause); // a synchronous pause: opening is synchronous
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** The message of any error, also one made in another realm (a native module's SqliteError under a
 *  test runner's sandbox is no `instanceof Error` there). */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** SQLite runs DDL inside transactions, but kysely's adapter says it does not (so its Migrator
 *  would leave a half-applied migration behind). Saying yes makes each migration run atomic. */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class TransactionalSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}
