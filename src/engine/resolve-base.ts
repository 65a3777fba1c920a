/** `base: HEAD` resolved once. An environment's base of `HEAD` (or `@`) means the project
 *  repository's current HEAD — but read inside a worktree, `HEAD` is the worktree's own branch, so
 *  status counted against one thing while `gaia git sync`, `rebase` and `reset` acted on another
 *  (and did nothing). When a project opens, such a base is resolved in the repository to the branch
 *  HEAD points at, or to its commit when HEAD is detached; everything after (new branches, status,
 *  `gaia git`, the dashboard) uses and shows that name. Costs one git call per repository, and only
 *  when a manifest says `HEAD`. Clones are left alone: in a fresh clone HEAD is the remote's
 *  default branch, which is what the base means there. */
import type { EnvironmentInfo, Model } from '../manifest/model.js';
import { repositoryOf } from '../ops/git-facts.js';
import type { Executor } from '../host/exec.js';

export const isSymbolicBase = (base: string): boolean => base === 'HEAD' || base === '@';

const GIT_ENV = { LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' } as const;

/** The model with each symbolic base replaced by what it resolved to (those that did not resolve —
 *  no repository yet, no commit — stay as written, and git reports them where they are used). */
export async function resolveBases(model: Model, exec: Executor): Promise<Model> {
  const symbolic = model.environments.filter((e) => e.source === 'worktree' && isSymbolicBase(e.base));
  if (symbolic.length === 0) return model;
  const repos = [...new Set(symbolic.map((e) => repositoryOf(e, model.resources, model.root)))];
  const heads = await Promise.all(repos.map((repo) => headOf(repo, exec)));
  const headOfRepo = new Map(repos.map((r, i) => [r, heads[i]]));
  const resolved = new Map<string, string>();
  for (const e of symbolic) {
    const head = headOfRepo.get(repositoryOf(e, model.resources, model.root));
    if (head !== undefined) resolved.set(e.name, head);
  }
  return withBases(model, resolved);
}

/** The branch HEAD points at (`main`), else the commit of a detached HEAD; undefined when neither. */
async function headOf(repo: string, exec: Executor): Promise<string | undefined> {
  const branch = await exec.run(['git', '-C', repo, 'symbolic-ref', '-q', '--short', 'HEAD'], { env: GIT_ENV, timeoutMs: 15_000 });
  if (branch.exitCode === 0 && branch.stdout.trim() !== '') return branch.stdout.trim();
  const commit = await exec.run(['git', '-C', repo, 'rev-parse', '-q', '--verify', 'HEAD^{commit}'], { env: GIT_ENV, timeoutMs: 15_000 });
  return commit.exitCode === 0 && commit.stdout.trim() !== '' ? commit.stdout.trim() : undefined;
}

/** Pure: environments (by name) get their resolved base, and so does the branch each starts from. */
export function withBases(model: Model, resolved: ReadonlyMap<string, string>): Model {
  if (resolved.size === 0) return model;
  const env = (e: EnvironmentInfo): EnvironmentInfo => (resolved.has(e.name) ? { ...e, base: resolved.get(e.name)! } : e);
  return {
    ...model,
    environments: model.environments.map(env),
    resources: model.resources.map((r) => {
      const base = r.kind === 'git_branch' ? resolved.get(r.address.slice('git_branch.'.length)) : undefined;
      return base === undefined ? r : { ...r, attributes: { ...r.attributes, base } };
    }),
  };
}
