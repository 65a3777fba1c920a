/** Which processes are a session's program (program.ts), from plain process tables. */
import type { ProcessInfo } from '../../src/host/local/process-table.js';
import { parseStat } from '../../src/host/local/process-table.js';
import { ancestry, indexProcesses, programOf } from '../../src/providers/tmux/program.js';
import { endedNote } from '../../src/providers/tmux/teardown.js';

const MARKS = { GAIA_ADDRESS: 'tmux_session.w1', GAIA_PROJECT: 'demo@/srv/demo' };
const proc = (pid: number, ppid: number, more: Partial<Omit<ProcessInfo, 'env'>> & { env?: Record<string, string> } = {}): ProcessInfo => {
  const { env, ...rest } = more;
  return { pid, ppid, pgid: pid, sid: pid, start: 1000, comm: 'sleep', ...rest, ...(env ? { env: new Map(Object.entries(env)) } : {}) };
};
const owner = { address: 'tmux_session.w1', project: 'demo@/srv/demo', panePid: 10 };
const pids = (ps: readonly ProcessInfo[]) => ps.map((p) => p.pid);

describe('programOf', () => {
  const table: ProcessInfo[] = [
    proc(1, 0, { comm: 'init' }),
    proc(5, 1, { comm: 'tmux: server', env: MARKS }),
    proc(10, 5, { env: MARKS, start: 2000 }),
    proc(11, 10, { pgid: 10, sid: 10, start: 2001 }), // a child that cleared its environment
    proc(12, 11, { pgid: 10, sid: 10, start: 2002 }),
    proc(20, 1, { env: MARKS, start: 2003 }), // a daemon re-parented to init
    proc(21, 1, { sid: 10, pgid: 21, start: 2004 }), // left the group, kept the session
    proc(22, 1, { sid: 10, pgid: 22, start: 500 }), // same session id, but older than the pane: not its
    proc(30, 1, { env: { ...MARKS, GAIA_ADDRESS: 'tmux_session.w10' } }),
    proc(31, 1, { env: { ...MARKS, GAIA_PROJECT: 'demo@/srv/other' } }),
    proc(32, 1, { env: { GAIA_ADDRESS: 'tmux_session.w1' } }),
  ];

  it('takes the pane, what is below it, its session and group, and what carries its exact marks', () => {
    expect(pids(programOf(owner, indexProcesses(table), new Set()))).toEqual([10, 11, 12, 20, 21]);
  });

  it('never takes a tmux server, nor gaia and what it runs under', () => {
    expect(pids(programOf(owner, indexProcesses([...table, proc(40, 12, { comm: 'node', pgid: 10, sid: 10, start: 3000 })]), new Set([40, 12, 11])))).toEqual([10, 20, 21]);
  });

  it('takes no tree from a pane pid that does not carry the marks (reused), and nothing without a project', () => {
    const reused = table.map((p) => (p.pid === 10 ? proc(10, 1, { start: 2000 }) : p));
    expect(pids(programOf(owner, indexProcesses(reused), new Set()))).toEqual([20]);
    expect(pids(programOf({ address: owner.address, panePid: 10 }, indexProcesses(table), new Set()))).toEqual([]);
  });

  it('ancestry walks up from a pid by parent', () => {
    expect([...ancestry(table, 12)].sort((a, b) => a - b)).toEqual([1, 5, 10, 11, 12]);
  });
});

describe('parseStat', () => {
  it('reads fields after the last parenthesis, whatever the name holds', () => {
    const line = '4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615';
    expect(parseStat(line)).toEqual({ state: 'S', ppid: 1, pgid: 4242, sid: 4242, start: 987654, comm: 'a) b (c' });
  });
});

describe('endedNote', () => {
  const some = (n: number) => Array.from({ length: n }, (_, i) => proc(100 + i, 1));
  it.each([
    [{ processes: 0, terminated: 0, killed: 0, left: [] }, undefined],
    [{ processes: 1, terminated: 0, killed: 0, left: [] }, 'ended 1 process'],
    [{ processes: 4, terminated: 1, killed: 1, left: [] }, 'ended 4 processes (2 outlived the session: 1 ended on SIGTERM, 1 needed SIGKILL)'],
    [{ processes: 3, terminated: 2, killed: 0, left: some(1) }, 'ended 2 processes (3 outlived the session: 2 ended on SIGTERM)'],
  ])('%j → %s', (ended, note) => {
    expect(endedNote(ended)).toBe(note);
  });
});
