/** The tmux provider's apply with what agent sessions need around it: conversation identifiers put
 *  into the commands (and recorded once the sessions are up), and staggered rounds of starts. The
 *  batching itself is `applyTmux`'s. */
import type { Change } from '../../core/plan.js';
import type { ApplyContext, ChangeOutcome } from '../provider.js';
import { applyTmux } from './apply.js';
import { conversationNote, resolveConversations } from './conversation.js';
import { startRounds } from './stagger.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function applyTmuxSessions(changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]> {
  const resolved = await resolveConversations(changes, ctx.conversations);
  const outcomes: ChangeOutcome[] = changes.map(() => ({ status: 'failed', error: 'not applied' }));
  const rounds = startRounds(resolved.map((r) => r.change));
  for (const round of rounds) {
    if (round.delayMs > 0) {
      ctx.log(`waiting ${round.delayMs} ms before starting ${round.indices.length} more session${round.indices.length === 1 ? '' : 's'} (policy.maxConcurrentStarts)`);
      await sleep(round.delayMs);
    }
    const results = await applyTmux(round.indices.map((i) => resolved[i]!.change), ctx);
    round.indices.forEach((i, j) => (outcomes[i] = results[j] ?? { status: 'failed', error: 'not applied' }));
  }
  for (const [i, r] of resolved.entries()) {
    const o = outcomes[i]!;
    if (!r.conversation || o.status !== 'done') continue;
    if (r.conversation.record) await ctx.conversations?.set(r.change.address, r.conversation.id);
    outcomes[i] = { ...o, notes: [...(o.notes ?? []), conversationNote(r.conversation)] };
  }
  return outcomes;
}
