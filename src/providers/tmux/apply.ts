/** Apply session changes in as few tmux invocations as the message limit allows.
 *
 *  tmux runs a chain of commands in one pass of its queue and stops at the first command that fails.
 *  So a failed batch is settled by looking (one list-sessions): changes whose effect is there are
 *  done; the rest are run again one by one, which gives each its own outcome and stderr.
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

/** Greedy packing in order; one change larger than the limit goes alone (tmux then says why). */
export function pack(work: readonly Work[], limit = MAX_INVOCATION_BYTES): Work[][] {
  const batches: Work[][] = [];
  let current: Work[] = [];
  let bytes = 0;
  for (const w of work) {
    const size = chainBytes(w.commands) + 2; // the `;` between changes, and its NUL
    if (current.length > 0 && bytes + size > limit) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(w);
    bytes += size;
  }
  if (current.length) batches.push(current);
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

async function runBatch(batch: readonly Work[], ctx: ApplyContext): Promise<Array<readonly [Work, ChangeOutcome]>> {
  const since = Math.floor(Date.now() / 1000);
  const result = await ctx.exec.run(invocation(ctx, batch.flatMap((w) => w.commands)));
  if (!result.failed) return batch.map((w) => [w, DONE] as const);

  const listed = await listSessions(ctx);
  const rows = listed.ok ? listed.rows : undefined;
  const out: Array<readonly [Work, ChangeOutcome]> = [];
  const retry: Work[] = [];
  for (const w of batch) {
    if (rows && landed(w, rows.get(w.name), since)) out.push([w, DONE]);
    else if (batch.length === 1 || !rows) out.push([w, failed(describeFailure(result), result)]);
    else retry.push(w);
  }
  for (const w of retry) {
    // A replace whose kill ran before the batch stopped only needs its create now.
    const gone = w.change.action === 'replace' && !rows?.has(w.name);
    const again: Work = gone && w.create ? { ...w, commands: w.create } : w;
    out.push(...(await runBatch([again], ctx)));
  }
  return out;
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
  for (const batch of pack(work)) {
    for (const [w, outcome] of await runBatch(batch, ctx)) outcomes[w.index] = outcome;
  }
  return outcomes.map((o) => o ?? failed('not applied'));
}

