/** Observe git in bulk: per repository one `for-each-ref` and one `worktree list`, run side by
 *  side; per clone one `worktree list` (a clone is its own repository). Directories are
 *  checked in-process. Nothing here changes anything. */
import path from 'node:path';
import type { PlanWarning } from '../../core/plan.js';
import type { Attributes, Observed } from '../../core/resource.js';
import { describeFailure } from '../../host/exec.js';
import type { HostFiles } from '../../host/host.js';
import type { ObserveContext, ObserveRequest, ObserveResult } from '../provider.js';
import { argv } from './commands.js';
import { BRANCH_KIND, WORKTREE_KIND, parseBranch, parseWorktree, type BranchSpec, type WorktreeSpec } from './model.js';
import { resolveRefs } from './ref-files.js';
import { parseRefs, parseWorktrees, type RefEntry, type WorktreeEntry } from './porcelain.js';

type RepoView =
  | {
      readonly kind: 'ok';
      readonly refs: readonly RefEntry[];
      readonly worktrees: readonly WorktreeEntry[];
      /** Worktrees by canonical path, computed once per repository. */
      readonly byPath: ReadonlyMap<string, WorktreeEntry>;
    }
  | { readonly kind: 'missing' }
  | { readonly kind: 'failed'; readonly error: string };

type Target =
  | { readonly address: string; readonly kind: 'branch'; readonly spec: BranchSpec }
  | { readonly address: string; readonly kind: 'worktree'; readonly spec: WorktreeSpec };

export async function observeGit(request: ObserveRequest, ctx: ObserveContext): Promise<ObserveResult> {
  const warnings: PlanWarning[] = [];
  const targets = collectTargets(request, warnings);
  const files = ctx.host.files;
  const root = canonical(files, ctx.root);
  // Memoised: every target of a repository names the same one, and a realpath each added up at 1,000 targets.
  const repoDirs = new Map<string, string>();
  const repoOf = (rel: string) => {
    let dir = repoDirs.get(rel);
    if (dir === undefined) repoDirs.set(rel, (dir = canonical(files, path.resolve(ctx.root, rel))));
    return dir;
  };

  const repos = new Map<string, { readonly rel: string; readonly firstAddress: string }>();
  for (const t of targets) {
    const rel = t.kind === 'branch' ? t.spec.repo : t.spec.source === 'worktree' ? t.spec.repo : undefined;
    if (rel !== undefined && !repos.has(repoOf(rel))) repos.set(repoOf(rel), { rel, firstAddress: t.address });
  }
  const clones = targets.filter((t): t is Extract<Target, { kind: 'worktree' }> => t.kind === 'worktree' && t.spec.source === 'clone');
  const [views, cloneViews] = await Promise.all([
    Promise.all([...repos.keys()].map(async (dir) => [dir, await readRepo(dir, ctx)] as const)),
    Promise.all(clones.map((t) => readClone(path.resolve(ctx.root, t.spec.path), ctx))),
  ]);
  const viewOf = new Map(views);
  for (const [dir, view] of views) {
    const { rel, firstAddress } = repos.get(dir)!;
    if (view.kind === 'missing') {
      warnings.push({ code: 'git_repository_missing', text: `repository ${rel} does not exist (${dir}); nothing observed in it`, address: firstAddress });
    } else if (view.kind === 'failed') {
      warnings.push({ code: 'git_observe_failed', text: `could not read repository ${rel}: ${view.error}`, address: firstAddress });
    }
  }

  const relative = (p: string) => path.relative(root, canonical(files, p)) || '.';
  const observed: Observed[] = [];
  const claimedWorktrees = new Set<string>();
  for (const t of targets) {
    if (t.kind === 'branch') {
      const view = viewOf.get(repoOf(t.spec.repo));
      if (view?.kind !== 'ok') continue;
      const ref = view.refs.find((r) => r.name === t.spec.name);
      if (!ref) continue;
      const at = view.worktrees.find((w) => w.branch === ref.name);
      observed.push(branchObserved(t.address, t.spec.repo, ref, at ? relative(at.path) : null));
      continue;
    }
    const spec = t.spec;
    const dir = path.resolve(ctx.root, spec.path);
    if (spec.source === 'clone') {
      const found = cloneViews[clones.findIndex((c) => c.address === t.address)];
      if (found) observed.push({ kind: WORKTREE_KIND, address: t.address, attributes: { source: 'clone', path: spec.path, ...found } });
      continue;
    }
    const view = viewOf.get(repoOf(spec.repo));
    if (view?.kind !== 'ok') continue;
    const key = canonical(files, dir);
    const entry = view.byPath.get(key);
    if (entry) {
      claimedWorktrees.add(key);
      observed.push({ kind: WORKTREE_KIND, address: t.address, attributes: { source: 'worktree', repo: spec.repo, path: spec.path, ...worktreeAttributes(entry) } });
    } else if (files.exists(dir)) {
      // Something else is in the way: reported, never touched.
      observed.push({ kind: WORKTREE_KIND, address: t.address, attributes: { source: 'worktree', repo: spec.repo, path: spec.path, notAWorktree: true } });
    }
  }

  const unmanaged = findUnmanaged(targets, views, repos, claimedWorktrees, repoOf, relative);
  return { observed, unmanaged, warnings };
}

/** What gaia owns under an address is looked for where it was made (recorded), else where the manifest wants it. */
function collectTargets(request: ObserveRequest, warnings: PlanWarning[]): readonly Target[] {
  const byAddress = new Map<string, { readonly kind: string; readonly attrs: readonly Attributes[] }>();
  for (const d of request.desired) byAddress.set(d.address, { kind: d.kind, attrs: [d.attributes] });
  for (const r of request.recorded) {
    const desired = byAddress.get(r.address);
    byAddress.set(r.address, { kind: r.kind, attrs: [r.attributes, ...(desired?.attrs ?? [])] });
  }
  const targets: Target[] = [];
  for (const [address, { kind, attrs }] of byAddress) {
    const parse = kind === BRANCH_KIND ? parseBranch : kind === WORKTREE_KIND ? parseWorktree : undefined;
    if (!parse) continue;
    const parsed = attrs.map((a) => parse(a)).find((p) => p.ok) ?? parse(attrs[0] ?? {});
    if (!parsed.ok) {
      warnings.push({ code: 'git_bad_attributes', text: parsed.error, address });
      continue;
    }
    targets.push(kind === BRANCH_KIND ? { address, kind: 'branch', spec: parsed.value as BranchSpec } : { address, kind: 'worktree', spec: parsed.value as WorktreeSpec });
  }
  return targets;
}

async function readRepo(dir: string, ctx: ObserveContext): Promise<RepoView> {
  const files = ctx.host.files;
  if (!files.exists(dir)) return { kind: 'missing' };
  const [refs, worktrees] = await Promise.all([ctx.host.run(argv.forEachRef(dir)), ctx.host.run(argv.worktreeList(dir))]);
  if (refs.exitCode !== 0) return { kind: 'failed', error: describeFailure(refs) };
  if (worktrees.exitCode !== 0) return { kind: 'failed', error: describeFailure(worktrees) };
  const entries = parseWorktrees(worktrees.stdout);
  return { kind: 'ok', refs: parseRefs(refs.stdout), worktrees: entries, byPath: new Map(entries.map((e) => [canonical(files, e.path), e])) };
}

/** A clone's branch and commit from its HEAD and ref files, as `git worktree list` gives them for its
 *  main worktree; undefined when the files do not settle it (an unborn branch, a ref git must
 *  resolve), and git is asked. No process per environment: on a host they are many. */
function headFromFiles(files: HostFiles, dir: string): Attributes | undefined {
  let text: string | undefined;
  try {
    text = files.readText(path.join(dir, '.git', 'HEAD'));
  } catch {
    return undefined;
  }
  const head = text?.trim() ?? '';
  if (/^[0-9a-f]{40}$/.test(head)) return { branch: null, head };
  const ref = /^ref: (refs\/heads\/\S+)$/.exec(head)?.[1];
  if (ref === undefined) return undefined;
  const answer = resolveRefs(files, dir, [ref]).get(ref);
  return answer?.kind === 'commit' ? { branch: ref.slice('refs/heads/'.length), head: answer.sha } : undefined;
}

/** A clone is a directory holding its own `.git` directory; anything else there is in the way. */
async function readClone(dir: string, ctx: ObserveContext): Promise<Attributes | undefined> {
  const files = ctx.host.files;
  if (!files.exists(dir)) return undefined;
  const gitDir = path.join(dir, '.git');
  if (!files.exists(gitDir) || files.stat(gitDir)?.kind !== 'folder') return { notAWorktree: true };
  const fromFiles = headFromFiles(files, dir);
  if (fromFiles) return fromFiles;
  const result = await ctx.host.run(argv.worktreeList(dir));
  const main = result.exitCode === 0 ? parseWorktrees(result.stdout)[0] : undefined;
  return main ? { branch: main.branch, head: main.head } : { notAWorktree: true };
}

function branchObserved(address: string, repo: string, ref: RefEntry, checkedOutAt: string | null): Observed {
  return { kind: BRANCH_KIND, address, attributes: { repo, name: ref.name, commit: ref.commit, upstream: ref.upstream, checkedOutAt } };
}

const worktreeAttributes = (entry: WorktreeEntry): Attributes => ({
  branch: entry.branch,
  head: entry.head,
  prunable: entry.prunable,
  locked: entry.locked,
});

/** Worktrees other than each repository's main one, and branches other than its checked-out
 *  HEAD and the requested branches' bases, that no address names: for status and import. */
function findUnmanaged(
  targets: readonly Target[],
  views: readonly (readonly [string, RepoView])[],
  repos: ReadonlyMap<string, { readonly rel: string }>,
  claimedWorktrees: ReadonlySet<string>,
  repoOf: (rel: string) => string,
  relative: (p: string) => string,
): readonly Observed[] {
  const taken = new Set(targets.map((t) => t.address));
  const address = (kind: string, wanted: string) => {
    const base = `${kind}.${wanted.replace(/[^A-Za-z0-9_-]+/g, '_') || 'unnamed'}`;
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`;
    taken.add(candidate);
    return candidate;
  };
  const out: Observed[] = [];
  for (const [dir, view] of views) {
    if (view.kind !== 'ok') continue;
    const repo = repos.get(dir)!.rel;
    const inRepo = targets.filter((t): t is Extract<Target, { kind: 'branch' }> => t.kind === 'branch' && repoOf(t.spec.repo) === dir);
    const skip = new Set<string>([...inRepo.map((t) => t.spec.name), ...inRepo.map((t) => t.spec.base)]);
    const head = view.worktrees[0]?.branch;
    if (head) skip.add(head);
    for (const [key, entry] of view.byPath) {
      if (entry === view.worktrees[0] || claimedWorktrees.has(key)) continue;
      const rel = relative(entry.path);
      out.push({ kind: WORKTREE_KIND, address: address(WORKTREE_KIND, path.basename(rel)), attributes: { source: 'worktree', repo, path: rel, ...worktreeAttributes(entry) } });
    }
    for (const ref of view.refs) {
      if (skip.has(ref.name)) continue;
      const at = view.worktrees.find((w) => w.branch === ref.name);
      out.push(branchObserved(address(BRANCH_KIND, ref.name.replace(/^env\//, '')), repo, ref, at ? relative(at.path) : null));
    }
  }
  return out;
}

/** The real path of the deepest existing ancestor plus the rest, so a path whose directory is
 *  gone still compares equal to what git printed (git stores real paths). */
export function canonical(files: HostFiles, p: string): string {
  const absolute = path.resolve(p);
  let head = absolute;
  const rest: string[] = [];
  for (;;) {
    const real = realPathOrUndefined(files, head);
    if (real !== undefined) return path.join(real, ...rest.reverse());
    const parent = path.dirname(head);
    if (parent === head) return absolute;
    rest.push(path.basename(head));
    head = parent;
  }
}

/** Any failure (not only a missing path: a folder we may not search) means "look at the parent". */
function realPathOrUndefined(files: HostFiles, p: string): string | undefined {
  try {
    return files.realPath(p);
  } catch {
    return undefined;
  }
}
