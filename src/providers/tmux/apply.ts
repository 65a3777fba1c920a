/** Apply session changes in as few tmux invocations as the message limit allows.
 *
 *  tmux runs a chain of commands in one pass of its queue and stops at the first command that fails.
 *  So a failed batch is settled by looking (one list-sessions): changes whose effect is there are
 *  done, the one tmux stopped at runs alone for its own outcome and stderr, the rest are batched again.
 *  No separate server start is needed: a chain holding a new-session starts the server itself
 *  (checked with tmux 3.3a: a first batch of 60 creates on a stopped server all land). */
import type { Change } from '../../core/plan.js';
import { describeFailure, type CommandResult } from '../../host/exec.js';
import type { HostFiles, HostProcesses } from '../../host/host.js';
import type { ApplyContext, ChangeOutcome } from '../provider.js';
import { MAX_INVOCATION_BYTES, chainBytes, invocation, stdinInvocation } from './commands.js';
import { capturePanes } from './capture.js';
import { listSessions, type SessionRow } from './list.js';
import { encodeMeta } from './session.js';
import { endPrograms, endedNote, leftError, snapshot, type Ending } from './teardown.js';
import { prepare, type Work } from './work.js';
import { tmuxServer } from './settings.js';
import { ciMarkers } from './server-env.js';

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

/** Changes carrying a sensitive environment value go to tmux on stdin, never as argv. A batch that
 *  makes a session may start the server, which then keeps this client's environment (without gaia's
 *  CI markers) and its place: outside the login gaia runs in, where that login's end would take it. */
function runTmux(ctx: ApplyContext, work: readonly Work[]): Promise<CommandResult> {
  const commands = work.flatMap((w) => w.commands);
  const unsetEnv = ciMarkers(process.env);
  const makes = work.some((w) => w.change.action === 'create' || w.change.action === 'replace');
  const outside = makes ? ctx.host.processes.outsideLogin() : [];
  if (!work.some((w) => w.change.sensitive?.some((p) => p.startsWith('env.')))) return ctx.host.run([...outside, ...invocation(tmuxServer(ctx), commands)], { unsetEnv });
  const { argv, input } = stdinInvocation(tmuxServer(ctx), commands);
  return ctx.host.run([...outside, ...argv], { input, unsetEnv });
}

/** One change in an invocation of its own, so its outcome and stderr are its own. A failed kill
 *  (delete, or the first half of a replace) is checked against the sessions that exist: a session
 *  already gone is what a delete wants, and a replace then only needs its create. */
async function runAlone(w: Work, ctx: ApplyContext, since: number): Promise<ChangeOutcome> {
  const result = await runTmux(ctx, [w]);
  if (!result.failed) return DONE;
  const { action } = w.change;
  if (action !== 'delete' && action !== 'replace') return failed(failureText(result), result);
  const listed = await listSessions(tmuxServer(ctx));
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
    const result = await runTmux(ctx, batch);
    if (!result.failed) {
      for (const w of batch) outcomes[w.index] = DONE;
      continue;
    }
    const listed = await listSessions(tmuxServer(ctx));
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
function cwdProblem(files: HostFiles, w: Work): string | undefined {
  if (w.cwd === undefined) return undefined;
  try {
    const kind = files.stat(w.cwd)?.kind;
    if (kind === undefined) return `working directory ${w.cwd} does not exist`;
    return kind === 'folder' ? undefined : `working directory ${w.cwd} is not a directory`;
  } catch {
    return `working directory ${w.cwd} does not exist`;
  }
}

export async function applyTmux(changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]> {
  const outcomes: Array<ChangeOutcome | undefined> = changes.map(() => undefined);
  const work: Work[] = [];
  for (const [index, change] of changes.entries()) {
    const p = prepare(change, index, ctx.root, false, ctx.project);
    if (!p.ok) {
      outcomes[index] = failed(p.error);
      continue;
    }
    const problem = cwdProblem(ctx.host.files, p.work);
    if (problem) outcomes[index] = failed(problem);
    else if (p.work.commands.length === 0) outcomes[index] = DONE;
    else work.push(p.work);
  }
  // What the sessions to be killed run is read before tmux kills them (daemons left behind cannot be
  // told from others once their pane is gone), and ended after.
  const endings = work.map((w) => endingOf(w, ctx)).filter((e): e is Ending => e !== undefined);
  const before = endings.length > 0 ? snapshot(ctx.host.processes, endings) : undefined;
  // One server, one queue: batches run one after another.
  await runAll(work, ctx, outcomes);
  if (before) await endLeftovers(ctx.host.processes, before, outcomes);
  await failEarlyExits(work.filter((w) => w.create && outcomes[w.index] === DONE), ctx, outcomes);
  return outcomes.map((o) => o ?? failed('not applied'));
}

/** A session this change kills, with what identifies its program. */
function endingOf(w: Work, ctx: ApplyContext): Ending | undefined {
  const { action, before } = w.change;
  if ((action !== 'delete' && action !== 'replace') || !before) return undefined;
  const panePid = before.paneDead !== true && typeof before.panePid === 'number' ? before.panePid : undefined;
  return { index: w.index, address: w.change.address, replaced: action === 'replace', ...(ctx.project ? { project: ctx.project } : {}), ...(panePid !== undefined ? { panePid } : {}) };
}

/** End what outlived the kills that happened: the change is done, or its pane's process is gone anyway. */
async function endLeftovers(processes: HostProcesses, before: ReturnType<typeof snapshot>, outcomes: Array<ChangeOutcome | undefined>): Promise<void> {
  const pane = (e: Ending) => before.programs.get(e.index)?.find((p) => p.pid === e.panePid);
  const ended = await endPrograms(processes, before, (e) => outcomes[e.index]?.status === 'done' || (pane(e) !== undefined && !processes.isRunning(pane(e)!)));
  for (const [index, e] of ended) {
    const o = outcomes[index];
    if (e.left.length > 0) outcomes[index] = failed(leftError(e));
    else if (o?.status === 'done') {
      const note = endedNote(e);
      if (note) outcomes[index] = { ...o, notes: [...(o.notes ?? []), note] };
    }
  }
}

/** How long a started program must stay up to count as started (`GAIA_START_GRACE`, ms, for tests). */
function startGraceMs(): number {
  const ms = Number(process.env.GAIA_START_GRACE);
  return process.env.GAIA_START_GRACE && Number.isFinite(ms) && ms >= 0 ? ms : START_GRACE_MS;
}

/** A program that exits at once (a typo, a missing binary, a crash on start) did not start: after a
 *  short grace, one list-sessions finds the panes that died, and one capture their last words, so the
 *  apply reports them failed with the exit status and output instead of "created". */
const START_GRACE_MS = 200;
const LAST_LINES = 8;

/** The pane's non-empty lines without the line tmux itself writes into a dead pane ("Pane is dead
 *  (status 3, …)"): that is tmux's, and the status is already reported from pane_dead_status. */
function programOutput(screen: string): string[] {
  const lines = screen.trimEnd().split('\n').filter((l) => l.trim() !== '');
  if (lines.length > 0 && /^Pane is dead \(/.test(lines[lines.length - 1]!)) lines.pop();
  return lines;
}

async function failEarlyExits(started: readonly Work[], ctx: ApplyContext, outcomes: Array<ChangeOutcome | undefined>): Promise<void> {
  if (started.length === 0) return;
  await new Promise((resolve) => setTimeout(resolve, startGraceMs()));
  await failExited(started, ctx, outcomes, startGraceMs());
}

/** The started sessions whose program is no longer running fail, with how it ended and its last
 *  output: one list-sessions, one capture of the dead panes. `graceMs` is what the message says. */
export async function failExited(
  started: readonly { readonly index: number; readonly name: string }[], ctx: ApplyContext, outcomes: Array<ChangeOutcome | undefined>, graceMs: number,
): Promise<void> {
  if (started.length === 0) return;
  const listed = await listSessions(tmuxServer(ctx));
  if (!listed.ok) return;
  const dead = started.filter((w) => listed.rows.get(w.name)?.paneDead !== false);
  if (dead.length === 0) return;
  const screens = await capturePanes(dead.filter((w) => listed.rows.has(w.name)).map((w) => w.name), tmuxServer(ctx), { history: 200 });
  for (const w of dead) {
    const row = listed.rows.get(w.name);
    const how = !row ? 'its tmux session is gone (the server ended, or the program exited with remain-on-exit off)' : row.paneDeadSignal ? `killed by signal ${row.paneDeadSignal}` : `exited ${row.paneDeadStatus ?? '(status unknown)'}`;
    const last = programOutput(screens.get(w.name) ?? '').slice(-LAST_LINES).join('\n');
    const exit = row?.paneDeadSignal ? { signal: row.paneDeadSignal } : typeof row?.paneDeadStatus === 'number' ? { status: row.paneDeadStatus } : {};
    outcomes[w.index] = {
      status: 'failed',
      error: `its program did not start: ${how} within ${graceMs} ms${last ? `; its last output: ${last.split('\n').slice(-2).join(' | ')}` : ''}`,
      ...(last ? { stderr: last } : {}),
      exitedAtStart: exit,
    };
  }
}

