/** The git facts status needs beyond what the git provider observes: each environment's
 *  ahead/behind against its base and its dirty-file count.
 *
 *  Ahead/behind is batched per repository, not per environment: branches and bases are resolved
 *  from the ref files in-process (`cat-file --batch-check` only for what those cannot settle), one
 *  `merge-base --octopus` finds a common ancestor of all of them, one `rev-list --parents` lists
 *  only the commits that differ, and the counts are computed in-process (git 2.39 has no
 *  `%(ahead-behind:…)`). When every branch still points at its base (right after apply) no process
 *  runs for it at all.
 *
 *  Dirty counts cannot be batched: each worktree has its own index, so it is one
 *  `git status --porcelain=v2` per environment whose directory exists, all run at once. Files gaia
 *  writes itself (generated files, stage databases) do not count as dirty. */
import path from 'node:path';
import type { EnvironmentInfo } from '../manifest/model.js';
import { branchIntent } from '../core/branch-intent.js';
import { chunks } from '../core/collections.js';
import type { Resource } from '../core/resource.js';
import type { ObserveContext } from '../providers/provider.js';
import { aheadBehind, parseBatchCheck, parseParents, parseStatusV2, type WorktreeStatus } from './git-parse.js';
import { resolveRefs } from '../providers/git/ref-files.js';

export interface EnvGitFacts {
  readonly ahead: number | null;
  readonly behind: number | null;
  /** Null when the directory is missing or git could not read it. */
  readonly worktree: WorktreeStatus | null;
  /** Why a fact is missing, when git said so. */
  readonly error?: string;
}

/** Read-only git: never take the index lock (a status running next to the user's commit must not make it fail). */
const git = (dir: string, ...args: string[]): string[] => ['git', '--no-optional-locks', '-C', dir, ...args];
const TIMEOUT_MS = 15_000;

interface Target {
  readonly env: EnvironmentInfo;
  /** Absolute repository directory holding the env's branch (the worktree's repository, or the clone). */
  readonly repo: string;
  readonly branchRef: string;
  /** Revisions to try for the base, first found wins. */
  readonly baseRefs: readonly string[];
}

/** The absolute repository directory an environment's branch lives in: the worktree's repository, or the clone itself. */
export function repositoryOf(env: EnvironmentInfo, resources: readonly Resource[], root: string): string {
  if (env.source === 'clone') return path.resolve(root, env.path);
  const wt = resources.find((r) => r.address === `git_worktree.${env.name}`);
  return path.resolve(root, typeof wt?.attributes.repo === 'string' ? wt.attributes.repo : '.');
}

function targetsOf(environments: readonly EnvironmentInfo[], resources: readonly Resource[], root: string): readonly Target[] {
  return environments.map((env) => ({
    env,
    repo: repositoryOf(env, resources, root),
    branchRef: `refs/heads/${env.branch}`,
    baseRefs: env.source === 'clone' ? [env.base, `origin/${env.base}`] : [env.base],
  }));
}

export async function readGitFacts(
  environments: readonly EnvironmentInfo[],
  resources: readonly Resource[],
  ctx: ObserveContext,
): Promise<ReadonlyMap<string, EnvGitFacts>> {
  const targets = targetsOf(environments, resources, ctx.root);
  const byRepo = new Map<string, Target[]>();
  for (const t of targets) byRepo.set(t.repo, [...(byRepo.get(t.repo) ?? []), t]);
  const managed = managedPaths(resources);
  const [counts, statuses] = await Promise.all([
    Promise.all([...byRepo].map(([repo, ts]) => repoAheadBehind(repo, ts, ctx))),
    worktreeStatuses(targets.map((t) => ({ dir: path.resolve(ctx.root, t.env.path), managed: managedIn(managed, t.env.path) })), ctx),
  ]);
  const countOf = new Map(counts.flatMap((m) => [...m]));
  // A worktree on a feature branch is doing the environment's work (core/branch-intent.ts), and
  // `gaia git sync`/`rebase`/`reset` act on it: count that branch against the base instead. A second
  // pass, only for those, so the usual case (every worktree on its branch) costs what it did.
  const onFeature = targets.flatMap((t, i) => {
    const head = statuses[i]!.status?.head ?? null;
    return head !== null && branchIntent(head, t.env.branch) === 'feature' ? [{ ...t, branchRef: `refs/heads/${head}` }] : [];
  });
  if (onFeature.length) {
    const featureRepos = new Map<string, Target[]>();
    for (const t of onFeature) featureRepos.set(t.repo, [...(featureRepos.get(t.repo) ?? []), t]);
    const again = await Promise.all([...featureRepos].map(([repo, ts]) => repoAheadBehind(repo, ts, ctx)));
    for (const [env, c] of again.flatMap((m) => [...m])) countOf.set(env, c);
  }
  const out = new Map<string, EnvGitFacts>();
  targets.forEach((t, i) => {
    const c = countOf.get(t.env.name);
    const s = statuses[i]!;
    const error = [c?.error, s.error].filter(Boolean).join('; ');
    out.set(t.env.name, { ahead: c?.ahead ?? null, behind: c?.behind ?? null, worktree: s.status, ...(error ? { error } : {}) });
  });
  return out;
}

type Count = { readonly ahead: number | null; readonly behind: number | null; readonly error?: string };

async function repoAheadBehind(repo: string, targets: readonly Target[], ctx: ObserveContext): Promise<ReadonlyMap<string, Count>> {
  const out = new Map<string, Count>();
  const none = (error?: string) => {
    for (const t of targets) out.set(t.env.name, { ahead: null, behind: null, ...(error ? { error } : {}) });
    return out;
  };
  if (!ctx.host.files.exists(repo)) return none();
  const asked = [...new Set(targets.flatMap((t) => [t.branchRef, ...t.baseRefs]))];
  // Ref files first (no process); git only for what they cannot settle.
  const local = resolveRefs(ctx.host.files, repo, asked);
  const sha = new Map<string, string>();
  for (const [name, answer] of local) if (answer.kind === 'commit') sha.set(name, answer.sha);
  const unsure = asked.filter((n) => local.get(n)?.kind === 'unsure');
  if (unsure.length) {
    const resolved = await ctx.host.run(git(repo, 'cat-file', '--batch-check'), { input: `${unsure.join('\n')}\n`, timeoutMs: TIMEOUT_MS });
    if (resolved.exitCode !== 0) return none(`git cat-file failed in ${repo}: ${resolved.stderr.trim()}`);
    for (const [name, id] of parseBatchCheck(resolved.stdout, unsure)) sha.set(name, id);
  }

  const pairs = targets.flatMap((t) => {
    const tip = sha.get(t.branchRef);
    const base = t.baseRefs.map((b) => sha.get(b)).find((s) => s !== undefined);
    if (tip === undefined || base === undefined) {
      out.set(t.env.name, { ahead: null, behind: null });
      return [];
    }
    return [{ env: t.env.name, tip, base }];
  });
  const commits = [...new Set(pairs.flatMap((p) => [p.tip, p.base]))];
  if (commits.length <= 1) {
    for (const p of pairs) out.set(p.env, { ahead: 0, behind: 0 });
    return out;
  }
  // A common ancestor of everything bounds the walk to the commits that differ.
  const common = await ctx.host.run(git(repo, 'merge-base', '--octopus', ...commits), { timeoutMs: TIMEOUT_MS });
  const stop = common.exitCode === 0 ? common.stdout.split('\n').filter((l) => /^[0-9a-f]+$/.test(l)) : [];
  const walk = await ctx.host.run(git(repo, 'rev-list', '--parents', ...commits, ...(stop.length ? ['--not', ...stop] : [])), { timeoutMs: TIMEOUT_MS });
  if (walk.exitCode !== 0) {
    for (const p of pairs) out.set(p.env, { ahead: null, behind: null, error: `git rev-list failed in ${repo}: ${walk.stderr.trim()}` });
    return out;
  }
  const graph = parseParents(walk.stdout);
  for (const p of pairs) out.set(p.env, aheadBehind(graph, p.tip, p.base));
  return out;
}

/** Files gaia itself writes (generated files, stage databases and their journals), relative to the root. */
export function managedPaths(resources: readonly Resource[]): readonly string[] {
  return resources.flatMap((r) => {
    const p = r.attributes.path;
    if (typeof p !== 'string') return [];
    if (r.kind === 'file') return [p];
    if (r.kind === 'sqlite_database') return [p, `${p}-journal`, `${p}-wal`, `${p}-shm`];
    return [];
  });
}

/** The managed paths inside one environment, relative to its directory (as git status prints them). */
export function managedIn(managed: readonly string[], envPath: string): ReadonlySet<string> {
  const prefix = `${envPath.replace(/\/+$/, '')}/`;
  return new Set(managed.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)));
}

type StatusResult = { readonly status: WorktreeStatus | null; readonly error?: string };

/** Every worktree's `git status` through a few shells rather than one process of gaia's each: at
 *  500 environments, 500 spawns of a 130 MB node process cost more than the statuses themselves.
 *  Directories are the shell's arguments, never part of its script; each status ends with a marker
 *  line carrying its exit code on both streams (git quotes control characters in paths, so a marker
 *  cannot occur inside one). Untracked files are listed one by one (`-uall`) so gaia's own files can
 *  be told apart from the user's. */
async function worktreeStatuses(
  worktrees: readonly { readonly dir: string; readonly managed: ReadonlySet<string> }[],
  ctx: ObserveContext,
): Promise<readonly StatusResult[]> {
  const out: StatusResult[] = worktrees.map(() => ({ status: null }));
  const present = worktrees.flatMap((w, i) => (ctx.host.files.exists(path.join(w.dir, '.git')) ? [i] : []));
  const slices = chunks(present, Math.ceil(present.length / STATUS_SHELLS));
  await Promise.all(slices.map(async (indices) => {
    const dirs = indices.map((i) => worktrees[i]!.dir);
    const r = await ctx.host.run(['sh', '-c', STATUS_SCRIPT, 'sh', ...dirs], { timeoutMs: TIMEOUT_MS * Math.max(1, dirs.length / 10) });
    const stdouts = r.stdout.split(END_OF_STATUS);
    const stderrs = r.stderr.split(END_OF_STATUS);
    indices.forEach((i, k) => {
      const code = /^(\d+)\x1e\n/.exec(stdouts[k + 1] ?? '')?.[1];
      const stderr = (stderrs[k] ?? '').replace(/^\d+\x1e\n/, '').trim();
      if (code !== '0') {
        out[i] = { status: null, error: `git status failed in ${worktrees[i]!.dir}: ${stderr || (code === undefined ? r.stderr.trim() || 'no answer' : `exit ${code}`)}` };
        return;
      }
      const parsed = parseStatusV2((stdouts[k] ?? '').replace(/^\d+\x1e\n/, ''));
      const paths = parsed.paths.filter((p) => !worktrees[i]!.managed.has(p));
      out[i] = { status: { ...parsed, paths, dirty: paths.length } };
    });
  }));
  return out;
}

/** Shells side by side: git status is bound by CPU and disk, so a few keep a small machine busy. */
const STATUS_SHELLS = 2;
const END_OF_STATUS = '\x1egaia-status-end ';
const STATUS_SCRIPT = `for d; do
  git --no-optional-locks -C "$d" status --porcelain=v2 --branch --untracked-files=all
  c=$?
  printf '\\036gaia-status-end %s\\036\\n' "$c"
  printf '\\036gaia-status-end %s\\036\\n' "$c" >&2
done`;

