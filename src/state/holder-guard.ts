/** Proof of life for the apply lock's holder: an OS advisory lock that the kernel drops the moment
 *  its process ends — by exit, crash, SIGKILL or reboot — whatever became of its pid, its host
 *  name or its container since. Pids are reused after a reboot and host names change when a
 *  container restarts, so a lock row alone can never say for certain that its holder is dead.
 *
 *  The lock is SQLite's own (a RESERVED lock, an fcntl byte-range lock, on a small file beside
 *  the state database, held by a write transaction that stays open for the holder's life): no
 *  native addon of gaia's, and the same locking SQLite already trusts for the store itself.
 *  A shared store on another machine (PostgreSQL) brings its own guard (postgres-guard.ts): a
 *  session-level advisory lock, which the server drops when the holder's connection ends. */
import { openDatabase, type SqliteDatabase } from '../host/local/sqlite-driver.js';

export interface HolderGuard {
  /** Take the guard if no living process holds it; undefined while one does. Async: a server's guard
   *  asks over the network (postgres-guard.ts). */
  tryHold(): Promise<HeldGuard | undefined>;
  /** Let go of what the guard keeps open between tries (a server connection); held guards are released first. */
  close?(): Promise<void>;
}

export interface HeldGuard {
  release(): Promise<void>;
  /** Aborted if the guard is lost while held (a server's connection ended under it): the holder must
   *  start nothing new, since another may take the lock over. A file lock is lost only with its process. */
  readonly lost?: AbortSignal;
}

export function fileGuard(file: string): HolderGuard {
  return {
    async tryHold() {
      const db = openDatabase(file);
      try {
        db.pragma('busy_timeout = 0');
        db.exec('BEGIN IMMEDIATE'); // writes nothing: the file stays empty, no journal is made
      } catch (error) {
        db.close();
        if (isBusy(error)) return undefined;
        throw error;
      }
      return { release: async () => close(db) };
    },
  };
}

function close(db: SqliteDatabase): void {
  if (!db.open) return;
  try {
    db.exec('ROLLBACK');
  } finally {
    db.close();
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
