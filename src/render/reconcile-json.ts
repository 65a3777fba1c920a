/** A `gaia reconcile --json` round: the outcome without its plan, what was held back by address, the apply's results. */
import type { RoundOutcome } from '../ops/reconcile.js';

export function reconcileRoundJson(o: RoundOutcome): unknown {
  const { plan: _plan, apply, held, ...rest } = o;
  return { ...rest, held: held.map((h) => ({ address: h.change.address, action: h.change.action, why: h.why })), ...(apply ? { apply: apply.results } : {}) };
}
