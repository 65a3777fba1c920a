/** Conversation identifiers enter a session's command here, at apply time: the plan (and the spec
 *  hash, so the session's mark) keep the template with `{conversation}`, and only the command tmux
 *  runs holds the identifier. A session whose provider has a resume template and an identifier on
 *  record is started with the resume template; otherwise with its start template and a new
 *  identifier, which is recorded once the session is up. */
import { randomUUID } from 'node:crypto';
import type { Change } from '../../core/plan.js';
import type { Attributes, Json } from '../../core/resource.js';
import type { ConversationIds } from '../provider.js';
import { sessionSpecHash } from './spec.js';

export const CONVERSATION = '{conversation}';

export interface Conversation {
  readonly id: string;
  readonly mode: 'start' | 'resume';
  /** Record the identifier once the session is up (it was not on record). */
  readonly record: boolean;
}

const holds = (v: Json | undefined): boolean =>
  typeof v === 'string' ? v.includes(CONVERSATION) : Array.isArray(v) ? v.some((x) => typeof x === 'string' && x.includes(CONVERSATION)) : false;

/** The session keeps a conversation: a resume template, or `{conversation}` in its command. */
export function keepsConversation(after: Attributes | undefined): boolean {
  return after !== undefined && (after.resume !== undefined || holds(after.command));
}

export function substitute(command: Json, id: string): Json {
  if (typeof command === 'string') return command.split(CONVERSATION).join(id);
  if (Array.isArray(command)) return command.map((x) => (typeof x === 'string' ? x.split(CONVERSATION).join(id) : x));
  return command;
}

/** Which template, which identifier. Pure. */
export function chooseConversation(after: Attributes, recorded: string | undefined, newId: () => string): Conversation {
  if (recorded !== undefined && after.resume !== undefined) return { id: recorded, mode: 'resume', record: false };
  // A start template cannot take an identifier already used (claude refuses a --session-id it knows).
  return { id: newId(), mode: 'start', record: true };
}

export interface Resolved {
  readonly change: Change;
  readonly conversation?: Conversation;
}

/** The change tmux applies: the command with the identifier in it, the spec hash of the template. */
export function withConversation(change: Change, c: Conversation): Change {
  const after = change.after ?? {};
  const template = c.mode === 'resume' ? after.resume! : after.command ?? '';
  return { ...change, specHash: change.specHash ?? sessionSpecHash(after), after: { ...after, command: substitute(template, c.id) } };
}

export async function resolveConversations(
  changes: readonly Change[], ids: ConversationIds | undefined, newId: () => string = randomUUID,
): Promise<readonly Resolved[]> {
  return Promise.all(changes.map(async (change): Promise<Resolved> => {
    if ((change.action !== 'create' && change.action !== 'replace') || !keepsConversation(change.after)) return { change };
    const conversation = chooseConversation(change.after!, await ids?.get(change.address), newId);
    return { change: withConversation(change, conversation), conversation };
  }));
}

export function conversationNote(c: Conversation): string {
  return c.mode === 'resume' ? `resumed conversation ${c.id}` : `started conversation ${c.id}`;
}
