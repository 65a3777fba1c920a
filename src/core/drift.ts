/** Drift: what changed outside gaia since the last apply. The recorded attributes stand in for
 *  the manifest (they are what gaia last made), so the kinds' own compare rules say what moved —
 *  without looking at what the manifest now wants. Pure. */
import type { KindSpecs } from './kind.js';
import { PENDING_PREFIX, type AttributeDiff, type Reason } from './plan.js';
import type { Digests } from './digest.js';
import { isMasked } from './mask.js';
import type { Json, Observed, Recorded, Resource } from './resource.js';

export type DriftKind =
  /** gaia made it and it is gone: a session killed, a database deleted. */
  | 'missing'
  /** It is there but not as gaia made it: a file edited, a worktree on another branch. */
  | 'changed';

export interface DriftEntry {
  readonly kind: string;
  readonly address: string;
  readonly drift: DriftKind;
  readonly reasons: readonly Reason[];
  /** `before` is what gaia applied, `after` what is there now. */
  readonly diffs: readonly AttributeDiff[];
  /** The change would need a replace to undo (a compare rule said so). */
  readonly replace?: boolean;
}

export interface DriftReport {
  readonly entries: readonly DriftEntry[];
  /** Owned things checked. */
  readonly checked: number;
  /** Records of creates that never finished (write-ahead): not drift, the next apply completes them. */
  readonly pending: readonly string[];
}

export function detectDrift(recorded: readonly Recorded[], observed: readonly Observed[], specs: KindSpecs, digests: Digests): DriftReport {
  const seen = new Map(observed.map((o) => [o.address, o]));
  const entries: DriftEntry[] = [];
  const pending: string[] = [];
  let checked = 0;
  for (const r of [...recorded].sort((a, b) => a.address.localeCompare(b.address))) {
    if (r.specHash.startsWith(PENDING_PREFIX)) {
      pending.push(r.address);
      continue;
    }
    checked++;
    const spec = specs[r.kind];
    const o = seen.get(r.address);
    if (!o) {
      const text = spec?.missingText ?? `${r.kind.replace(/_/g, ' ')} missing`;
      entries.push({ kind: r.kind, address: r.address, drift: 'missing', reasons: [{ code: 'gone', text: `${text} (removed outside gaia)` }], diffs: [] });
      continue;
    }
    if (!spec) continue; // a kind no provider handles any more: nothing to compare with
    const asDesired: Resource = { kind: r.kind, address: r.address, attributes: r.attributes, dependsOn: r.dependsOn };
    const cmp = spec.compare(asDesired, o, r, digests);
    if (cmp.kind === 'same') continue;
    entries.push({
      kind: r.kind,
      address: r.address,
      drift: 'changed',
      reasons: cmp.reasons,
      // compare() speaks from the manifest's side (observed → desired); drift reads recorded → observed.
      diffs: cmp.diffs.map((d) => flip(d, digests)),
      ...(cmp.kind === 'replace' ? { replace: true } : {}),
    });
  }
  return { entries, checked, pending };
}

function flip(d: AttributeDiff, digests: Digests): AttributeDiff {
  const { before, after, unified, ...rest } = d;
  return {
    ...rest,
    ...(after === undefined ? {} : { before: after }),
    ...(before === undefined ? {} : { after: maskLike(after, before, digests) }),
    ...(unified === undefined ? {} : { unified: reverseUnified(unified) }),
  };
}

/** Where gaia recorded a secret as a digest, what is observed there is a secret too: show its digest. */
export function maskLike(recorded: Json | undefined, observed: Json, digests: Digests): Json {
  if (isMasked(recorded)) return isMasked(observed) ? observed : digests.digest(observed);
  if (recorded && observed && typeof recorded === 'object' && typeof observed === 'object' && !Array.isArray(recorded) && !Array.isArray(observed)) {
    const rec = recorded as { readonly [key: string]: Json };
    const obs = observed as { readonly [key: string]: Json };
    return Object.fromEntries(Object.entries(obs).map(([k, v]) => [k, maskLike(rec[k], v, digests)]));
  }
  return observed;
}

/** A unified diff read the other way: `-` and `+` swapped, headers and hunk ranges too. */
export function reverseUnified(text: string): string {
  let inHunks = false;
  const out = text.split('\n').map((line) => {
    const hunk = /^@@ -(\S+) \+(\S+) @@(.*)$/.exec(line);
    if (hunk) {
      inHunks = true;
      return `@@ -${hunk[2]} +${hunk[1]} @@${hunk[3]}`;
    }
    // Before the first hunk, `---`/`+++` are the file headers; inside, ordinary changed lines.
    if (!inHunks && line.startsWith('--- ')) return `+++ ${line.slice(4)}`;
    if (!inHunks && line.startsWith('+++ ')) return `--- ${line.slice(4)}`;
    if (inHunks && line.startsWith('-')) return `+${line.slice(1)}`;
    if (inHunks && line.startsWith('+')) return `-${line.slice(1)}`;
    return line;
  });
  const minus = out.findIndex((l) => l.startsWith('--- '));
  const plus = out.findIndex((l) => l.startsWith('+++ '));
  if (plus >= 0 && minus > plus) [out[plus], out[minus]] = [out[minus]!, out[plus]!];
  return out.join('\n');
}

export function hasDrift(report: DriftReport): boolean {
  return report.entries.length > 0;
}
