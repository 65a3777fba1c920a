/** The report's git workflow as data: which operations exist, what they need, the pure helpers
 *  (feature-branch names, what a preview says would be lost, how a conflict is explained) and the
 *  outcome each environment reports. `git-run.ts` executes them. */
import { FEATURE_PREFIX } from '../core/branch-intent.js';

export const GIT_OPS = ['status', 'sync', 'feature', 'commit', 'push', 'pull', 'log', 'diff', 'clean', 'rebase', 'reset'] as const;
export type GitOp = (typeof GIT_OPS)[number];

export const isGitOp = (s: string): s is GitOp => (GIT_OPS as readonly string[]).includes(s);

/** Looking only: these run on every environment when none is named. */
export const READ_ONLY_OPS: readonly GitOp[] = ['status', 'log', 'diff'];
/** Refused while a merge or rebase waits for the user: they would pile onto a half-done state. */
export const BLOCKED_MID_OPERATION: readonly GitOp[] = ['sync', 'feature', 'commit', 'pull', 'rebase'];
/** Discard work: without --force they only say what they would discard. */
export const DESTRUCTIVE_OPS: readonly GitOp[] = ['clean', 'reset'];

export interface GitOpOptions {
  /** commit -m */
  readonly message?: string;
  /** feature NAME */
  readonly name?: string;
  readonly force: boolean;
  readonly remote: string;
  /** log -n */
  readonly count: number;
  /** diff: the whole patch instead of --stat */
  readonly patch: boolean;
  /** reset --to REF (default: the environment's base) */
  readonly to?: string;
  /** Local date, YYYY-MM-DD, for feature branch names. */
  readonly today: string;
  /** More than one environment is targeted (feature names then carry the environment). */
  readonly several: boolean;
}

export type OutcomeStatus = 'ok' | 'noop' | 'conflict' | 'refused' | 'failed';

export interface GitOutcome {
  readonly env: string;
  readonly op: GitOp;
  readonly status: OutcomeStatus;
  /** Exit code of the command that decided the outcome (0 for refusals gaia made itself). */
  readonly exitCode: number;
  /** One line for the summary. */
  readonly summary: string;
  /** What the commands printed, for ops that show something (status, log, diff, previews). */
  readonly output: string;
  readonly conflicts?: readonly string[];
  /** What a destructive op would discard (or did). */
  readonly discard?: readonly string[];
}

export const failedOutcome = (o: GitOutcome): boolean => o.status === 'conflict' || o.status === 'refused' || o.status === 'failed';

export function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** `feature/2026-02-16-login-form`; `-dev2` added when several environments each get one
 *  (a branch can be checked out in only one worktree). Undefined when NAME cannot be a branch. */
export function featureBranch(name: string, today: string, env: string, several: boolean): string | undefined {
  const slug = name.trim().replace(/\s+/g, '-').replace(/[^A-Za-z0-9._-]/g, '').replace(/^[-.]+|[-.]+$/g, '').replace(/\.{2,}/g, '.');
  if (!slug || slug.endsWith('.lock')) return undefined;
  return `${FEATURE_PREFIX}${today}-${slug}${several ? `-${env}` : ''}`;
}

/** `Would remove build/` lines of `git clean -n -d`. */
export function parseCleanPreview(stdout: string): readonly string[] {
  return stdout.split('\n').map((l) => /^Would remove (.+)$/.exec(l)?.[1]).filter((f): f is string => f !== undefined);
}

export function conflictMessage(op: 'rebase' | 'merge', files: readonly string[]): string {
  const list = files.join(', ');
  return op === 'rebase'
    ? `rebase stopped with conflicts in ${list}; resolve them and run \`git rebase --continue\`, or run \`git rebase --abort\``
    : `merge stopped with conflicts in ${list}; resolve them and commit, or run \`git merge --abort\``;
}

/** The last few non-empty lines of some output, for the closing table. */
export function tail(text: string, lines = 2): string {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(-lines).join(' | ');
}
