/** Self-heal back-off: a session that died is restarted at once the first time, then after
 *  30 s, 1 m, 2 m … (capped); one that keeps dying is crash-looping. Kubernetes' rule for
 *  resetting: a session that stays up long enough is forgiven. Pure: time comes in as numbers. */

export interface BackoffPolicy {
  /** Delay before the second restart; each later one doubles it. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** Restarts without a long enough healthy run before a session is called crash-looping. */
  readonly crashLoopAfter: number;
  /** Alive this long after its last restart: the count starts again. */
  readonly resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 10 * 60_000, crashLoopAfter: 3, resetAfterMs: 10 * 60_000 };

export interface BackoffEntry {
  /** Restarts since the session last ran for `resetAfterMs`. */
  readonly restarts: number;
  /** Epoch ms of the last restart. */
  readonly lastRestart: number;
  /** The session's last lines before it died, when they could be captured. */
  readonly lastOutput?: string;
}

export type BackoffState = { readonly [address: string]: BackoffEntry };

export type HealDecision =
  | { readonly kind: 'restart'; readonly attempt: number }
  | { readonly kind: 'wait'; readonly until: number; readonly attempt: number };

/** How long after restart number `restarts` the next one may happen. */
export function delayAfter(restarts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (restarts <= 0) return 0;
  return Math.min(policy.baseMs * 2 ** (restarts - 1), policy.maxMs);
}

export function decide(entry: BackoffEntry | undefined, now: number, policy: BackoffPolicy = DEFAULT_BACKOFF): HealDecision {
  const restarts = entry?.restarts ?? 0;
  const until = (entry?.lastRestart ?? 0) + delayAfter(restarts, policy);
  return now >= until ? { kind: 'restart', attempt: restarts + 1 } : { kind: 'wait', until, attempt: restarts + 1 };
}

export function restarted(state: BackoffState, address: string, now: number, lastOutput?: string): BackoffState {
  const prev = state[address];
  const output = lastOutput ?? prev?.lastOutput;
  return { ...state, [address]: { restarts: (prev?.restarts ?? 0) + 1, lastRestart: now, ...(output ? { lastOutput: output } : {}) } };
}

/** Sessions seen alive: forgiven once they have run long enough; gone from the manifest: forgotten. */
export function settle(state: BackoffState, alive: ReadonlySet<string>, known: ReadonlySet<string>, now: number, policy: BackoffPolicy = DEFAULT_BACKOFF): BackoffState {
  const out: Record<string, BackoffEntry> = {};
  for (const [address, entry] of Object.entries(state)) {
    if (!known.has(address)) continue;
    if (alive.has(address) && now - entry.lastRestart >= policy.resetAfterMs) continue;
    out[address] = entry;
  }
  return out;
}

export function isCrashLooping(entry: BackoffEntry | undefined, policy: BackoffPolicy = DEFAULT_BACKOFF): boolean {
  return (entry?.restarts ?? 0) >= policy.crashLoopAfter;
}

/** Stored as JSON in the state store; anything unreadable starts afresh rather than failing a round. */
export function parseBackoff(text: string | undefined): BackoffState {
  if (!text) return {};
  try {
    const raw = JSON.parse(text) as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    const out: Record<string, BackoffEntry> = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      const e = v as Partial<BackoffEntry> | null;
      if (e && typeof e.restarts === 'number' && typeof e.lastRestart === 'number') {
        out[k] = { restarts: e.restarts, lastRestart: e.lastRestart, ...(typeof e.lastOutput === 'string' ? { lastOutput: e.lastOutput } : {}) };
      }
    }
    return out;
  } catch {
    return {};
  }
}
