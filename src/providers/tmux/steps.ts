/** What `apply --dry-run` prints for a session change: the exact invocation apply would run for it
 *  alone (apply chains many changes into one invocation), with sensitive values hidden. */
import { assertNever, type Change } from '../../core/plan.js';
import type { ObserveContext, Step } from '../provider.js';
import { invocation } from './commands.js';
import { conversationLookups } from './agents-apply.js';
import { freshWhy, learnedText, resolveConversations, type Conversation } from './conversation.js';
import { prepare } from './work.js';
import { tmuxServer } from './settings.js';

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

/** Where the dry run shows the identifier gaia will give a conversation it starts. */
export const NEW_ID = '<new id>';

/** What the dry run says of the conversation: the one chosen exactly as apply chooses it. */
function conversationText(c: Conversation): string {
  if (c.mode === 'resume') return `resumes conversation ${c.id} (${c.learned ? learnedText(c.learnedFrom) : 'on record'})`;
  const started = c.id !== undefined
    ? `starts a new conversation: gaia gives it an id (${NEW_ID} above) and records it once the session is up`
    : 'starts a new conversation: the CLI picks its identifier, which gaia learns from its session files';
  const why = freshWhy(c.why);
  return why ? `${started}; ${why}` : started;
}

/** The command shown is the one apply runs: the start or resume template with the identifier in it,
 *  chosen by the same function apply uses (resolveConversations), a new one shown as `<new id>`. */
export async function tmuxSteps(change: Change, ctx: ObserveContext): Promise<readonly Step[]> {
  const records = (await ctx.settings.tmux.conversations?.all()) ?? [];
  const [resolved] = resolveConversations([change], records, conversationLookups([change], records, ctx), () => NEW_ID);
  const p = prepare(resolved?.change ?? change, 0, ctx.root, true, ctx.project);
  if (!p.ok) return [{ address: change.address, description: `cannot apply: ${p.error}` }];
  const { work } = p;
  if (work.commands.length === 0) return [];
  const conversation = resolved?.conversation;
  return [
    { address: change.address, description: describe(change, work.name), argv: invocation(tmuxServer(ctx), work.commands) },
    ...(conversation ? [{ address: change.address, description: conversationText(conversation) }] : []),
  ];
}
