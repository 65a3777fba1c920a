/** What `apply --dry-run` prints for a session change: the exact invocation apply would run for it
 *  alone (apply chains many changes into one invocation), with sensitive values hidden. */
import { assertNever, type Change } from '../../core/plan.js';
import type { ObserveContext, Step } from '../provider.js';
import { invocation } from './commands.js';
import { keepsConversation } from './conversation.js';
import { prepare } from './work.js';

function describe(change: Change, name: string): string {
  switch (change.action) {
    case 'create':
      return `create tmux session ${name}`;
    case 'replace':
      return `replace tmux session ${name} (kill it, then create it)`;
    case 'delete':
      return `kill tmux session ${name}`;
    case 'update':
      return `update the marks of tmux session ${name} in place`;
    case 'adopt':
      return `adopt tmux session ${name}`;
    case 'noop':
      return `tmux session ${name} is up to date`;
    default:
      return assertNever(change.action);
  }
}

export function tmuxSteps(change: Change, ctx: ObserveContext): readonly Step[] {
  const p = prepare(change, 0, ctx.root, true);
  if (!p.ok) return [{ address: change.address, description: `cannot apply: ${p.error}` }];
  const { work } = p;
  if (work.commands.length === 0) return [];
  // The identifier is only known at apply time (from the state store, or new): say which template runs when.
  const conversation = (change.action === 'create' || change.action === 'replace') && keepsConversation(change.after)
    ? `; {conversation} becomes a new identifier${change.after?.resume !== undefined ? ', or, with one on record, the resume template runs with it instead' : ''}`
    : '';
  return [{ address: change.address, description: `${describe(change, work.name)}${conversation}`, argv: invocation(ctx, work.commands) }];
}
