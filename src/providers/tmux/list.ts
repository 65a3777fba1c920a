/** One `tmux list-sessions` for every session, parsed into rows. The only read of the tmux server. */
import { describeFailure } from '../../host/exec.js';
import type { HostProcesses } from '../../host/host.js';
import type { TmuxServer } from './settings.js';
import { invocation } from './commands.js';
import { MARK_ADDRESS, MARK_META, MARK_PROJECT, MARK_SPEC, addressOf, decodeMeta, type SessionMeta } from './session.js';

const FIELD = '\x1f';
/** tmux prints control characters in values as escapes (`\n`), so this (plus the newline tmux adds)
 *  ends a record unambiguously, even after a command or path with odd characters. */
const END = '\x1e';

const COLUMNS = [
  'session_name', MARK_SPEC, MARK_ADDRESS, MARK_META, 'session_created', 'session_path', 'pane_pid',
  'pane_dead', 'pane_dead_status', 'pane_current_command', 'session_activity', 'window_activity', 'remain-on-exit',
  'pane_start_command', 'pane_dead_signal', 'pid', MARK_PROJECT,
] as const;

export const LIST_FORMAT = COLUMNS.map((c) => `#{${c}}`).join(FIELD) + END;

export interface SessionRow {
  readonly name: string;
  /** The spec hash gaia marked the session with; only when its address mark names this very session
   *  (a session reads `#{GAIA_SPEC}` from the server's global environment when it has none of its own). */
  readonly spec?: string;
  /** The project that marked it (`name@root`), when its marks say. */
  readonly project?: string;
  readonly meta?: SessionMeta;
  readonly created: number | null;
  readonly path: string;
  readonly panePid: number | null;
  readonly paneDead: boolean;
  readonly paneDeadStatus: number | null;
  /** The signal that ended the pane's program, when one did. */
  readonly paneDeadSignal: number | null;
  readonly currentCommand: string;
  readonly activity: number | null;
  /** The pane's effective remain-on-exit (`on` and `failed` keep a dead pane). */
  readonly remainOnExit: boolean;
  readonly startCommand: string;
  /** The tmux server's process id. */
  readonly serverPid: number | null;
}

export type ListResult =
  | { readonly ok: true; readonly rows: ReadonlyMap<string, SessionRow> }
  | { readonly ok: false; readonly error: string; readonly argv: readonly string[]; readonly stderr: string; readonly exitCode: number };

/** What tmux says when there is no server: no sessions, not an error. */
export function isNoServer(stderr: string): boolean {
  return /no server running|error connecting to|server exited unexpectedly/i.test(stderr);
}

const int = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : null);

export function parseRows(stdout: string): Map<string, SessionRow> {
  const rows = new Map<string, SessionRow>();
  for (const record of stdout.split(`${END}\n`)) {
    if (record.trim() === '') continue;
    const f = record.split(FIELD);
    const get = (c: (typeof COLUMNS)[number]) => f[COLUMNS.indexOf(c)] ?? '';
    const name = get('session_name');
    const marked = get(MARK_ADDRESS) === addressOf(name) && get(MARK_SPEC) !== '';
    const meta = marked ? decodeMeta(get(MARK_META)) : undefined;
    const activity = Math.max(int(get('session_activity')) ?? -1, int(get('window_activity')) ?? -1);
    rows.set(name, {
      name,
      ...(marked ? { spec: get(MARK_SPEC) } : {}),
      ...(marked && get(MARK_PROJECT) !== '' ? { project: get(MARK_PROJECT) } : {}),
      ...(meta ? { meta } : {}),
      created: int(get('session_created')),
      path: get('session_path'),
      panePid: int(get('pane_pid')),
      paneDead: get('pane_dead') === '1',
      paneDeadStatus: int(get('pane_dead_status')),
      paneDeadSignal: int(get('pane_dead_signal')),
      currentCommand: get('pane_current_command'),
      activity: activity < 0 ? null : activity,
      remainOnExit: get('remain-on-exit') !== 'off' && get('remain-on-exit') !== '',
      startCommand: get('pane_start_command'),
      serverPid: int(get('pid')),
    });
  }
  return rows;
}

export async function listSessions(ctx: TmuxServer, nudge = (pid: number) => nudgeServer(ctx.host.processes, pid)): Promise<ListResult> {
  const first = await listOnce(ctx);
  if (!first.ok) return first;
  // A dead pane with neither an exit status nor a signal: tmux 3.3a now and then leaves programs
  // that exit at the same moment unreaped (zombies) until its next SIGCHLD, and until then nobody
  // can tell an agent that finished from one that crashed. The signal makes tmux reap them; it
  // changes nothing else (tmux's handler only collects exited children).
  const unreaped = [...first.rows.values()].find((r) => r.paneDead && r.paneDeadStatus === null && r.paneDeadSignal === null);
  if (!unreaped?.serverPid || !(await nudge(unreaped.serverPid))) return first;
  const again = await listOnce(ctx);
  return again.ok ? again : first;
}

async function listOnce(ctx: TmuxServer): Promise<ListResult> {
  const result = await ctx.host.run(invocation(ctx, [['list-sessions', '-F', LIST_FORMAT]]));
  if (!result.failed) return { ok: true, rows: parseRows(result.stdout) };
  if (isNoServer(result.stderr)) return { ok: true, rows: new Map() };
  return { ok: false, error: describeFailure(result), argv: result.argv, stderr: result.stderr, exitCode: result.exitCode };
}

/** How long tmux gets to reap after the nudge; it handles the signal in its event loop at once. */
const NUDGE_WAIT_MS = 50;

/** SIGCHLD to the tmux server; false when it cannot be sent (not ours to signal, or gone). */
async function nudgeServer(processes: HostProcesses, pid: number): Promise<boolean> {
  if (!processes.signalPid(pid, 'SIGCHLD')) return false;
  await new Promise((resolve) => setTimeout(resolve, NUDGE_WAIT_MS));
  return true;
}
