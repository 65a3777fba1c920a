/** The pure rules the planner applies to git kinds. No I/O. */
import type { Comparison, KindSpec, Unowned } from '../../core/kind.js';
import { onIntent } from '../../core/branch-intent.js';
import type { AttributeDiff, Reason } from '../../core/plan.js';
import type { Attributes, Json, Observed, Resource } from '../../core/resource.js';
import { BRANCH_KIND, WORKTREE_KIND, parseBranch, parseWorktree, readFoundWorktree, samePath } from './model.js';

const SAME: Comparison = { kind: 'same' };

/** Identity attributes that differ between what gaia owns (observed at its recorded place) and
 *  what the manifest wants: they cannot change in place, so the thing is replaced. */
function identityDiffs(desired: Attributes, observed: Attributes, keys: readonly string[], paths: ReadonlySet<string>): AttributeDiff[] {
  return keys
    .filter((key) => {
      const [a, b] = [desired[key], observed[key]];
      if (typeof a === 'string' && typeof b === 'string' && paths.has(key)) return !samePath(a, b);
      return a !== b;
    })
    .map((key) => ({ path: key, before: observed[key] ?? null, after: desired[key] ?? null, forcesReplace: true }));
}

const replace = (reason: Reason, diffs: readonly AttributeDiff[]): Comparison => ({ kind: 'replace', reasons: [reason], diffs });

export const branchSpec: KindSpec = {
  kind: BRANCH_KIND,
  missingText: 'branch missing',
  compare(desired, observed) {
    const diffs = identityDiffs(desired.attributes, observed.attributes, ['repo', 'name'], new Set(['repo']));
    if (diffs.length) return replace({ code: 'branch_renamed', text: 'branch name or repository changed' }, diffs);
    // `base` only decides where a new branch starts. Once it exists the branch moves with its
    // commits; a changed base is not drift and does not recreate it (so: same, and no diff).
    return SAME;
  },
  unowned(desired) {
    const name = parseBranch(desired.attributes);
    return {
      kind: 'conflict',
      text: `branch ${name.ok ? name.value.name : desired.address} exists and gaia did not create it`,
      fix: 'remove or rename it, or if gaia made it before its state store was lost, run `gaia state rebuild`',
    };
  },
};

export const worktreeSpec: KindSpec = {
  kind: WORKTREE_KIND,
  missingText: 'worktree missing',
  compare(desired, observed) {
    const want = parseWorktree(desired.attributes);
    const found = readFoundWorktree(observed.attributes);
    if (!want.ok || !found.ok) return SAME; // validation reports malformed manifests; nothing to plan here
    const w = want.value;
    const f = found.value;
    if (w.source !== f.source) {
      return replace({ code: 'source_changed', text: `worktree source changed to ${w.source}` }, [
        { path: 'source', before: f.source, after: w.source, forcesReplace: true },
      ]);
    }
    // The path (and repository) is the identity: a worktree elsewhere is a different one.
    const identity = identityDiffs(desired.attributes, observed.attributes, w.source === 'worktree' ? ['repo', 'path'] : ['path'], new Set(['repo', 'path']));
    if (identity.length) return replace({ code: 'path_changed', text: 'worktree path changed' }, identity);
    if (f.notAWorktree) {
      // Apply refuses to remove it: the plan shows the replace, apply fails saying why.
      return replace({ code: 'not_a_worktree', text: `a directory that is not a ${w.source === 'clone' ? 'clone' : 'worktree'} is in the way` }, []);
    }
    if (f.prunable) return replace({ code: 'worktree_dir_missing', text: 'worktree directory is missing' }, []);
    // A feature branch made from the environment's branch is its current work, not drift
    // (src/core/branch-intent.ts): only another branch or a detached HEAD is switched back.
    if (!onIntent(f.branch, w.branch)) {
      return {
        kind: 'update',
        reasons: [{ code: 'branch_not_checked_out', text: 'branch exists but is not checked out in the worktree' }],
        diffs: [{ path: 'branch', before: f.branch, after: w.branch }],
      };
    }
    // A clone's url and base only matter when it is made, like a branch's base.
    return SAME;
  },
  unowned(desired: Resource, observed: Observed): Unowned {
    const where = pathOf(observed.attributes.path) ?? pathOf(desired.attributes.path) ?? desired.address;
    const attrs = observed.attributes;
    if (attrs.notAWorktree === true) {
      return {
        kind: 'conflict',
        text: `a directory exists at ${where} that is not a ${attrs.source === 'clone' ? 'git clone' : 'worktree of ' + String(attrs.repo ?? 'the repository')} and gaia did not create it`,
        fix: 'move it away, or change the path in the manifest',
      };
    }
    if (attrs.prunable === true) {
      return {
        kind: 'conflict',
        text: `a worktree registered at ${where} (its directory is missing) that gaia did not create`,
        fix: `unregister it with \`git worktree prune\` in ${String(attrs.repo ?? 'the repository')}`,
      };
    }
    return {
      kind: 'conflict',
      text: `a worktree/directory exists at ${where} that gaia did not create`,
      fix: 'remove it, or if gaia made it before its state store was lost, run `gaia state rebuild`',
    };
  },
};

const pathOf = (value: Json | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export const gitKinds: { readonly [kind: string]: KindSpec } = {
  [BRANCH_KIND]: branchSpec,
  [WORKTREE_KIND]: worktreeSpec,
};
