/** Everything a renderer shows goes through here first: sensitive values never reach the screen or a file. */
import { maskSensitive } from '../core/mask.js';
import type { AttributeDiff, Change, Plan } from '../core/plan.js';
import type { Attributes } from '../core/resource.js';

export const SHOWN_MASK = '(sensitive)';

function maskAttrs(a: Attributes | undefined, paths: readonly string[] | undefined): Attributes | undefined {
  return a && paths?.length ? maskSensitive(a, paths, () => SHOWN_MASK) : a;
}

export function maskChange(c: Change): Change {
  if (!c.sensitive?.length) return c;
  const hidden = new Set(c.sensitive);
  const before = maskAttrs(c.before, c.sensitive);
  const after = maskAttrs(c.after, c.sensitive);
  return {
    ...c,
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    diffs: c.diffs.map((d) => (hidden.has(d.path) ? hideDiff(d) : d)),
  };
}

/** Neither value, nor the unified diff of a sensitive text (its lines are the secret). */
function hideDiff(d: AttributeDiff): AttributeDiff {
  const { unified: _unified, ...rest } = d;
  return { ...rest, before: SHOWN_MASK, after: SHOWN_MASK };
}

export function maskPlan(plan: Plan): Plan {
  return { ...plan, changes: plan.changes.map(maskChange), ...(plan.moves ? { moves: plan.moves.map(maskChange) } : {}) };
}
