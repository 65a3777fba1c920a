/** Sensitive values in a manifest diff, hidden for display (they are already digests; show neither). */
import { maskSensitive } from '../core/mask.js';
import type { AttributeDiff } from '../core/plan.js';
import type { Attributes, Resource } from '../core/resource.js';
import { SHOWN_MASK } from './mask.js';

export function maskAttributes(r: Resource): Attributes {
  return r.sensitive?.length ? maskSensitive(r.attributes, r.sensitive, () => SHOWN_MASK) : r.attributes;
}

/** A diff whose path is sensitive, or lies under / above a sensitive path, shows neither value. */
export function maskDiffs(diffs: readonly AttributeDiff[], sensitive: readonly string[] | undefined): readonly AttributeDiff[] {
  if (!sensitive?.length) return diffs;
  const hit = (path: string) => sensitive.some((s) => matches(s, path) || path.startsWith(`${s}.`) || s.startsWith(`${path}.`));
  return diffs.map((d) => {
    if (!hit(d.path)) return d;
    const { unified: _unified, ...rest } = d; // a sensitive text's lines are the secret
    return { ...rest, ...(d.before === undefined ? {} : { before: SHOWN_MASK }), ...(d.after === undefined ? {} : { after: SHOWN_MASK }) };
  });
}

/** `env.*` matches `env.API_KEY`. */
function matches(pattern: string, path: string): boolean {
  const p = pattern.split('.');
  const q = path.split('.');
  return p.length === q.length && p.every((seg, i) => seg === '*' || seg === q[i]);
}
