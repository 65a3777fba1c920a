/** Evidence for self-heal: the last lines of sessions whose program died, read before a restart
 *  replaces them (the tmux provider sets remain-on-exit, so a dead pane keeps its output). */
import type { Observed } from '../core/resource.js';
import type { ObserveContext } from '../providers/provider.js';
import { capturePanes } from '../providers/tmux/capture.js';
import { tmuxServer } from '../providers/tmux/settings.js';

export function isDeadSession(o: Observed | undefined): boolean {
  return o?.kind === 'tmux_session' && o.attributes.paneDead === true;
}

/** Session name → its last lines (runs of blank lines squeezed, trailing ones dropped); one tmux invocation. */
export async function lastOutput(ctx: ObserveContext, names: readonly string[], lines = 50): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  for (const [name, text] of await capturePanes(names, tmuxServer(ctx), { history: lines })) {
    out.set(name, text.replace(/\n{3,}/g, '\n\n').replace(/\s+$/, ''));
  }
  return out;
}
