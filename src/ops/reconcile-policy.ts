/** The manifest's sync policy applied to a plan, before anything runs. Pure: a plan, what is recorded,
 *  the back-off state and a time in; the plan to apply and what was held back (and why) out. */
import type { Digests } from '../core/digest.js';
import { canonicalJson } from '../core/hash.js';
import { PENDING_PREFIX, summarise, type Change, type Plan } from '../core/plan.js';
import { storedAttributes } from '../core/planner.js';
import type { Recorded } from '../core/resource.js';
import type { SyncSpec } from '../manifest/types.js';
import { decide, type BackoffPolicy, type BackoffState } from './reconcile-backoff.js';

export interface SyncPolicy {
  readonly mode: 'auto' | 'manual';
  readonly prune: boolean;
  readonly selfHeal: boolean;
}

export function syncPolicy(spec: SyncSpec | undefined): SyncPolicy {
  return { mode: spec?.mode ?? 'auto', prune: spec?.prune ?? false, selfHeal: spec?.selfHeal ?? false };
}

/** Why a change is in the plan: the manifest moved (sync), the world drifted (heal), or the manifest dropped it (prune). */
export type Cause = 'sync' | 'heal' | 'prune';

/** A change whose desired attributes are exactly what gaia last applied is repairing drift, not
 *  following the manifest. (The spec hash alone is not enough: a session's leaves out its group.) */
export function causeOf(c: Change, recorded: ReadonlyMap<string, Recorded>, digests: Digests): Cause {
  if (c.action === 'delete') return 'prune';
  const r = recorded.get(c.address);
  if (c.action === 'adopt' || !r || r.specHash.startsWith(PENDING_PREFIX)) return 'sync';
  // A thing made anew is hashed with fresh keyed digests, which a record from before keys (or from a
  // lost key) does not hold: for one with sensitive values, its attributes against the record decide.
  if (r.specHash !== c.specHash && !c.sensitive?.length) return 'sync';
  const want = storedAttributes({ attributes: c.after ?? {}, ...(c.sensitive ? { sensitive: c.sensitive } : {}) }, digests, r.attributes);
  const same = Object.keys(want).every((k) => canonicalJson(want[k]) === canonicalJson(r.attributes[k]));
  return same ? 'heal' : 'sync';
}

export type HoldReason =
  | { readonly kind: 'prune_off' }
  | { readonly kind: 'self_heal_off' }
  | { readonly kind: 'backoff'; readonly until: number; readonly attempt: number }
  | { readonly kind: 'needs'; readonly address: string };

export interface Held {
  readonly change: Change;
  readonly why: HoldReason;
}

export interface PolicyOutcome {
  /** The plan to apply: what the policy allows, in the original order. */
  readonly plan: Plan;
  readonly held: readonly Held[];
  /** Sessions about to be restarted by self-heal, with the attempt number. */
  readonly restarts: readonly { readonly address: string; readonly attempt: number }[];
}

/** Only sessions back off: restarting a program that keeps dying is the tight loop to avoid. */
const backsOff = (c: Change) => c.kind === 'tmux_session' && (c.action === 'create' || c.action === 'replace');

export function applyPolicy(
  plan: Plan, recorded: readonly Recorded[], digests: Digests, policy: SyncPolicy, backoff: BackoffState, now: number, backoffPolicy?: BackoffPolicy,
): PolicyOutcome {
  const byAddress = new Map(recorded.map((r) => [r.address, r]));
  const held: Held[] = [];
  const heldAt = new Set<string>();
  const kept: Change[] = [];
  const restarts: { address: string; attempt: number }[] = [];
  const hold = (change: Change, why: HoldReason) => {
    held.push({ change, why });
    heldAt.add(change.address);
  };
  for (const c of plan.changes) {
    if (c.action === 'noop') {
      kept.push(c);
      continue;
    }
    const cause = causeOf(c, byAddress, digests);
    if (cause === 'prune' && !policy.prune) {
      hold(c, { kind: 'prune_off' });
      continue;
    }
    if (cause === 'heal' && !policy.selfHeal) {
      hold(c, { kind: 'self_heal_off' });
      continue;
    }
    // Changes come in dependency order: what waits for a held change is held too.
    const blocker = c.action === 'delete' ? undefined : c.dependsOn.find((d) => heldAt.has(d));
    if (blocker) {
      hold(c, { kind: 'needs', address: blocker });
      continue;
    }
    if (cause === 'heal' && backsOff(c)) {
      const d = decide(backoff[c.address], now, backoffPolicy);
      if (d.kind === 'wait') {
        hold(c, { kind: 'backoff', until: d.until, attempt: d.attempt });
        continue;
      }
      restarts.push({ address: c.address, attempt: d.attempt });
    }
    kept.push(c);
  }
  return { plan: { ...plan, changes: kept, summary: summarise(kept, plan.conflicts.length) }, held, restarts };
}
