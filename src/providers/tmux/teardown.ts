/** Teardown ends the whole program, not only the pane: for the sessions a batch kills (delete, and
 *  the first half of replace), the program's processes are read before tmux runs (one /proc scan
 *  for all of them), and what outlives `kill-session` gets SIGTERM, then SIGKILL after a grace; a
 *  second scan after the kill finds what was started meanwhile and checks that none is left.
 *  Only processes that are provably the session's (see program.ts) are signalled, each by pid and
 *  start time. */
import type { HostProcesses, ProcessInfo } from '../../host/host.js';
import { ancestry, indexProcesses, markedWith, mayEnd, programOf, serverOf, type ProgramOwner } from './program.js';

export interface Ending extends ProgramOwner {
  /** Position in the batch handed to apply. */
  readonly index: number;
  /** A new session with the same marks follows (replace): what started after the kill is its. */
  readonly replaced: boolean;
}

export interface Snapshot {
  readonly endings: readonly Ending[];
  readonly programs: ReadonlyMap<number, readonly ProcessInfo[]>;
  /** Clock ticks after boot when the snapshot was taken. */
  readonly at: number;
}

/** What the teardown of one session ended, as data (the note is made from it). */
export interface Ended {
  /** The program's processes running before the kill. */
  readonly processes: number;
  /** Of these, how many outlived `kill-session` and ended on SIGTERM, and how many needed SIGKILL. */
  readonly terminated: number;
  readonly killed: number;
  /** Still running after SIGKILL (uninterruptible sleep, or not ours to signal after all). */
  readonly left: readonly ProcessInfo[];
}

/** How long what outlived the session gets after SIGTERM (`GAIA_TEARDOWN_GRACE`, ms). */
const TERM_GRACE_MS = 3000;
/** How long a program still running just after `kill-session` gets to end on its hang-up. */
const HANGUP_WAIT_MS = 500;
/** After SIGKILL only the kernel is left to act: a short wait for it. */
const KILL_WAIT_MS = 1000;
const POLL_MS = 50;

function termGraceMs(): number {
  const ms = Number(process.env.GAIA_TEARDOWN_GRACE);
  return process.env.GAIA_TEARDOWN_GRACE && Number.isFinite(ms) && ms >= 0 ? ms : TERM_GRACE_MS;
}

export function snapshot(processes: HostProcesses, endings: readonly Ending[]): Snapshot {
  const table = processes.scan(true);
  const spared = ancestry(table, process.pid);
  const index = indexProcesses(table);
  return { endings, programs: new Map(endings.map((e) => [e.index, programOf(e, index, spared)])), at: processes.ticksNow() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until none of `ps` runs, up to `ms`; the ones still running. */
async function waitGone(processes: HostProcesses, ps: readonly ProcessInfo[], ms: number): Promise<ProcessInfo[]> {
  const deadline = Date.now() + ms;
  let running = ps.filter((p) => processes.isRunning(p));
  while (running.length > 0 && Date.now() < deadline) {
    await sleep(POLL_MS);
    running = running.filter((p) => processes.isRunning(p));
  }
  return running;
}

/** End what is left of the programs of the sessions whose kill happened (`killed(index)`). */
export async function endPrograms(processes: HostProcesses, snap: Snapshot, killed: (e: Ending) => boolean): Promise<ReadonlyMap<number, Ended>> {
  const endings = snap.endings.filter(killed);
  if (endings.length === 0) return new Map();
  const table = processes.scan(true);
  const spared = ancestry(table, process.pid);
  const index = indexProcesses(table);
  const live = new Set(table.map((p) => `${p.pid}:${p.start}`));
  const victims = new Map<number, ProcessInfo[]>();
  for (const e of endings) {
    const before = snap.programs.get(e.index) ?? [];
    const known = new Set(before.map((p) => p.pid));
    // Started between the snapshot and the kill (for a replace, only before the snapshot's tick:
    // the new session carries the same marks).
    const late = markedWith(e, index, before.map(serverOf).find((x) => x !== undefined)).filter((p) => !known.has(p.pid) && mayEnd(p, spared) && (!e.replaced || p.start < snap.at));
    victims.set(e.index, [...before, ...late]);
  }
  // The hang-up is how a program in the pane's session hears that its terminal is gone: what is
  // still finishing on it gets a moment before it is signalled, so "outlived" means it. What left
  // that session (a daemon) never heard it, and gets SIGTERM at once.
  const running = endings.flatMap((e) => (victims.get(e.index) ?? []).filter((p) => live.has(`${p.pid}:${p.start}`)).map((p) => ({ p, heard: e.panePid !== undefined && p.sid === e.panePid })));
  const deaf = running.filter((r) => !r.heard).map((r) => r.p);
  for (const p of deaf) processes.signal(p, 'SIGTERM');
  const stillHearing = await waitGone(processes, running.filter((r) => r.heard).map((r) => r.p), HANGUP_WAIT_MS);
  for (const p of stillHearing) processes.signal(p, 'SIGTERM');
  const outlived = [...deaf, ...stillHearing];
  const afterTerm = await waitGone(processes, outlived, termGraceMs());
  for (const p of afterTerm) processes.signal(p, 'SIGKILL');
  const left = await waitGone(processes, afterTerm, KILL_WAIT_MS);
  const key = (p: ProcessInfo) => `${p.pid}:${p.start}`;
  const inOutlived = new Set(outlived.map(key));
  const inAfterTerm = new Set(afterTerm.map(key));
  const inLeft = new Set(left.map(key));
  return new Map(endings.map((e) => {
    const ps = victims.get(e.index) ?? [];
    const count = (s: ReadonlySet<string>) => ps.filter((p) => s.has(key(p))).length;
    return [e.index, {
      processes: ps.length,
      terminated: count(inOutlived) - count(inAfterTerm),
      killed: count(inAfterTerm) - count(inLeft),
      left: ps.filter((p) => inLeft.has(key(p))),
    }];
  }));
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 'es'}`;

/** `ended 4 processes (2 outlived the session: 1 ended on SIGTERM, 1 needed SIGKILL)`. */
export function endedNote(e: Ended): string | undefined {
  if (e.processes === 0) return undefined;
  const outlived = e.terminated + e.killed + e.left.length;
  const how = [e.terminated ? `${e.terminated} ended on SIGTERM` : '', e.killed ? `${e.killed} needed SIGKILL` : ''].filter(Boolean).join(', ');
  return `ended ${plural(e.processes - e.left.length, 'process')}${outlived - e.left.length > 0 ? ` (${outlived} outlived the session: ${how})` : ''}`;
}

/** The failure when something survived SIGKILL: the session is gone, its program is not. */
export function leftError(e: Ended): string {
  return `its program is still running after SIGKILL: ${e.left.map((p) => `pid ${p.pid} (${p.comm})`).join(', ')}`;
}
