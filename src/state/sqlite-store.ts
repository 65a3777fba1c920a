/** The default state store: a SQLite file (`.gaia/state.db`) through better-sqlite3 and kysely.
 *  Everything SQLite-specific is here: pragmas, transactional migrations, retry on a busy open. */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { realRootOf, removeInside, writeInside } from '../host/local/write-atomic.js';
import { openDatabase, type SqliteDatabase } from '../host/local/sqlite-driver.js';
import { Kysely, SqliteAdapter, SqliteDialect, type DialectAdapter, type Driver } from 'kysely';
import { fileGuard } from './holder-guard.js';
import { StateUnavailable } from './unavailable.js';
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

export { StateUnavailable };

export interface SqliteStoreOptions extends Omit<StoreOptions, 'guard' | 'backUp'> {
  /** The project root: backups of a store inside it are written through a held folder inside it. */
  readonly root?: string;
}

export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStateStore> {
  const sqlite = openFile(path);
  const db = new Kysely<Database>({ dialect: new TransactionalSqliteDialect({ database: sqlite }) });
  try {
    await migrate(db, path);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    // A full disk during the first migration: SQLite rolls back by itself, and kysely's own ROLLBACK
    // then fails with "no transaction is active" — a fact about the machine, said as one.
    if (error instanceof StateUnavailable) throw error;
    throw new StateUnavailable(path, `preparing it failed: ${messageOf(error)}`, 'free space or make its folder writable, then run the command again; nothing was changed');
  }
  const { root, ...rest } = options;
  return new KyselyStateStore(db, { ...rest, guard: fileGuard(`${path}.lock`), backUp: async (now) => backUpStore(sqlite, path, now, root) });
}

/** The store's file is not a sound database (empty, damaged pages): `gaia state rebuild` sets it aside. */
export class StateDamaged extends StateUnavailable {}

/** What to do about a damaged store: the newest backup, or rebuilding from the world. */
export function damagedHint(path: string): string {
  const newest = stateBackups(path).at(-1);
  return `${newest ? `restore the newest backup (cp ${newest} ${path}), or ` : ''}run \`gaia state rebuild\`: it moves the damaged file aside and re-derives what gaia owns from the marks on what it made`;
}

/** The store records what gaia made (digests of secrets too): its folder 0700 when it is gaia's own
 *  `.gaia/` (so even the moment before the file's chmod shows nothing to others). */
function protectDir(path: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (basename(dir) === '.gaia') chmodSync(dir, 0o700);
}

function openFile(path: string): SqliteDatabase {
  let sqlite: SqliteDatabase;
  // SQLite takes an empty file for a new database: a store cut to 0 bytes would read as "gaia owns nothing".
  // (A file another gaia has just created, still empty for a moment, is new, not truncated; an empty
  // store found while this project's marked sessions run is refused later, in planning.)
  if (isOldEmptyFile(path)) throw new StateDamaged(path, 'it is empty (0 bytes): it was truncated or never written', damagedHint(path));
  try {
    protectDir(path);
    sqlite = openDatabase(path);
    // 0600 before WAL is switched on: SQLite gives its -wal and -shm files the database file's mode.
    // Not created empty beforehand: a concurrent opener would take a 0-byte store for a damaged one.
    chmodSync(path, 0o600);
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
  } catch (error) {
    sqlite.close();
    throw isDamage(error) ? new StateDamaged(path, `it is damaged (${messageOf(error)})`, damagedHint(path)) : new StateUnavailable(path, messageOf(error));
  }
  // Every page, before anything is planned from it (~0.1 ms for a store of 20 pages): a damaged page
  // read as missing rows would plan the world as if gaia owned less than it does.
  let check: unknown;
  try {
    check = sqlite.pragma('quick_check(1)', { simple: true });
  } catch (error) {
    check = messageOf(error);
  }
  if (check !== 'ok') {
    sqlite.close();
    throw new StateDamaged(path, `it is damaged (${String(check)})`, damagedHint(path));
  }
  return sqlite;
}

/** Whether the file opens as a sound SQLite database (what opening the store checks). */
export function storeIsSound(path: string): boolean {
  try {
    openFile(path).close();
    return true;
  } catch (error) {
    return !(error instanceof StateDamaged);
  }
}

const NEW_FILE_MS = 2000;

function isOldEmptyFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.size === 0 && Date.now() - st.mtimeMs > NEW_FILE_MS;
  } catch {
    return false;
  }
}

/** SQLite's word for a file that is not (or no longer) a sound database. */
export function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'));
}

/** Backups of the store, oldest first: `<folder>/backups/state-<time>.db`. */
export function stateBackups(path: string): string[] {
  const dir = join(dirname(path), 'backups');
  try {
    return readdirSync(dir).filter((f) => /^state-.*\.db$/.test(f)).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

const BACKUPS_KEPT = 5;

/** A consistent copy of the store (serialize reads one snapshot, WAL included) before an apply
 *  changes it, 0600 in a 0700 folder; the oldest beyond the last five are removed. Written and removed
 *  through a held folder (writeInside) inside the project root — or, for a store set outside the
 *  root, inside the store's own folder — so a folder swapped for a symlink cannot redirect either. */
export function backUpStore(db: SqliteDatabase, path: string, now: Date, root?: string): string {
  const dir = join(dirname(path), 'backups');
  const within = root !== undefined && resolve(path).startsWith(`${resolve(root)}${sep}`) ? root : dirname(path);
  const realRoot = realRootOf(within);
  const target = join(dir, `state-${now.toISOString().replace(/[:.]/g, '-')}.db`);
  writeInside(realRoot, target, db.serialize(), 0o600, { noClobber: true, folderMode: 0o700 });
  removeInside(realRoot, dir, stateBackups(path).slice(0, -BACKUPS_KEPT).map((old) => basename(old)));
  return target;
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
  readonly #db: SqliteDatabase;

  constructor(config: { readonly database: SqliteDatabase }) {
    super(config);
    this.#db = config.database;
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }

  /** A write that fails with SQLITE_FULL (a full disk) makes SQLite roll the transaction back by
   *  itself; kysely's ROLLBACK after it would fail ("no transaction is active") and hide the cause. */
  override createDriver(): Driver {
    const driver = super.createDriver();
    const rollback = driver.rollbackTransaction.bind(driver);
    const db = this.#db;
    driver.rollbackTransaction = async (connection) => {
      if (db.inTransaction) await rollback(connection);
    };
    return driver;
  }
}

/** The addresses the store at `path` records, for shell completion: read-only and never created,
 *  migrated or locked (a tab press changes nothing); nothing when there is no readable store. */
export function recordedAddresses(path: string): string[] {
  let sqlite: SqliteDatabase | undefined;
  try {
    sqlite = openDatabase(path, { readonly: true, fileMustExist: true });
    return sqlite.prepare('SELECT address FROM resources ORDER BY address').pluck().all() as string[];
  } catch {
    return [];
  } finally {
    sqlite?.close();
  }
}
