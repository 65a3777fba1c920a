/** Every git command the provider runs, as argv, and each change turned into operations.
 *  `steps()` (dry-run) and `apply()` both read the same operations, so what dry-run prints
 *  is what apply runs. */
import path from 'node:path';
import type { Change } from '../../core/plan.js';
import type { Step } from '../provider.js';
import {
  BRANCH_KIND,
  WORKTREE_KIND,
  parseBranch,
  parseWorktree,
  readFoundWorktree,
  type BranchSpec,
  type FoundWorktree,
  type Parsed,
  type WorktreeSpec,
} from './model.js';
import { REF_FORMAT } from './porcelain.js';

const git = (dir: string, ...args: string[]): readonly string[] => ['git', '-C', dir, ...args];

export const argv = {
  forEachRef: (repo: string) => git(repo, 'for-each-ref', `--format=${REF_FORMAT}`, 'refs/heads'),
  worktreeList: (repo: string) => git(repo, 'worktree', 'list', '--porcelain', '-z'),
  updateRef: (repo: string) => git(repo, 'update-ref', '--stdin'),
  /** Several names at once: git deletes each it may and says which (parsed in the C locale). */
  branchDelete: (repo: string, names: readonly string[], force: boolean) => git(repo, 'branch', force ? '-D' : '-d', ...names),
  worktreeAdd: (repo: string, dir: string, branch: string) => git(repo, 'worktree', 'add', dir, branch),
  /** Also unregisters a worktree whose directory is gone, touching no other entry (unlike `worktree prune`). */
  worktreeRemove: (repo: string, dir: string, force: boolean) =>
    git(repo, 'worktree', 'remove', ...(force ? ['--force'] : []), dir),
  status: (dir: string) => git(dir, 'status', '--porcelain'),
  /** Commits only this worktree's HEAD holds: on no remote-tracking branch and no other local branch
   *  (the base included), so they would exist nowhere else once the env is torn down. */
  unsharedCommits: (dir: string, branch: string | null) =>
    git(dir, 'log', '--format=%h %s', 'HEAD', '--not', ...(branch ? [`--exclude=${branch}`] : []), '--branches', '--remotes'),
  switchTo: (dir: string, branch: string) => git(dir, 'switch', branch),
  switchCreate: (dir: string, branch: string, startPoint: string) => git(dir, 'switch', '-c', branch, startPoint),
  clone: (url: string, dir: string) => ['git', 'clone', url, dir] as const,
  /** Prints which of the local or origin branch exist: one of them means `switch BRANCH` works. */
  branchProbe: (dir: string, branch: string) =>
    git(dir, 'for-each-ref', '--format=%(refname)', `refs/heads/${branch}`, `refs/remotes/origin/${branch}`),
} as const;

/** One `update-ref --stdin` line; `create` refuses to overwrite a branch that appeared meanwhile. */
export const createRefLine = (spec: BranchSpec): string => `create refs/heads/${spec.name} ${spec.base}^{commit}\n`;

/** A unit of work for one change. Apply interprets these; steps() prints them. */
export type Op =
  | {
      readonly kind: 'run';
      readonly description: string;
      readonly argv: readonly string[];
      readonly input?: string;
      /** Runs of the same argv in one repository may be merged (their inputs joined). */
      readonly batchable?: boolean;
      /** Added to the failure message (what to do about it). */
      readonly hint?: { readonly when: RegExp; readonly text: string };
    }
  /** Refuse to go on when the worktree holds work that would be lost, unless forced. */
  | {
      readonly kind: 'guard';
      readonly description: string;
      readonly path: string;
      readonly status: readonly string[];
      readonly log: readonly string[];
    }
  /** Switch a clone to its branch: track it when it exists, else create it from origin's base. */
  | {
      readonly kind: 'checkout';
      readonly description: string;
      readonly probe: readonly string[];
      readonly switchTo: readonly string[];
      readonly switchCreate: readonly string[];
    }
  /** Delete a branch; the deletions of one repository run as one `git branch -d` (a process each
   *  cost ~30 ms at 300 worktrees: git reads every worktree to see where the branch is checked out). */
  | { readonly kind: 'deleteBranch'; readonly description: string; readonly repo: string; readonly name: string; readonly force: boolean }
  /** Remove a clone's directory (in-process; after a guard). */
  | { readonly kind: 'rmdir'; readonly description: string; readonly dir: string }
  /** gaia will not do this at all. */
  | { readonly kind: 'refuse'; readonly description: string };

export interface OpContext {
  readonly root: string;
  readonly force: boolean;
}

const abs = (root: string, p: string) => path.resolve(root, p);

/** A URL stays as written; anything else is a path relative to the root. */
export function cloneSource(root: string, url: string): string {
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\\]+@[^/\\]+:/.test(url);
  return isUrl ? url : abs(root, url);
}

export function opsFor(change: Change, ctx: OpContext): Parsed<readonly Op[]> {
  switch (change.kind) {
    case BRANCH_KIND:
      return branchOps(change, ctx);
    case WORKTREE_KIND:
      return worktreeOps(change, ctx);
    default:
      return { ok: false, error: `the git provider does not handle ${change.kind}` };
  }
}

function branchOps(change: Change, ctx: OpContext): Parsed<readonly Op[]> {
  const create = (): Parsed<readonly Op[]> => {
    const spec = parseBranch(change.after ?? {});
    if (!spec.ok) return spec;
    if (!spec.value.base) return { ok: false, error: `${change.address}: attribute "base" is required to create a branch` };
    const line = createRefLine(spec.value);
    return ok([
      {
        kind: 'run',
        description: `create branch ${spec.value.name} from ${spec.value.base} (stdin: ${line.trim()})`,
        argv: argv.updateRef(abs(ctx.root, spec.value.repo)),
        input: line,
        batchable: true,
      },
    ]);
  };
  const remove = (): Parsed<readonly Op[]> => {
    const spec = parseBranch(change.before ?? {});
    if (!spec.ok) return spec;
    return ok([{ kind: 'deleteBranch', description: `delete branch ${spec.value.name}`, repo: abs(ctx.root, spec.value.repo), name: spec.value.name, force: ctx.force }]);
  };
  switch (change.action) {
    case 'create':
      return create();
    case 'delete':
      return remove();
    case 'replace':
      return concat(remove(), create());
    case 'update': // compare never asks for one: a branch is created from its base once, then left alone
    case 'adopt':
    case 'noop':
      return ok([]);
  }
}

function worktreeOps(change: Change, ctx: OpContext): Parsed<readonly Op[]> {
  const create = (): Parsed<readonly Op[]> => {
    const spec = parseWorktree(change.after ?? {});
    return spec.ok ? ok(createOps(spec.value, ctx)) : spec;
  };
  const remove = (): Parsed<readonly Op[]> => {
    const found = readFoundWorktree(change.before ?? {});
    return found.ok ? ok(removeOps(found.value, ctx)) : found;
  };
  switch (change.action) {
    case 'create':
      return create();
    case 'delete':
      return remove();
    case 'replace':
      return concat(remove(), create());
    case 'update': {
      const spec = parseWorktree(change.after ?? {});
      return spec.ok ? ok([switchOp(spec.value, ctx)]) : spec;
    }
    case 'adopt':
    case 'noop':
      return ok([]);
  }
}

function createOps(spec: WorktreeSpec, ctx: OpContext): readonly Op[] {
  const dir = abs(ctx.root, spec.path);
  switch (spec.source) {
    case 'worktree':
      return [
        {
          kind: 'run',
          description: `add worktree ${spec.path} on ${spec.branch}`,
          argv: argv.worktreeAdd(abs(ctx.root, spec.repo), dir, spec.branch),
        },
      ];
    case 'clone':
      return [
        { kind: 'run', description: `clone ${spec.url} into ${spec.path}`, argv: argv.clone(cloneSource(ctx.root, spec.url), dir) },
        switchOp(spec, ctx),
      ];
  }
}

function switchOp(spec: WorktreeSpec, ctx: OpContext): Op {
  const dir = abs(ctx.root, spec.path);
  switch (spec.source) {
    case 'worktree':
      // git refuses when local changes would be overwritten: nothing is lost.
      return { kind: 'run', description: `check out ${spec.branch} in ${spec.path}`, argv: argv.switchTo(dir, spec.branch) };
    case 'clone':
      return {
        kind: 'checkout',
        description: `check out ${spec.branch} in ${spec.path} (created from origin/${spec.base} when neither it nor origin/${spec.branch} exists)`,
        probe: argv.branchProbe(dir, spec.branch),
        switchTo: argv.switchTo(dir, spec.branch),
        switchCreate: argv.switchCreate(dir, spec.branch, `origin/${spec.base}`),
      };
  }
}

function removeOps(found: FoundWorktree, ctx: OpContext): readonly Op[] {
  const dir = abs(ctx.root, found.path);
  if (found.notAWorktree) {
    const what = found.source === 'clone' ? 'a git clone' : 'a registered git worktree';
    return [{ kind: 'refuse', description: `${found.path} is not ${what}; gaia will not remove it — move it away by hand` }];
  }
  const guard: Op = {
    kind: 'guard',
    description: `check ${found.path} for uncommitted files and unshared commits`,
    path: found.path,
    status: argv.status(dir),
    log: argv.unsharedCommits(dir, found.branch),
  };
  switch (found.source) {
    case 'worktree': {
      if (found.repo === undefined) return [{ kind: 'refuse', description: `${found.path}: repository unknown` }];
      const remove = argv.worktreeRemove(abs(ctx.root, found.repo), dir, ctx.force);
      // Its directory is gone: nothing to check, only the registration to drop.
      if (found.prunable) return [{ kind: 'run', description: `unregister worktree ${found.path} (directory missing)`, argv: remove }];
      return [guard, { kind: 'run', description: `remove worktree ${found.path}`, argv: remove }];
    }
    case 'clone':
      return [guard, { kind: 'rmdir', description: `remove clone directory ${found.path}`, dir }];
  }
}

const ok = (ops: readonly Op[]): Parsed<readonly Op[]> => ({ ok: true, value: ops });

function concat(a: Parsed<readonly Op[]>, b: Parsed<readonly Op[]>): Parsed<readonly Op[]> {
  if (!a.ok) return a;
  if (!b.ok) return b;
  return ok([...a.value, ...b.value]);
}

/** The dry-run view of operations. */
export function opsToSteps(address: string, ops: readonly Op[]): readonly Step[] {
  return ops.flatMap((op): Step[] => {
    switch (op.kind) {
      case 'run':
        return [{ address, description: op.description, argv: op.argv }];
      case 'deleteBranch':
        return [{ address, description: op.description, argv: argv.branchDelete(op.repo, [op.name], op.force) }];
      case 'guard':
        return [
          { address, description: `${op.description}: uncommitted files`, argv: op.status },
          { address, description: `${op.description}: commits on no remote and no other branch`, argv: op.log },
        ];
      case 'checkout':
        return [
          { address, description: `does ${op.switchTo.at(-1)} exist locally or on origin?`, argv: op.probe },
          { address, description: `${op.description}; if it exists:`, argv: op.switchTo },
          { address, description: 'otherwise:', argv: op.switchCreate },
        ];
      case 'rmdir':
      case 'refuse':
        return [{ address, description: op.description }];
    }
  });
}
