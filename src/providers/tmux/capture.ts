/** Read what many panes show, in one tmux invocation (health checks, status, dashboards). */
import { randomBytes } from 'node:crypto';
import { MAX_INVOCATION_BYTES, chainBytes, invocation, paneTarget, type TmuxCommand } from './commands.js';
import { isNoServer } from './list.js';
import type { TmuxServer } from './settings.js';

export interface CaptureOptions {
  /** Also this many lines of scrollback above the visible screen. */
  readonly history?: number;
}

type Ctx = TmuxServer;

/**
 * The text of each named session's current pane. `capture-pane -p` of one session after another,
 * each followed by `display-message -p <separator>` so the output splits reliably. tmux stops a chain
 * at the first failing command, so a missing session ends the run early: the ones before it are
 * kept, it is left out, and the rest go in the next invocation. Missing sessions are absent from
 * the result.
 */
export async function capturePanes(names: readonly string[], ctx: Ctx, options: CaptureOptions = {}): Promise<ReadonlyMap<string, string>> {
  const separator = `gaia-capture-${randomBytes(8).toString('hex')}`;
  const range = options.history ? ['-S', String(-Math.abs(Math.floor(options.history)))] : [];
  const commandsFor = (name: string): TmuxCommand[] => [
    ['capture-pane', '-p', ...range, '-t', paneTarget(name)],
    ['display-message', '-p', separator],
  ];
  const out = new Map<string, string>();
  let rest = [...names];
  while (rest.length > 0) {
    const batch: string[] = [];
    let bytes = 0;
    for (const name of rest) {
      const size = chainBytes(commandsFor(name)) + 2;
      if (batch.length > 0 && bytes + size > MAX_INVOCATION_BYTES) break;
      batch.push(name);
      bytes += size;
    }
    const result = await ctx.host.run(invocation(ctx, batch.flatMap(commandsFor)));
    const pieces = result.stdout.split(`${separator}\n`);
    const complete = pieces.length - 1; // the text after the last separator belongs to no session
    for (let i = 0; i < complete; i++) out.set(batch[i]!, pieces[i]!);
    if (!result.failed) {
      rest = rest.slice(batch.length);
      continue;
    }
    if (isNoServer(result.stderr)) break;
    rest = rest.slice(Math.min(complete + 1, batch.length)); // skip the session that failed
  }
  return out;
}
