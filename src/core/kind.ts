/** What the pure planner needs to know about a kind, supplied by its provider (no I/O here). */
import type { Digests } from './digest.js';
import type { AttributeDiff, Conflict, Hazard, Reason } from './plan.js';
import type { Observed, Recorded, Resource } from './resource.js';

export type Comparison =
  | { readonly kind: 'same' }
  | { readonly kind: 'update'; readonly reasons: readonly Reason[]; readonly diffs: readonly AttributeDiff[] }
  | { readonly kind: 'replace'; readonly reasons: readonly Reason[]; readonly diffs: readonly AttributeDiff[] };

/** Something exists under the desired name but gaia does not own it. */
export type Unowned =
  | { readonly kind: 'adopt'; readonly reason: Reason }
  | { readonly kind: 'conflict'; readonly text: string; readonly fix?: string };

export interface KindSpec {
  readonly kind: string;
  /** Compare what gaia owns and observes with what the manifest wants. Sensitive values in `desired`
   *  and `recorded` are digests; `digests` checks an observed value against one. */
  compare(desired: Resource, observed: Observed, recorded: Recorded | undefined, digests?: Digests): Comparison;
  /** Decide about a same-named thing gaia does not own. Default: conflict. */
  unowned?(desired: Resource, observed: Observed, digests?: Digests): Unowned;
  /** Warnings about deleting or replacing this thing (rows lost, a running agent stopped). */
  hazards?(observed: Observed, action: 'delete' | 'replace'): readonly Hazard[];
  /** The ownership hash of a desired resource (what a tmux `@gaia-spec` marker holds). Default: hash of kind and attributes. */
  specHash?(desired: Resource): string;
  /** A phrase for the missing thing: "session missing", "worktree missing". */
  readonly missingText?: string;
}

export type KindSpecs = { readonly [kind: string]: KindSpec };

export type { Conflict };
