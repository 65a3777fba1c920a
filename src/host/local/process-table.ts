/** This machine's processes, read from /proc in-process (Linux), and signals sent only to the very
 *  process that was read: a pid is known by its pid and its start time (`/proc/PID/stat` field 22),
 *  so a pid the kernel gave to a newer process is never signalled. */
import { readdirSync, readFileSync, statSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Process group and session ids (stat fields 5 and 6). */
  readonly pgid: number;
  readonly sid: number;
  /** Clock ticks after boot at which it started (stat field 22): with the pid, its identity. */
  readonly start: number;
  /** `/proc/PID/comm`, e.g. `node`, `tmux: server`. */
  readonly comm: string;
  /** The environment it was started with; only read for processes of this user (others' are unreadable). */
  readonly env?: ReadonlyMap<string, string>;
}

export interface ProcessId {
  readonly pid: number;
  readonly start: number;
}

interface Stat {
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly start: number;
  readonly comm: string;
}

/** `/proc/PID/stat`: the name sits in parentheses and may hold spaces and `)`, so fields are counted
 *  from the last `)`. Pure. */
export function parseStat(text: string): Stat | undefined {
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (close < 0 || open < 0) return undefined;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): field N is f[N - 3].
  const n = (field: number) => Number(f[field - 3]);
  const start = n(22);
  if (!Number.isFinite(start)) return undefined;
  return { state: f[0] ?? '', ppid: n(4), pgid: n(5), sid: n(6), start, comm: text.slice(open + 1, close) };
}

export function parseEnviron(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // ended meanwhile, or not ours to read
  }
};

const uid = typeof process.getuid === 'function' ? process.getuid() : -1;

/** Every live process (zombies hold nothing and are left out), with the environment of this user's
 *  own when `withEnv`. One pass over /proc. */
export function scanProcesses(withEnv: boolean, procRoot = '/proc'): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return out;
  }
  for (const d of entries) {
    if (!/^\d+$/.test(d)) continue;
    const stat = parseStat(read(`${procRoot}/${d}/stat`) ?? '');
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    let env: Map<string, string> | undefined;
    if (withEnv) {
      let owner: number;
      try {
        owner = statSync(`${procRoot}/${d}`).uid;
      } catch {
        continue;
      }
      const text = owner === uid ? read(`${procRoot}/${d}/environ`) : undefined;
      if (text !== undefined) env = parseEnviron(text);
    }
    out.push({ pid: Number(d), ppid: stat.ppid, pgid: stat.pgid, sid: stat.sid, start: stat.start, comm: stat.comm, ...(env ? { env } : {}) });
  }
  return out;
}

/** Still running, and still the same process (not a zombie, not a newer one with its pid). */
export function isRunning(p: ProcessId, procRoot = '/proc'): boolean {
  const stat = parseStat(read(`${procRoot}/${p.pid}/stat`) ?? '');
  return stat !== undefined && stat.start === p.start && stat.state !== 'Z' && stat.state !== 'X';
}

/** Send `signal` to exactly this process; false when it is not running any more (or not ours to signal). */
export function signalProcess(p: ProcessId, signal: NodeJS.Signals): boolean {
  if (!isRunning(p)) return false;
  try {
    process.kill(p.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Clock ticks since boot now, on the scale of `start` (USER_HZ is 100 on every Linux gaia runs on). */
export function ticksNow(procRoot = '/proc'): number {
  const up = Number((read(`${procRoot}/uptime`) ?? '').split(' ')[0]);
  return Number.isFinite(up) ? Math.floor(up * CLOCK_TICKS) : Number.POSITIVE_INFINITY;
}
const CLOCK_TICKS = 100;
