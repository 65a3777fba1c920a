/** Apply a batch of git changes. Changes in one repository run one after another (git takes
 *  locks on its index and config); different repositories run side by side. Branch creations
 *  of one repository are merged into a single `update-ref --stdin` transaction, and its branch
 *  deletions into a single `git branch -d` (which deletes each branch it may and says which). */
import path from 'node:path';
import { groupBy } from '../../core/collections.js';
import type { Change } from '../../core/plan.js';
import { describeFailure, type CommandResult } from '../../host/exec.js';
import type { ApplyContext, ChangeOutcome } from '../provider.js';
import { argv, opsFor, type Op } from './commands.js';
import { BRANCH_KIND, WORKTREE_KIND, parseBranch, parseWorktree, readFoundWorktree } from './model.js';
import { parseLogLines, parseStatusFiles } from './porcelain.js';

type Failure = Extract<ChangeOutcome, { status: 'failed' }>;
type RunOp = Extract<Op, { kind: 'run' }>;
type DeleteOp = Extract<Op, { kind: 'deleteBranch' }>;

export async function applyGit(changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]> {
  const outcomes: ChangeOutcome[] = changes.map(() => ({ status: 'failed', error: 'not applied' }));
  const groups = new Map<string, number[]>();
  changes.forEach((change, index) => {
    const key = lockDomain(change, ctx.root);
    groups.set(key, [...(groups.get(key) ?? []), index]);
  });
  await Promise.all(
    [...groups.values()].map(async (indices) => {
      const results = await applyInOneRepository(
        indices.map((i) => changes[i]!),
        ctx,
      );
      indices.forEach((i, k) => (outcomes[i] = results[k]!));
    }),
  );
  return outcomes;
}

/** The directory whose git locks a change takes: its repository, or the clone itself. */
function lockDomain(change: Change, root: string): string {
  const attrs = change.after ?? change.before ?? {};
  if (change.kind === BRANCH_KIND) {
    const spec = parseBranch(attrs);
    return spec.ok ? path.resolve(root, spec.value.repo) : change.address;
  }
  const spec = change.after ? parseWorktree(attrs) : readFoundWorktree(attrs);
  if (!spec.ok) return change.address;
  const repo = spec.value.source === 'worktree' ? spec.value.repo : undefined;
  return path.resolve(root, repo ?? spec.value.path);
}

async function applyInOneRepository(changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]> {
  const outcomes: ChangeOutcome[] = [];
  const deferred: { readonly index: number; readonly op: RunOp; readonly notes: readonly string[] }[] = [];
  const deletions: { readonly index: number; readonly op: DeleteOp }[] = [];
  for (const [index, change] of changes.entries()) {
    const escape = outsideRoot(change, ctx);
    if (escape) {
      outcomes.push({ status: 'failed', error: escape });
      continue;
    }
    const planned = opsFor(change, ctx);
    if (!planned.ok) {
      outcomes.push({ status: 'failed', error: planned.error });
      continue;
    }
    const only = planned.value.length === 1 ? planned.value[0] : undefined;
    if (only?.kind === 'deleteBranch') {
      deletions.push({ index, op: only });
      outcomes.push({ status: 'failed', error: 'not applied' }); // replaced once its batch has run
      continue;
    }
    const last = planned.value.at(-1);
    const batched = last?.kind === 'run' && last.batchable ? last : undefined;
    const now = batched ? planned.value.slice(0, -1) : planned.value;
    const result = await runOps(now, ctx);
    outcomes.push(result); // for a batched change, replaced once its batch has run
    if (result.status === 'done' && batched) deferred.push({ index, op: batched, notes: result.notes ?? [] });
  }
  // Deletions before creations, so a name is free again before anything takes it.
  for (const batch of groupBy(deletions, (d) => `${d.op.repo}\0${d.op.force}`).values()) {
    const results = await deleteBranches(batch[0]!.op.repo, batch.map((d) => d.op.name), batch[0]!.op.force, ctx);
    for (const d of batch) outcomes[d.index] = results.get(d.op.name) ?? { status: 'done' };
  }
  // One invocation per distinct argv (one repository's update-ref), inputs joined: git applies it as one transaction.
  for (const batch of groupBy(deferred, (d) => JSON.stringify(d.op.argv)).values()) {
    const first = batch[0]!.op;
    const failure = await runOne({ ...first, input: batch.map((d) => d.op.input ?? '').join('') }, ctx);
    for (const d of batch) {
      outcomes[d.index] = failure ?? { status: 'done', ...(d.notes.length ? { notes: d.notes } : {}) };
    }
  }
  return outcomes;
}

/** A worktree or clone directory gaia would create or remove outside the project root (through a symlink). */
function outsideRoot(change: Change, ctx: ApplyContext): string | undefined {
  if (change.kind !== WORKTREE_KIND) return undefined;
  for (const attrs of [change.after, change.before]) {
    const dir = attrs?.path;
    if (typeof dir !== 'string') continue;
    const inside = ctx.host.files.resolveInside(ctx.root, dir);
    if (!inside.ok) return inside.error;
  }
  return undefined;
}

async function runOps(ops: readonly Op[], ctx: ApplyContext): Promise<ChangeOutcome> {
  const notes: string[] = [];
  for (const op of ops) {
    const failure = await runOp(op, ctx, notes);
    if (failure) return failure;
  }
  return { status: 'done', ...(notes.length ? { notes } : {}) };
}

async function runOp(op: Op, ctx: ApplyContext, notes: string[]): Promise<Failure | undefined> {
  switch (op.kind) {
    case 'run':
      return runOne(op, ctx);
    case 'guard':
      return guard(op, ctx, notes);
    case 'checkout': {
      const probe = await ctx.host.run(op.probe);
      if (failed(probe)) return failure(probe);
      return runOne({ kind: 'run', description: op.description, argv: probe.stdout.trim() ? op.switchTo : op.switchCreate }, ctx);
    }
    case 'deleteBranch':
      return (await deleteBranches(op.repo, [op.name], op.force, ctx)).get(op.name);
    case 'rmdir':
      try {
        ctx.host.files.remove(op.dir);
        return undefined;
      } catch (error) {
        return { status: 'failed', error: `could not remove ${op.dir}: ${(error as Error).message}` };
      }
    case 'refuse':
      return { status: 'failed', error: op.description };
  }
}

async function runOne(op: RunOp, ctx: ApplyContext): Promise<Failure | undefined> {
  const result = await ctx.host.run(op.argv, op.input === undefined ? {} : { input: op.input });
  if (!failed(result)) return undefined;
  const base = failure(result);
  const hint = op.hint && op.hint.when.test(result.stderr) ? ` (${op.hint.text})` : '';
  return { ...base, error: base.error + hint };
}

/** `git branch -d NAME…` in one process, and each name's outcome. git deletes every branch it may
 *  and exits non-zero when it refused any; then a branch counts as deleted when git said so
 *  ("Deleted branch NAME (was …)."; C locale, so the words are git's own), and a refused one gets
 *  git's lines about it. */
async function deleteBranches(repo: string, names: readonly string[], force: boolean, ctx: ApplyContext): Promise<ReadonlyMap<string, Failure | undefined>> {
  const result = await ctx.host.run(argv.branchDelete(repo, names, force), { env: { LC_ALL: 'C' } });
  if (!failed(result)) return new Map(names.map((name) => [name, undefined]));
  const deleted = new Set([...result.stdout.matchAll(/^Deleted branch (.+) \(was [0-9a-f]+\)\.$/gm)].map((m) => m[1]));
  const lines = result.stderr.split('\n');
  return new Map(names.map((name) => {
    if (deleted.has(name)) return [name, undefined];
    const about = lines.filter((l) => l.includes(`'${name}'`)).join('\n');
    const base = failure({ ...result, stderr: about || result.stderr });
    const hint = /not fully merged/.test(about) ? ' (its commits are merged nowhere else; use --force to delete it anyway)' : '';
    return [name, { ...base, error: base.error + hint }];
  }));
}

/** Nothing is lost: uncommitted files and commits that exist only here stop the removal unless forced. */
async function guard(op: Extract<Op, { kind: 'guard' }>, ctx: ApplyContext, notes: string[]): Promise<Failure | undefined> {
  const status = await ctx.host.run(op.status);
  if (failed(status)) return failure(status);
  const log = await ctx.host.run(op.log);
  if (failed(log)) return failure(log);
  const atRisk = describeRisk(parseStatusFiles(status.stdout), parseLogLines(log.stdout));
  if (!atRisk) return undefined;
  if (!ctx.force) return { status: 'failed', error: `refusing to remove ${op.path}: ${atRisk}; use --force to discard` };
  const note = `discarding from ${op.path}: ${atRisk}`;
  notes.push(note);
  ctx.log(note);
  return undefined;
}

/** "2 uncommitted files (a.txt, b.txt) and 1 unpushed commit (abc1234 message)", or undefined when nothing is at risk. */
export function describeRisk(files: readonly string[], commits: readonly string[]): string | undefined {
  const parts = [
    counted(files, 'uncommitted file'),
    counted(commits, 'unpushed commit'),
  ].filter((p): p is string => p !== undefined);
  return parts.length ? parts.join(' and ') : undefined;
}

function counted(items: readonly string[], noun: string): string | undefined {
  if (items.length === 0) return undefined;
  const shown = items.slice(0, 10).join(', ') + (items.length > 10 ? `, … ${items.length - 10} more` : '');
  return `${items.length} ${noun}${items.length === 1 ? '' : 's'} (${shown})`;
}

const failed = (r: CommandResult) => r.failed || r.exitCode !== 0;

const failure = (r: CommandResult): Failure => ({
  status: 'failed',
  error: describeFailure(r),
  argv: r.argv,
  stderr: r.stderr,
});
