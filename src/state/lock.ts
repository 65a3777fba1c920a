/** The apply lock: a guard that proves its holder alive (holder-guard.ts) plus one row, with a fixed
 *  primary key, that names the holder for people (`gaia apply (pid 4812 on dev-vm, since …)`).
 *
 *  Only the holder of the guard writes the row. So a row found by whoever takes the guard was left
 *  by a holder that died: its lock is taken over, and the caller says so. A live holder's lock is
 *  never broken; `gaia state unlock --force` can only remove its row. */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { HolderGuard } from './holder-guard.js';
import type { LockHolder, LockResult, UnlockResult } from './store.js';
import type { Database } from './schema.js';

const LOCK_ID = 1;

export interface LockClock {
  /** Wall time, for `since`. */
  readonly now: () => Date;
  readonly pollMs: number;
}

/** The INSERT that names the holder, or inserts nothing when a row is already there. Exported so a
 *  test can run the very same statement from several processes at once. */
export function insertLock(db: Kysely<Database>, holder: LockHolder) {
  return db
    .insertInto('lock')
    .values({ id: LOCK_ID, ...holder })
    .onConflict((oc) => oc.column('id').doNothing());
}

export async function acquireLock(
  db: Kysely<Database>,
  guard: HolderGuard,
  command: string,
  timeoutMs: number,
  clock: LockClock,
): Promise<LockResult> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const held = await guard.tryHold();
    if (held) {
      try {
        const holder: LockHolder = { pid: process.pid, host: hostname(), since: clock.now().toISOString(), command };
        const dead = await db.transaction().execute(async (trx) => {
          const previous = await readLock(trx);
          await trx.deleteFrom('lock').where('id', '=', LOCK_ID).execute();
          await insertLock(trx, holder).execute();
          // Only a holder of the guard runs an apply: one still `running` now died where it was.
          await trx.updateTable('applies').set({ status: 'interrupted' }).where('status', '=', 'running').execute();
          return previous;
        });
        return { kind: 'acquired', release: releaser(db, holder, held.release), ...(dead ? { tookOver: dead } : {}), ...(held.lost ? { lost: held.lost } : {}) };
      } catch (error) {
        await held.release();
        throw error;
      }
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      // The guard is held, so its holder lives; its row may be a moment away from being written.
      const current = await readLock(db) ?? await namedSoon(db, clock.pollMs);
      return { kind: 'held', holder: current ?? { pid: 0, host: '?', since: '?', command: 'another gaia' } };
    }
    await sleep(Math.min(clock.pollMs, left));
  }
}

export async function readLock(db: Kysely<Database>): Promise<LockHolder | undefined> {
  return db
    .selectFrom('lock')
    .select(['pid', 'host', 'since', 'command'])
    .where('id', '=', LOCK_ID)
    .executeTakeFirst();
}

/** `gaia state unlock`: clears the lock of a holder that died; a living holder's only with `force`
 *  (and then only its row: the guard stays with the living process, which a second apply still waits for). */
export async function unlock(db: Kysely<Database>, guard: HolderGuard, force: boolean): Promise<UnlockResult> {
  const held = await guard.tryHold();
  try {
    const holder = await readLock(db);
    if (!holder) return { kind: held ? 'none' : 'live-unnamed' };
    if (!held && !force) return { kind: 'live', holder };
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('lock').where('id', '=', LOCK_ID).execute();
      if (held) await trx.updateTable('applies').set({ status: 'interrupted' }).where('status', '=', 'running').execute();
    });
    return { kind: held ? 'cleared' : 'forced', holder };
  } finally {
    await held?.release();
  }
}

/** Deletes the row only if it is still ours (`unlock --force` may have removed it), then lets the guard go; once. */
function releaser(db: Kysely<Database>, holder: LockHolder, releaseGuard: () => Promise<void>): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    try {
      await db
        .deleteFrom('lock')
        .where('id', '=', LOCK_ID)
        .where('pid', '=', holder.pid)
        .where('host', '=', holder.host)
        .where('since', '=', holder.since)
        .execute();
    } catch {
      // A store that takes no writes (a full disk) keeps the row; the next holder takes it over.
    } finally {
      // Even when the row cannot be deleted (a full disk): the guard is what makes the lock, and the
      // next holder takes over a row whose guard is free.
      await releaseGuard();
    }
  };
}

/** A holder writes its row right after taking the guard: give it that moment. */
async function namedSoon(db: Kysely<Database>, pollMs: number): Promise<LockHolder | undefined> {
  for (let waited = 0; waited < 1000; waited += Math.min(pollMs, 20)) {
    await sleep(Math.min(pollMs, 20));
    const holder = await readLock(db);
    if (holder) return holder;
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
