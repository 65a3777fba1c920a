/** The apply lock's proof of life on a shared PostgreSQL store: a session-level advisory lock, on a
 *  connection of the holder's own kept open for the lock's whole life. The server drops the lock the
 *  moment that connection ends — the holder exited, crashed or was killed (its kernel closes the
 *  socket) — so a lock found free was certainly let go, whatever the lock row still says; a machine
 *  that vanished from the network is noticed when the server's TCP keepalive gives up on it.
 *
 *  Advisory locks count per session (a session may take one twice): each hold is a connection of its
 *  own, so two holds in one process exclude each other as two processes do. */
import type pg from 'pg';
import type { HeldGuard, HolderGuard } from './holder-guard.js';
import { LockLost } from './store.js';

/** The advisory lock's key (a bigint of gaia's own, in the store's database: keys are per database). */
export const APPLY_LOCK_KEY = 7_233_001_004_212_061n;

export function advisoryGuard(connect: () => Promise<pg.Client>): HolderGuard {
  /** A connection that failed to take the lock, kept for the next try (a waiting apply polls). */
  let spare: pg.Client | undefined;
  return {
    async tryHold(): Promise<HeldGuard | undefined> {
      const client = spare ?? (await connect());
      spare = undefined;
      let taken: boolean;
      try {
        const result = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS taken', [APPLY_LOCK_KEY.toString()]);
        taken = result.rows[0]?.taken === true;
      } catch (error) {
        await end(client);
        throw error;
      }
      if (!taken) {
        spare = client;
        return undefined;
      }
      // The server dropped the lock with the connection (restart, network, terminated backend).
      const lost = new AbortController();
      let releasing = false;
      const onGone = () => {
        if (!releasing) lost.abort(new LockLost('the connection holding the lock ended'));
      };
      client.on('error', onGone);
      client.on('end', onGone);
      return {
        lost: lost.signal,
        // Unlocked before the connection ends, so whoever tries next finds it free, not a moment later.
        release: async () => {
          releasing = true;
          await client.query('SELECT pg_advisory_unlock($1)', [APPLY_LOCK_KEY.toString()]).catch(() => undefined);
          await end(client);
        },
      };
    },
    async close() {
      const idle = spare;
      spare = undefined;
      if (idle) await end(idle);
    },
  };
}

async function end(client: pg.Client): Promise<void> {
  await client.end().catch(() => undefined);
}
