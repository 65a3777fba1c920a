/** Handing a task's text to its session: the tmux provider's confirmed delivery (a uniquely named
 *  buffer pasted bracketed, then a separate Enter, each checked on the pane), behind the session's
 *  group `ready` gate. Multi-line text arrives as one message. */
import type { Model } from '../manifest/model.js';
import type { ObserveContext } from '../providers/provider.js';
import { deliverText, textProblem, type DeliverOptions } from '../providers/tmux/deliver.js';
import { tmuxServer } from '../providers/tmux/settings.js';

/** Why a text cannot be delivered, if it cannot: empty, or control characters other than tab and newline. */
export const deliveryProblem = textProblem;

export type Delivery = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** The ready gate of the group a session belongs to. */
export function readyFor(model: Pick<Model, 'groups'>, session: string): DeliverOptions['ready'] | undefined {
  return model.groups.find((g) => g.sessions.some((s) => s.name === session))?.ready;
}

export async function deliver(session: string, text: string, ctx: ObserveContext, options: DeliverOptions = {}): Promise<Delivery> {
  const d = await deliverText(session, text, tmuxServer(ctx), options);
  return d.ok ? { ok: true } : { ok: false, error: d.error };
}
