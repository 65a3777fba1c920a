/** Apply session changes in as few tmux invocations as the message limit allows.
 *
 *  tmux runs a chain of commands in one pass of its queue and stops at the first command that fails.
 *  So a failed batch is settled by looking (one list-sessions): changes whose effect is there are
 *  done, the one tmux stopped at runs alone for its own outcome and stderr, the rest are batched again.
 *  No separate server start is needed: a chain holding a new-session starts the server itself
 *  (checked with tmux 3.3a: a first batch of 60 creates on a stopped server all land). */
import fs from 'node:fs';
import type { Change } from '../../core/plan.js';
import { describeFailure, type CommandResult } from '../exec.js';
import type { ApplyContext, ChangeOutcome } from '../provider.js';
import { MAX_INVOCATION_BYTES, chainBytes, invocation } from './commands.js';
import { listSessions, type SessionRow } from './list.js';
import { encodeMeta } from './session.js';
import { prepare, type Work } from './work.js';

const DONE: ChangeOutcome = { status: 'done' };

const failed = (error: string, result?: CommandResult): ChangeOutcome => ({
  status: 'failed',
  error,
  ...(result ? { argv: result.argv, stderr: result.stderr } : {}),
});

/** The longest run from the head of the queue that fits the limit; at least one change (a change
 *  larger than the limit goes alone, and tmux says why). */
function takeBatch(queue: readonly Work[], limit: number): Work[] {
  const batch: Work[] = [];
  let bytes = 0;
  for (const w of queue) {
    const size = chainBytes(w.commands) + 2; // plus the `;` between changes, and its NUL
    if (batch.length > 0 && bytes + size > limit) break;
    batch.push(w);
    bytes += size;
  }
  return batch;
}

/** Greedy packing in order. */
export function pack(work: readonly Work[], limit = MAX_INVOCATION_BYTES): Work[][] {
  const batches: Work[][] = [];
  for (let rest = work; rest.length > 0; ) {
    const batch = takeBatch(rest, limit);
    batches.push(batch);
    rest = rest.slice(batch.length);
  }
  return batches;
}

/** Whether a change's effect is visible in the sessions listed after its batch ran. */
export function landed(w: Work, row: SessionRow | undefined, since: number): boolean {
  const { action } = w.change;
  if (action === 'delete') return row === undefined;
  if (!row || !w.mark || row.spec !== w.mark.spec) return false;
  if (action === 'update') return row.meta !== undefined && encodeMeta(row.meta) === encodeMeta(w.mark);
  if (action === 'replace') {
    // Same spec before and after (a dead pane replaced): tell the new session from the old one.
    const oldPid = w.change.before?.panePid;
    return (row.created ?? 0) >= since && (typeof oldPid !== 'number' || row.panePid !== oldPid);
  }
  return true;
}

/** tmux's own words, plus what they mean when that is not obvious. */
function failureText(result: CommandResult): string {
  const text = describeFailure(result);
  return /fork failed: No space left on device/.test(result.stderr)
    ? `${text} (the machine is out of pseudo-terminals: each session needs one; see kernel.pty.max)`
    : text;
}

/** One change in an invocation of its own, so its outcome and stderr are its own. A failed kill
 *  (delete, or the first half of a replace) is checked against the sessions that exist: a session
 *  already gone is what a delete wants, and a replace then only needs its create. */
async function runAlone(w: Work, ctx: ApplyContext, since: number): Promise<ChangeOutcome> {
  const result = await ctx.exec.run(invocation(ctx, w.commands));
  if (!result.failed) return DONE;
  const { action } = w.change;
  if (action !== 'delete' && action !== 'replace') return failed(failureText(result), result);
  const listed = await listSessions(ctx);
  if (!listed.ok) return failed(failureText(result), result);
  const row = listed.rows.get(w.name);
  if (landed(w, row, since)) return DONE;
  if (action === 'replace' && row === undefined && w.create && w.commands !== w.create) return runAlone({ ...w, commands: w.create }, ctx, since);
  return failed(failureText(result), result);
}

/** Run changes in packed batches. tmux stops a chain at its first failing command, so after a
 *  failed batch one list-sessions shows what landed; the first change that did not land is where
 *  tmux stopped, and runs alone for its own outcome; the ones after it go back in the queue. */
async function runAll(work: readonly Work[], ctx: ApplyContext, outcomes: Array<ChangeOutcome | undefined>): Promise<void> {
  let queue = [...work];
  while (queue.length > 0) {
    const batch = takeBatch(queue, MAX_INVOCATION_BYTES);
    queue = queue.slice(batch.length);
    const since = Math.floor(Date.now() / 1000);
    if (batch.length === 1) {
      outcomes[batch[0]!.index] = await runAlone(batch[0]!, ctx, since);
      continue;
    }
    const result = await ctx.exec.run(invocation(ctx, batch.flatMap((w) => w.commands)));
    if (!result.failed) {
      for (const w of batch) outcomes[w.index] = DONE;
      continue;
    }
    const listed = await listSessions(ctx);
    if (!listed.ok) {
      for (const w of batch) outcomes[w.index] = failed(failureText(result), result);
      continue;
    }
    const pending = batch.filter((w) => {
      const done = landed(w, listed.rows.get(w.name), since);
      if (done) outcomes[w.index] = DONE;
      return !done;
    });
    const [stopped, ...rest] = pending;
    if (!stopped) continue;
    // A replace whose kill ran before the batch stopped only needs its create now.
    const gone = stopped.change.action === 'replace' && !listed.rows.has(stopped.name) && stopped.create;
    outcomes[stopped.index] = await runAlone(gone ? { ...stopped, commands: stopped.create! } : stopped, ctx, since);
    queue = [...rest, ...queue];
  }
}

/** A session started in a missing folder would silently start in the home folder instead. */
function cwdProblem(w: Work): string | undefined {
  if (w.cwd === undefined) return undefined;
  try {
    return fs.statSync(w.cwd).isDirectory() ? undefined : `working directory ${w.cwd} is not a directory`;
  } catch {
    return `working directory ${w.cwd} does not exist`;
  }
}

export async function applyTmux(changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]> {
  const outcomes: Array<ChangeOutcome | undefined> = changes.map(() => undefined);
  const work: Work[] = [];
  for (const [index, change] of changes.entries()) {
    const p = prepare(change, index, ctx.root);
    if (!p.ok) {
      outcomes[index] = failed(p.error);
      continue;
    }
    const problem = cwdProblem(p.work);
    if (problem) outcomes[index] = failed(problem);
    else if (p.work.commands.length === 0) outcomes[index] = DONE;
    else work.push(p.work);
  }
  // One server, one queue: batches run one after another.
  await runAll(work, ctx, outcomes);
  return outcomes.map((o) => o ?? failed('not applied'));
}

