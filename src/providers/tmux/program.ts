/** Which processes are a session's program, from one read of the process table. Pure.
 *
 *  `kill-session` only hangs up on the pane: what ignores SIGHUP, or left the pane's process group
 *  and was re-parented to init (gemini's children, codex's app-server daemon), lives on. Those are
 *  found by what they inherited: every session gaia starts carries its marks in its environment
 *  (GAIA_ADDRESS, GAIA_PROJECT=name@root, see commands.ts), and every descendant inherits them,
 *  daemonized or not. So a session's program is
 *  - the pane's process, when it carries this session's exact marks, and every process below it
 *    (by parent, or by its process group or session, started no earlier than it), and
 *  - every process of this user whose environment carries this session's exact address and project.
 *  Never gaia itself or what it runs under, and never a tmux server or client (a server holds other
 *  sessions: ending one is never the teardown of one session). */
import type { ProcessInfo } from '../../host/local/process-table.js';
import { MARK_ADDRESS, MARK_PROJECT } from './session.js';

export interface ProgramOwner {
  readonly address: string;
  /** `name@root`; without it no environment is proof, and nothing is taken. */
  readonly project?: string;
  /** The pane's process as tmux last reported it (none for a dead pane: its pid may be reused). */
  readonly panePid?: number;
}

export function carriesMarks(p: ProcessInfo, owner: ProgramOwner): boolean {
  return owner.project !== undefined && p.env?.get(MARK_ADDRESS) === owner.address && p.env.get(MARK_PROJECT) === owner.project;
}

/** gaia's own process and its ancestors: never part of a program it ends, even run inside one. */
export function ancestry(table: readonly ProcessInfo[], self: number): ReadonlySet<number> {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const out = new Set<number>();
  for (let pid: number | undefined = self; pid !== undefined && pid > 0 && !out.has(pid); pid = byPid.get(pid)?.ppid) out.add(pid);
  return out;
}

const isTmux = (p: ProcessInfo): boolean => /^tmux\b/.test(p.comm);

const markKey = (address: string, project: string): string => `${address}\0${project}`;

/** One table, read for many sessions: who is whose child, and who carries which marks. */
export interface ProcessIndex {
  readonly byPid: ReadonlyMap<number, ProcessInfo>;
  readonly children: ReadonlyMap<number, readonly ProcessInfo[]>;
  readonly marked: ReadonlyMap<string, readonly ProcessInfo[]>;
  /** By session id and by process group id (a process in both under one id is listed twice). */
  readonly grouped: ReadonlyMap<number, readonly ProcessInfo[]>;
}

export function indexProcesses(table: readonly ProcessInfo[]): ProcessIndex {
  const children = new Map<number, ProcessInfo[]>();
  const marked = new Map<string, ProcessInfo[]>();
  const grouped = new Map<number, ProcessInfo[]>();
  const add = <K>(m: Map<K, ProcessInfo[]>, k: K, p: ProcessInfo) => {
    const list = m.get(k);
    if (list) list.push(p);
    else m.set(k, [p]);
  };
  for (const p of table) {
    add(children, p.ppid, p);
    add(grouped, p.sid, p);
    if (p.pgid !== p.sid) add(grouped, p.pgid, p);
    const address = p.env?.get(MARK_ADDRESS);
    const project = p.env?.get(MARK_PROJECT);
    if (address !== undefined && project !== undefined) add(marked, markKey(address, project), p);
  }
  return { byPid: new Map(table.map((p) => [p.pid, p])), children, marked, grouped };
}

/** The tmux server a process runs under: the socket of its `$TMUX` (undefined when it does not say). */
export function serverOf(p: ProcessInfo): string | undefined {
  const tmux = p.env?.get('TMUX');
  return tmux ? tmux.split(',')[0] : undefined;
}

/** The processes of this user carrying the owner's exact marks. Those that say they run under
 *  another tmux server than `server` are another server's session of the same name and marks (the
 *  new copy of a session moved to another host, when both hosts are this machine), not this one's. */
export function markedWith(owner: ProgramOwner, index: ProcessIndex, server?: string): readonly ProcessInfo[] {
  const marked = owner.project === undefined ? [] : index.marked.get(markKey(owner.address, owner.project)) ?? [];
  return server === undefined ? marked : marked.filter((p) => serverOf(p) === undefined || serverOf(p) === server);
}

export function programOf(owner: ProgramOwner, index: ProcessIndex, spared: ReadonlySet<number>): ProcessInfo[] {
  const found = new Map<number, ProcessInfo>();
  const root = owner.panePid === undefined ? undefined : index.byPid.get(owner.panePid);
  if (root && carriesMarks(root, owner)) {
    const queue = [root];
    for (let p = queue.shift(); p; p = queue.shift()) {
      if (found.has(p.pid)) continue;
      found.set(p.pid, p);
      queue.push(...(index.children.get(p.pid) ?? []));
    }
    // Members of its session or group that left its tree (re-parented), started no earlier than it.
    for (const p of index.grouped.get(root.pid) ?? []) if (p.start >= root.start) found.set(p.pid, p);
  }
  for (const p of markedWith(owner, index, root ? serverOf(root) : undefined)) found.set(p.pid, p);
  return [...found.values()].filter((p) => mayEnd(p, spared)).sort((a, b) => a.pid - b.pid);
}

/** Whether a process may be ended as part of a program at all. */
export const mayEnd = (p: ProcessInfo, spared: ReadonlySet<number>): boolean => !spared.has(p.pid) && !isTmux(p);
