/** `gaia attach`: what to run to put the user's terminal on a session, decided from where gaia runs.
 *  Pure: the environment's `$TMUX` and the project's tmux server pid come in, argv comes out.
 *
 *  tmux sets `$TMUX` in every pane to `socket_path,server_pid,session_id`. Inside a client of the
 *  project's own server the right thing is `switch-client` (an attach there would nest the server in
 *  itself, which tmux refuses); inside another server's pane an attach would nest one tmux in
 *  another, where the prefix key goes to the outer one — gaia refuses, as tmux does ("sessions should
 *  be nested with care, unset $TMUX to force"), and says how to do it on purpose (`TMUX= gaia attach`). */
import { serverArgs, sessionTarget } from './commands.js';
import type { TmuxServer } from './settings.js';

/** The tmux server a pane's `$TMUX` names; undefined outside tmux (unset, empty, or not tmux's shape). */
export interface TmuxClientEnv {
  readonly socketPath: string;
  readonly serverPid: number;
}

export function parseTmuxEnv(value: string | undefined): TmuxClientEnv | undefined {
  if (value === undefined || value === '') return undefined;
  // The path may hold commas itself: the pid and the session id are the last two fields.
  const m = /^(.+),(\d+),(-?\d+)$/.exec(value);
  if (!m) return undefined;
  return { socketPath: m[1]!, serverPid: Number(m[2]) };
}

export type AttachAction =
  /** From a plain terminal: becomes the tmux client; needs that terminal. */
  | { readonly kind: 'attach'; readonly argv: readonly string[] }
  /** From a pane of the project's own server: moves that client to the session and returns at once. */
  | { readonly kind: 'switch'; readonly argv: readonly string[] }
  /** From a pane of another tmux server: refused, naming both. */
  | { readonly kind: 'nested'; readonly outer: string };

/** What `gaia attach NAME` runs, given `$TMUX` and the pid of the project's server (`#{pid}`). */
export function attachAction(server: Pick<TmuxServer, 'socket'>, name: string, tmuxEnv: string | undefined, serverPid: number | null): AttachAction {
  const inside = parseTmuxEnv(tmuxEnv);
  if (!inside) return { kind: 'attach', argv: [...serverArgs(server), 'attach-session', '-t', sessionTarget(name)] };
  if (serverPid !== null && inside.serverPid === serverPid) return { kind: 'switch', argv: [...serverArgs(server), 'switch-client', '-t', sessionTarget(name)] };
  return { kind: 'nested', outer: inside.socketPath };
}
