/** The git a GitOps round needs, through the Executor: where the manifest sits in its repository,
 *  fetching, resolving refs, and moving the machine's working copy forward (never backward, never
 *  over local work). Failures come back as data with the command and its stderr. */
import path from 'node:path';
import { describeFailure, type CommandResult, type Executor } from '../host/exec.js';
import type { Host, HostFiles } from '../host/host.js';

export type GitResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface RepoLocation {
  /** Absolute top level of the working copy. */
  readonly top: string;
  /** The manifest's path inside the repository, with `/` separators (`orchestration.yaml`, `deploy/gaia.yaml`). */
  readonly manifest: string;
  /** The current branch's upstream (`origin/main`), when asked for and configured. */
  readonly upstream?: string;
}

export function git(exec: Executor, repo: string, args: readonly string[], input?: string): Promise<CommandResult> {
  return exec.run(['git', '-C', repo, ...args], input === undefined ? {} : { input });
}

const ok = <T>(value: T): GitResult<T> => ({ ok: true, value });
const fail = <T>(r: CommandResult): GitResult<T> => ({ ok: false, error: describeFailure(r) });

/** The repository holding `manifestFile` (or `repo` when given), the manifest's path inside it, and
 *  with `upstream` the current branch's upstream — one git process when there is one. */
export async function locate(host: Host, manifestFile: string, repo?: string, upstream = false): Promise<GitResult<RepoLocation>> {
  const abs = path.resolve(manifestFile);
  const dir = repo ?? path.dirname(abs);
  // Without the upstream to ask for, the top level is found in-process: the nearest folder with a `.git`.
  const found = upstream ? undefined : nearestGitTop(host.files, path.resolve(dir));
  if (found) return within(found, abs);
  const ask = (withUpstream: boolean) => git(host, dir, ['rev-parse', '--show-toplevel', ...(withUpstream ? ['--abbrev-ref', '--symbolic-full-name', '@{upstream}'] : [])]);
  let r = await ask(upstream);
  // No upstream configured (or a detached HEAD) fails the whole call: ask again without it.
  if (r.failed && upstream) r = await ask(false);
  if (r.failed) return { ok: false, error: `${dir} is not inside a git repository (${describeFailure(r)})` };
  const [top, up] = r.stdout.trim().split('\n') as [string, string | undefined];
  return within(top, abs, up);
}

function within(top: string, abs: string, upstream?: string): GitResult<RepoLocation> {
  const rel = path.relative(top, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return { ok: false, error: `the manifest ${abs} is not inside the repository ${top}` };
  return ok({ top, manifest: rel.split(path.sep).join('/'), ...(upstream ? { upstream } : {}) });
}

/** The working copy's top level: the nearest folder holding `.git` (a folder, or a file in a linked worktree). */
export function nearestGitTop(files: HostFiles, dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (files.exists(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The commit a ref names, or undefined when it names none. */
export async function resolveCommit(exec: Executor, repo: string, ref: string): Promise<string | undefined> {
  const r = await git(exec, repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  return r.failed ? undefined : r.stdout.trim();
}

/** `git fetch` what `ref` needs: its remote when it reads `<remote>/<branch>`, else the default
 *  remote (none configured: nothing to do). One git process in the usual case, unlike `--all`. */
export async function fetchFor(exec: Executor, repo: string, ref: string): Promise<GitResult<void>> {
  const remote = /^(?:refs\/remotes\/)?([^/]+)\/./.exec(ref)?.[1];
  if (remote) {
    // No auto-maintenance: a round every 30 s must not start `git maintenance` each time.
    const r = await git(exec, repo, ['fetch', '--quiet', '--prune', '--no-auto-maintenance', '--', remote]);
    if (!r.failed) return ok(undefined);
    // Not a remote after all (a local branch named with a slash): fetch them all.
    const all = await git(exec, repo, ['fetch', '--all', '--quiet', '--prune', '--no-auto-maintenance']);
    return all.failed ? fail(r) : ok(undefined);
  }
  const r = await git(exec, repo, ['fetch', '--quiet', '--prune', '--no-auto-maintenance']);
  return r.failed ? fail(r) : ok(undefined);
}

/** Where a pull request branched off: the merge base of HEAD with the default branch
 *  (origin/HEAD, else origin/main, origin/master, main, master). */
export async function defaultBase(exec: Executor, repo: string): Promise<GitResult<{ readonly ref: string; readonly revision: string }>> {
  const head = await git(exec, repo, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  const candidates = [...(head.failed ? [] : [head.stdout.trim()]), 'origin/main', 'origin/master', 'main', 'master'];
  for (const ref of candidates) {
    if (!(await resolveCommit(exec, repo, ref))) continue;
    const mb = await git(exec, repo, ['merge-base', 'HEAD', ref]);
    if (mb.failed) return { ok: false, error: `HEAD and ${ref} have no common history (${describeFailure(mb)}); pass --base REF` };
    return ok({ ref: `merge-base(HEAD, ${ref})`, revision: mb.stdout.trim() });
  }
  return { ok: false, error: 'cannot find the default branch (no origin/HEAD, origin/main, origin/master, main or master); pass --base REF' };
}

/** Move the working copy to `target` if that only adds commits and no tracked file has local changes. */
export async function fastForward(exec: Executor, repo: string, target: string): Promise<GitResult<void>> {
  const status = await git(exec, repo, ['status', '--porcelain', '--untracked-files=no']);
  if (status.failed) return fail(status);
  if (status.stdout.trim() !== '') {
    const files = status.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => l.slice(3)).slice(0, 5).join(', ');
    return { ok: false, error: `the working copy ${repo} has local changes (${files}); reconcile only fast-forwards — commit, push or discard them` };
  }
  const ancestor = await git(exec, repo, ['merge-base', '--is-ancestor', 'HEAD', target]);
  if (ancestor.exitCode === 1) {
    return { ok: false, error: `the working copy ${repo} has commits that ${target.slice(0, 12)} does not; reconcile only fast-forwards — reset the working copy by hand` };
  }
  if (ancestor.failed) return fail(ancestor);
  // Detached or on a branch: either way HEAD ends at target, and the branch (if any) moves with it.
  const merge = await git(exec, repo, ['merge', '--ff-only', '--quiet', target]);
  return merge.failed ? fail(merge) : ok(undefined);
}

/** Put the working copy back where it was (used when a revision validated in isolation fails in place). */
export async function moveBack(exec: Executor, repo: string, revision: string): Promise<GitResult<void>> {
  const r = await git(exec, repo, ['reset', '--keep', '--quiet', revision]);
  return r.failed ? fail(r) : ok(undefined);
}
