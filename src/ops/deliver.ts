/** Typing a task into a session: `send-keys -l -- TEXT` (literal: no key names, no shell), then a
 *  separate `send-keys Enter`. argv only; the tmux provider's escaping keeps a trailing `;` from
 *  being read as a command separator. */
import { describeFailure } from '../providers/exec.js';
import type { ObserveContext } from '../providers/provider.js';
import { invocation, paneTarget } from '../providers/tmux/index.js';

/** Literal text per send-keys: well inside tmux's ~16 KB message limit. */
const CHUNK_CHARS = 4000;
/** Agents' input boxes read a burst of keys as a paste; a pause keeps Enter a separate key press. */
const ENTER_DELAY_MS = 150;

/** Why a text cannot be typed safely, if it cannot. Newlines would press Enter part-way; other
 *  control characters (ESC…) are key sequences, not text. */
export function deliveryProblem(text: string): string | undefined {
  if (text.trim() === '') return 'the task text is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(text)) return 'the task text holds a newline or control character; give it on one line to deliver it';
  return undefined;
}

/** Split on code points (never inside a surrogate pair). */
export function chunks(text: string, size = CHUNK_CHARS): readonly string[] {
  const points = [...text];
  const out: string[] = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(''));
  return out;
}

export type Delivery = { readonly ok: true } | { readonly ok: false; readonly error: string };

export async function deliver(session: string, text: string, ctx: ObserveContext, options: { readonly enterDelayMs?: number } = {}): Promise<Delivery> {
  const problem = deliveryProblem(text);
  if (problem) return { ok: false, error: problem };
  const target = paneTarget(session);
  for (const part of chunks(text)) {
    const typed = await ctx.exec.run(invocation(ctx, [['send-keys', '-t', target, '-l', '--', part]]));
    if (typed.exitCode !== 0) return { ok: false, error: describeFailure(typed) };
  }
  await new Promise((resolve) => setTimeout(resolve, options.enterDelayMs ?? ENTER_DELAY_MS));
  const enter = await ctx.exec.run(invocation(ctx, [['send-keys', '-t', target, 'Enter']]));
  if (enter.exitCode !== 0) return { ok: false, error: describeFailure(enter) };
  return { ok: true };
}
