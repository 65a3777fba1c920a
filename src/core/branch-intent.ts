/** One intent per branch: what an environment's worktree may have checked out and still be doing
 *  the environment's work. Status, health, `gaia git` and the planner all ask this one question.
 *
 *  The rule: the worktree is on its intent when it has the environment's `branch:` checked out, or
 *  a feature branch (`feature/…`, what `gaia git feature` makes from that branch). A feature branch
 *  is the environment's current work: the planner leaves it checked out, status counts it against
 *  the base (as `gaia git sync`, `rebase` and `reset` act on it), health calls it information. Any
 *  other branch, or a detached HEAD, is off the intent: health warns and apply switches back. */

/** What `gaia git feature NAME` names its branches with. */
export const FEATURE_PREFIX = 'feature/';

export type BranchIntent =
  /** The environment's own branch is checked out. */
  | 'branch'
  /** A feature branch is: the environment's current work. */
  | 'feature'
  /** Some other branch. */
  | 'other'
  /** No branch (detached HEAD, or mid-rebase). */
  | 'detached';

export function branchIntent(checkedOut: string | null, envBranch: string): BranchIntent {
  if (checkedOut === null) return 'detached';
  if (checkedOut === envBranch) return 'branch';
  return isFeatureBranch(checkedOut) ? 'feature' : 'other';
}

export const isFeatureBranch = (name: string): boolean => name.startsWith(FEATURE_PREFIX) && name.length > FEATURE_PREFIX.length;

/** Checked out is what the environment is for: its branch or one of its features. */
export const onIntent = (checkedOut: string | null, envBranch: string): boolean => {
  const i = branchIntent(checkedOut, envBranch);
  return i === 'branch' || i === 'feature';
};
