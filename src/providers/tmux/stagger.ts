/** Staggered starts: a group's `policy.maxConcurrentStarts` lets at most that many of its sessions
 *  start together, then apply pauses `startInterval` before the next round, so ten agents do not call
 *  one provider's API in the same second. Pure: changes in, rounds (indices) out. */
import type { Change } from '../../core/plan.js';

export interface StartLimit {
  readonly concurrent: number;
  readonly intervalMs: number;
}

export function startLimitOf(change: Change): StartLimit | undefined {
  if (change.action !== 'create' && change.action !== 'replace') return undefined;
  const v = change.after?.startLimit;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const { concurrent, intervalMs } = v as { readonly concurrent?: unknown; readonly intervalMs?: unknown };
  if (typeof concurrent !== 'number' || concurrent < 1) return undefined;
  return { concurrent: Math.floor(concurrent), intervalMs: typeof intervalMs === 'number' && intervalMs >= 0 ? intervalMs : 0 };
}

export interface Round {
  /** Positions in the batch handed to apply. */
  readonly indices: readonly number[];
  /** How long to wait before this round starts. */
  readonly delayMs: number;
}

/** Round 0 holds everything unlimited and each limited group's first `concurrent` starts; round k its k-th slice. */
export function startRounds(changes: readonly Change[]): readonly Round[] {
  const rounds: { indices: number[]; delayMs: number }[] = [{ indices: [], delayMs: 0 }];
  const seen = new Map<string, number>();
  changes.forEach((change, i) => {
    const limit = startLimitOf(change);
    const group = typeof change.after?.group === 'string' ? change.after.group : change.address;
    if (!limit) {
      rounds[0]!.indices.push(i);
      return;
    }
    const n = seen.get(group) ?? 0;
    seen.set(group, n + 1);
    const k = Math.floor(n / limit.concurrent);
    while (rounds.length <= k) rounds.push({ indices: [], delayMs: 0 });
    rounds[k]!.indices.push(i);
    if (k > 0) rounds[k]!.delayMs = Math.max(rounds[k]!.delayMs, limit.intervalMs);
  });
  return rounds.filter((r) => r.indices.length > 0);
}
