/** Evidence for self-heal: the last lines of sessions whose program died, read before a restart
 *  replaces them (remain-on-exit keeps a dead pane and its output). One tmux invocation for all. */
import type { Observed } from '../core/resource.js';
import type { ObserveContext } from '../providers/provider.js';
import { invocation, paneTarget, type TmuxCommand } from '../providers/tmux/commands.js';

const SEPARATOR = '--gaia-capture-end--';

export function isDeadSession(o: Observed | undefined): boolean {
  return o?.kind === 'tmux_session' && o.attributes.paneDead === true;
}

/** Session name → its last `lines` lines (trailing blank lines dropped). Sessions that cannot be read are left out. */
export async function capturePanes(ctx: ObserveContext, names: readonly string[], lines = 50): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const commands: TmuxCommand[] = names.flatMap((n) => [
    ['capture-pane', '-p', '-J', '-t', paneTarget(n), '-S', `-${lines}`],
    ['display-message', '-p', SEPARATOR],
  ]);
  const r = await ctx.exec.run(invocation(ctx, commands));
  const chunks = r.stdout.split(`${SEPARATOR}\n`);
  names.forEach((n, i) => {
    const text = chunks[i];
    // A failed chain stops early: only chunks followed by their separator are complete.
    if (text === undefined || i >= chunks.length - 1) return;
    out.set(n, text.replace(/\n{3,}/g, '\n\n').replace(/\s+$/, ''));
  });
  return out;
}
