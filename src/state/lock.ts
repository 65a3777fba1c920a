/** The apply lock: one row with a fixed primary key, so taking it is a single INSERT that the
 *  database makes atomic across processes (and, with a shared PostgreSQL, across hosts).
 *  A dead holder is reported, never stolen: only `gaia state unlock` (breakLock) clears it. */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { LockHolder, LockResult } from './store.js';
import type { Database } from './schema.js';

const LOCK_ID = 1;

export interface LockClock {
  /** Wall time, for `since`. */
  readonly now: () => Date;
  readonly pollMs: number;
}

/** The INSERT that takes the lock, or inserts nothing when a row is already there. Exported so a
 *  test can run the very same statement from several processes at once. */
export function insertLock(db: Kysely<Database>, holder: LockHolder) {
  return db
    .insertInto('lock')
    .values({ id: LOCK_ID, ...holder })
    .onConflict((oc) => oc.column('id').doNothing());
}

export async function acquireLock(
  db: Kysely<Database>,
  command: string,
  timeoutMs: number,
  clock: LockClock,
): Promise<LockResult> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const holder: LockHolder = { pid: process.pid, host: hostname(), since: clock.now().toISOString(), command };
    const inserted = await insertLock(db, holder).executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows === 1n) return { kind: 'acquired', release: releaser(db, holder) };
    const left = deadline - performance.now();
    if (left <= 0) {
      const current = await readLock(db);
      // Released between our INSERT and this read: try again rather than report nobody.
      if (current !== undefined) return { kind: 'held', holder: current, dead: isDead(current) };
    } else {
      await sleep(Math.min(clock.pollMs, left));
    }
  }
}

export async function readLock(db: Kysely<Database>): Promise<LockHolder | undefined> {
  return db
    .selectFrom('lock')
    .select(['pid', 'host', 'since', 'command'])
    .where('id', '=', LOCK_ID)
    .executeTakeFirst();
}

export async function breakLock(db: Kysely<Database>): Promise<LockHolder | undefined> {
  return db
    .deleteFrom('lock')
    .where('id', '=', LOCK_ID)
    .returning(['pid', 'host', 'since', 'command'])
    .executeTakeFirst();
}

/** The holder is a process on this host that no longer exists. A holder elsewhere cannot be checked. */
export function isDead(holder: LockHolder, host: string = hostname()): boolean {
  if (holder.host !== host) return false;
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return true; // kill(0 or negative) would signal a group
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, just not ours
  }
}

/** Deletes the row only if it is still ours (a `breakLock` and a new holder may have replaced it); once. */
function releaser(db: Kysely<Database>, holder: LockHolder): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await db
      .deleteFrom('lock')
      .where('id', '=', LOCK_ID)
      .where('pid', '=', holder.pid)
      .where('host', '=', holder.host)
      .where('since', '=', holder.since)
      .execute();
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
