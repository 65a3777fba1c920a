/** Conversation identifiers enter a session's command here, at apply time: the plan (and the spec
 *  hash, so the session's mark) keep the template with `{conversation}`, and only the command tmux
 *  runs holds the identifier.
 *
 *  The identifier is the one the agent really uses: gaia's own, given at start where the start
 *  template takes `{conversation}` (claude and gemini `--session-id`), else the one the CLI picked,
 *  learned from its files (codex). A session is resumed only when its conversation is on record for
 *  the same provider and the CLI keeps it (one that never got a message is not kept, and resuming it
 *  crashes the CLI); otherwise it starts fresh, and the outcome says why. */
import { randomUUID } from 'node:crypto';
import type { ConversationStoreKind } from '../../agents/defaults.js';
import type { Change } from '../../core/plan.js';
import type { Attributes, Json } from '../../core/resource.js';
import type { ConversationRecord } from '../provider.js';
import { CONVERSATION_STORE_KINDS, type Stored } from './conversation-store.js';
import { sessionSpecHash } from './spec.js';

export const CONVERSATION = '{conversation}';

/** Why a session with a conversation template starts fresh. */
export type FreshReason =
  | { readonly kind: 'none-recorded' }
  | { readonly kind: 'no-resume-template' }
  /** The conversation on record belonged to another provider at this address. */
  | { readonly kind: 'provider-changed'; readonly was: string }
  /** The CLI keeps nothing under the recorded identifier (the conversation never got a message). */
  | { readonly kind: 'not-stored'; readonly id: string; readonly store: ConversationStoreKind }
  /** The CLI picks its own identifier and kept no conversation since gaia last started it. */
  | { readonly kind: 'not-learned'; readonly store: ConversationStoreKind }
  /** Several sessions of this CLI share the folder: which conversation is whose cannot be told. */
  | { readonly kind: 'ambiguous'; readonly store: ConversationStoreKind; readonly sessions: number };

export type Conversation =
  | {
      readonly mode: 'resume';
      readonly id: string;
      /** Record the identifier once the session is up: it was learned, or its provider was not on record. */
      readonly confirm: boolean;
      readonly learned: boolean;
      /** Where a learned identifier came from: the agent's own events, or the CLI's session files. */
      readonly learnedFrom?: 'events' | 'files';
    }
  | {
      readonly mode: 'start';
      /** gaia's new identifier; absent when the CLI picks its own (learned later from its files). */
      readonly id?: string;
      readonly why: FreshReason;
    };

/** What the choice needs to know of a session, from its attributes. */
export interface ConversationSpec {
  /** Address-independent identity of what runs there: the provider and the CLI whose store it is. */
  readonly provider: string;
  /** The start template takes `{conversation}`. */
  readonly takesId: boolean;
  readonly hasResume: boolean;
  readonly store?: ConversationStoreKind;
}

/** The outcome of looking for the conversation a CLI picked itself. */
export type Learned = { readonly kind: 'found'; readonly id: string; readonly from: 'events' | 'files' } | { readonly kind: 'none' } | { readonly kind: 'ambiguous'; readonly sessions: number };

/** The CLI's files, asked only when the choice needs them. */
export interface ConversationLookups {
  stored(id: string): Stored;
  learn(since: string): Learned;
}

const holds = (v: Json | undefined): boolean =>
  typeof v === 'string' ? v.includes(CONVERSATION) : Array.isArray(v) ? v.some((x) => typeof x === 'string' && x.includes(CONVERSATION)) : false;

/** The session keeps a conversation: a resume template, or `{conversation}` in its command. */
export function keepsConversation(after: Attributes | undefined): boolean {
  return after !== undefined && (after.resume !== undefined || holds(after.command));
}

const isStoreKind = (v: Json | undefined): v is ConversationStoreKind => typeof v === 'string' && (CONVERSATION_STORE_KINDS as readonly string[]).includes(v);

export function conversationSpec(after: Attributes): ConversationSpec {
  const store = isStoreKind(after.conversationStore) ? after.conversationStore : undefined;
  const provider = typeof after.provider === 'string' ? after.provider : '';
  return { provider: store ? `${provider}:${store}` : provider, takesId: holds(after.command), hasResume: after.resume !== undefined, ...(store ? { store } : {}) };
}

export function substitute(command: Json, id: string): Json {
  if (typeof command === 'string') return command.split(CONVERSATION).join(id);
  if (Array.isArray(command)) return command.map((x) => (typeof x === 'string' ? x.split(CONVERSATION).join(id) : x));
  return command;
}

/** A fresh start: gaia's new identifier where the CLI takes one. */
export function freshStart(spec: ConversationSpec, why: FreshReason, newId: () => string): Conversation {
  return { mode: 'start', ...(spec.takesId ? { id: newId() } : {}), why };
}

const providerName = (identity: string): string => identity.replace(/:[a-z]+$/, '');

/** Which template, which identifier. Pure (the lookups are the caller's). */
export function chooseConversation(spec: ConversationSpec, record: ConversationRecord | undefined, look: ConversationLookups, newId: () => string): Conversation {
  const fresh = (why: FreshReason) => freshStart(spec, why, newId);
  if (!record) return fresh({ kind: 'none-recorded' });
  if (record.provider !== null && record.provider !== spec.provider) return fresh({ kind: 'provider-changed', was: providerName(record.provider) });
  if (!spec.hasResume) return fresh({ kind: 'no-resume-template' });
  let id = record.id;
  let learned = false;
  let learnedFrom: 'events' | 'files' | undefined;
  if (id === undefined) {
    // Only a CLI that picked its own identifier has one to learn; gaia's own was always recorded.
    if (!spec.store || spec.takesId) return fresh({ kind: 'none-recorded' });
    const found = look.learn(record.startedAt);
    if (found.kind === 'none') return fresh({ kind: 'not-learned', store: spec.store });
    if (found.kind === 'ambiguous') return fresh({ kind: 'ambiguous', store: spec.store, sessions: found.sessions });
    id = found.id;
    learned = true;
    learnedFrom = found.from;
  }
  if (spec.store && look.stored(id).kind === 'absent') return fresh({ kind: 'not-stored', id, store: spec.store });
  return { mode: 'resume', id, confirm: learned || record.provider === null, learned, ...(learnedFrom ? { learnedFrom } : {}) };
}

/** The change tmux applies: the command with the identifier in it, the spec hash of the template. */
export function withConversation(change: Change, c: Conversation): Change {
  const after = change.after ?? {};
  const template = c.mode === 'resume' ? after.resume! : after.command ?? '';
  const command = c.id !== undefined ? substitute(template, c.id) : template;
  return { ...change, specHash: change.specHash ?? sessionSpecHash(after), after: { ...after, command } };
}

export interface Resolved {
  readonly change: Change;
  readonly conversation?: Conversation;
}

/** Whether apply decides a conversation for this change (a start of a session that keeps one). */
export const startsConversation = (change: Change): boolean =>
  (change.action === 'create' || change.action === 'replace') && keepsConversation(change.after);

/** Each change with its conversation chosen. `lookups` are per change (its session's place). */
export function resolveConversations(
  changes: readonly Change[], records: readonly ConversationRecord[], lookups: (change: Change) => ConversationLookups, newId: () => string = randomUUID,
): readonly Resolved[] {
  const byAddress = new Map(records.map((r) => [r.address, r]));
  return changes.map((change): Resolved => {
    if (!startsConversation(change)) return { change };
    const conversation = chooseConversation(conversationSpec(change.after!), byAddress.get(change.address), lookups(change), newId);
    return { change: withConversation(change, conversation), conversation };
  });
}

const CLI: Readonly<Record<ConversationStoreKind, string>> = { claude: 'claude', gemini: 'gemini', codex: 'codex' };

export function freshWhy(why: FreshReason): string | undefined {
  switch (why.kind) {
    case 'none-recorded':
    case 'no-resume-template':
      return undefined;
    case 'provider-changed':
      return `the conversation on record was provider ${why.was}'s`;
    case 'not-stored':
      return `conversation ${why.id} was not resumed: ${CLI[why.store]} keeps no record of it (it never got a message)`;
    case 'not-learned':
      return `${CLI[why.store]} kept no conversation since its last start (it never got a message)`;
    case 'ambiguous':
      return `${why.sessions} ${CLI[why.store]} sessions share this folder, so which conversation is whose cannot be told`;
  }
}

/** For the outcome's notes. */
export function learnedText(from: 'events' | 'files' | undefined): string {
  return from === 'events' ? 'learned from the agent\'s own events' : 'learned from the CLI\'s session files';
}

export function conversationNote(c: Conversation): string {
  if (c.mode === 'resume') return `resumed conversation ${c.id}${c.learned ? ` (${learnedText(c.learnedFrom)})` : ''}`;
  const started = c.id !== undefined ? `started conversation ${c.id}` : 'started a new conversation (the CLI picks its identifier; gaia learns it from the CLI\'s session files)';
  const why = freshWhy(c.why);
  return why ? `${started}; ${why}` : started;
}
