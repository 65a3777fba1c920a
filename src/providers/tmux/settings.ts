/** The tmux provider's settings, and what its own functions need to reach a tmux server. */
import type { Host } from '../../host/host.js';
import type { ConversationRecords, ObserveContext } from '../provider.js';

export interface TmuxSettings {
  /** tmux `-L` socket name; undefined means the user's default server. */
  readonly socket?: string;
  /** The state store's conversations of agent sessions (start/resume templates). */
  readonly conversations?: ConversationRecords;
}

/** A tmux server: which socket (undefined: the user's default server), and the host it runs on (its
 *  commands reach it; its processes and files are there). `socket` is not optional so that no wider context passes for a server by accident. */
export interface TmuxServer {
  readonly socket: string | undefined;
  readonly host: Host;
}

export function tmuxServer(ctx: Pick<ObserveContext, 'host' | 'settings'>): TmuxServer {
  return { host: ctx.host, socket: ctx.settings.tmux.socket };
}
