/** Where a conversation identifier enters a session's command (apply time, never the spec hash),
 *  which template runs, and staggered rounds of starts. */
import type { Change } from '../../src/core/plan.js';
import type { Attributes } from '../../src/core/resource.js';
import type { ApplyContext, ConversationRecord } from '../../src/providers/provider.js';
import { lookupsFor, type ConversationDeps } from '../../src/providers/tmux/agents-apply.js';
import type { FileReader, Stored } from '../../src/providers/tmux/conversation-store.js';
import {
  chooseConversation, conversationNote, conversationSpec, keepsConversation, resolveConversations, substitute,
  type ConversationLookups, type ConversationSpec, type FreshReason, type Learned,
} from '../../src/providers/tmux/conversation.js';
import { sessionSpecHash } from '../../src/providers/tmux/spec.js';
import { startRounds } from '../../src/providers/tmux/stagger.js';

const after: Attributes = {
  name: 'a1', command: ['claude', '--session-id', '{conversation}'], resume: "claude --resume '{conversation}'", cwd: '.', env: {}, group: 'g', provider: 'claude', agent: true,
};
const change = (address: string, action: Change['action'], attrs: Attributes = after): Change => ({
  kind: 'tmux_session', address, action, reasons: [], diffs: [], dependsOn: [], hazards: [], after: attrs, specHash: sessionSpecHash(attrs),
});

const record = (over: Partial<ConversationRecord> = {}): ConversationRecord => ({ address: 'tmux_session.a1', provider: 'claude:claude', id: 'old', startedAt: '2026-01-01T00:00:00.000Z', ...over });
/** Lookups that answer from a table and say what they were asked. */
function lookups(stored: Record<string, Stored['kind']> = {}, learned: Learned = { kind: 'none' }) {
  const asked: string[] = [];
  const look: ConversationLookups = {
    stored: (id) => (asked.push(`stored ${id}`), { kind: stored[id] ?? 'absent' }),
    learn: (since) => (asked.push(`learn since ${since}`), learned),
  };
  return { look, asked };
}
const claude = conversationSpec({ ...after, conversationStore: 'claude' });
const codex = conversationSpec({ command: ['codex'], resume: ['codex', 'resume', '{conversation}'], provider: 'codex', conversationStore: 'codex' });
const plain = conversationSpec(after);

describe('conversation identifiers', () => {
  it('are substituted into argv elements and shell strings alike', () => {
    expect(substitute(['c', '--id={conversation}', '{conversation}'], 'X')).toEqual(['c', '--id=X', 'X']);
    expect(substitute("c --resume '{conversation}'", 'X')).toBe("c --resume 'X'");
  });

  it('belong to a provider identity: the provider and the CLI whose store keeps them', () => {
    expect(claude).toEqual({ provider: 'claude:claude', takesId: true, hasResume: true, store: 'claude' });
    expect(codex).toEqual({ provider: 'codex:codex', takesId: false, hasResume: true, store: 'codex' });
    expect(plain).toEqual({ provider: 'claude', takesId: true, hasResume: true });
  });

  const fresh = (why: FreshReason['kind']) => expect.objectContaining({ mode: 'start', why: expect.objectContaining({ kind: why }) });
  it.each<[string, ConversationSpec, ConversationRecord | undefined, Record<string, Stored['kind']>, Learned, unknown]>([
    ['nothing on record: a fresh start with a new identifier', claude, undefined, {}, { kind: 'none' }, { mode: 'start', id: 'new', why: { kind: 'none-recorded' } }],
    ['on record and kept by the CLI: resumed', claude, record(), { old: 'resumable' }, { kind: 'none' }, { mode: 'resume', id: 'old', confirm: false, learned: false }],
    ['on record but never kept by the CLI (no message): fresh', claude, record(), {}, { kind: 'none' }, { mode: 'start', id: 'new', why: { kind: 'not-stored', id: 'old', store: 'claude' } }],
    ['on record for another provider at this address: fresh', claude, record({ provider: 'codex:codex' }), { old: 'resumable' }, { kind: 'none' }, { mode: 'start', id: 'new', why: { kind: 'provider-changed', was: 'codex' } }],
    ['kept from before providers were recorded: resumed if kept, and confirmed', claude, record({ provider: null }), { old: 'resumable' }, { kind: 'none' }, { mode: 'resume', id: 'old', confirm: true, learned: false }],
    ['no resume template: fresh', { ...claude, hasResume: false }, record(), { old: 'resumable' }, { kind: 'none' }, fresh('no-resume-template')],
    ['a CLI gaia cannot look into: resumed on the record alone', plain, record({ provider: 'claude' }), {}, { kind: 'none' }, { mode: 'resume', id: 'old', confirm: false, learned: false }],
    ['codex: its own identifier, learned from its files and resumed', codex, record({ provider: 'codex:codex', id: undefined }), { th1: 'resumable' }, { kind: 'found', id: 'th1', from: 'files' }, { mode: 'resume', id: 'th1', confirm: true, learned: true, learnedFrom: 'files' }],
    ['codex: a fresh start takes no identifier of gaia\'s', codex, undefined, {}, { kind: 'none' }, { mode: 'start', why: { kind: 'none-recorded' } }],
    ['codex: no conversation since its start (no message): fresh', codex, record({ provider: 'codex:codex', id: undefined }), {}, { kind: 'none' }, { mode: 'start', why: { kind: 'not-learned', store: 'codex' } }],
    ['codex: sessions sharing a folder cannot be told apart: fresh', codex, record({ provider: 'codex:codex', id: undefined }), {}, { kind: 'ambiguous', sessions: 2 }, { mode: 'start', why: { kind: 'ambiguous', store: 'codex', sessions: 2 } }],
  ])('%s', (_name, spec, rec, stored, learned, want) => {
    expect(chooseConversation(spec, rec, lookups(stored, learned).look, () => 'new')).toEqual(want);
  });

  it('look into the CLI\'s files only when the choice needs it', () => {
    const none = lookups();
    chooseConversation(claude, undefined, none.look, () => 'new');
    chooseConversation(claude, record({ provider: 'gemini:gemini' }), none.look, () => 'new');
    expect(none.asked).toEqual([]);
    const learning = lookups({ th1: 'resumable' }, { kind: 'found', id: 'th1', from: 'files' });
    chooseConversation(codex, record({ provider: 'codex:codex', id: undefined, startedAt: 'T0' }), learning.look, () => 'new');
    expect(learning.asked).toEqual(['learn since T0', 'stored th1']);
  });

  it('only concern sessions with a resume template or {conversation} in their command', () => {
    expect(keepsConversation(after)).toBe(true);
    expect(keepsConversation({ command: 'codex', resume: 'codex resume --last' })).toBe(true);
    expect(keepsConversation({ command: 'bash' })).toBe(false);
  });

  it('enter the command tmux runs while the change keeps the spec hash of the template', () => {
    const records = [record({ address: 'tmux_session.a2', provider: 'claude', id: 'rec-2' })];
    const resolved = resolveConversations([change('tmux_session.a1', 'create'), change('tmux_session.a2', 'replace'), change('tmux_session.a3', 'update')], records, () => lookups().look, () => 'fresh');
    expect(resolved[0]!.change.after!.command).toEqual(['claude', '--session-id', 'fresh']);
    expect(resolved[0]!.conversation).toEqual({ mode: 'start', id: 'fresh', why: { kind: 'none-recorded' } });
    expect(resolved[1]!.change.after!.command).toBe("claude --resume 'rec-2'");
    expect(resolved[1]!.conversation?.mode).toBe('resume');
    expect(resolved[0]!.change.specHash).toBe(sessionSpecHash(after));
    expect(resolved[2]!.conversation).toBeUndefined(); // an update restarts nothing
  });

  it('say in the outcome why a session started fresh', () => {
    expect(conversationNote({ mode: 'start', id: 'n', why: { kind: 'not-stored', id: 'o', store: 'gemini' } }))
      .toBe('started conversation n; conversation o was not resumed: gemini keeps no record of it (it never got a message)');
    expect(conversationNote({ mode: 'start', why: { kind: 'not-learned', store: 'codex' } }))
      .toBe('started a new conversation (the CLI picks its identifier; gaia learns it from the CLI\'s session files); codex kept no conversation since its last start (it never got a message)');
    expect(conversationNote({ mode: 'resume', id: 't', confirm: true, learned: true })).toBe('resumed conversation t (learned from the CLI\'s session files)');
  });
});

describe('staggered starts', () => {
  const limited = (n: number, limit: { concurrent: number; intervalMs: number }, group = 'g') =>
    change(`tmux_session.${group}${n}`, 'create', { ...after, group, startLimit: limit });

  it('start at most maxConcurrentStarts of a group per round, pausing startInterval in between', () => {
    const changes = [
      limited(1, { concurrent: 2, intervalMs: 500 }), limited(2, { concurrent: 2, intervalMs: 500 }), limited(3, { concurrent: 2, intervalMs: 500 }),
      change('tmux_session.free', 'create', { ...after, group: 'other' }),
      limited(1, { concurrent: 1, intervalMs: 900 }, 'h'), limited(2, { concurrent: 1, intervalMs: 900 }, 'h'),
      change('tmux_session.old', 'delete', { ...after, startLimit: { concurrent: 1, intervalMs: 900 } }),
    ];
    expect(startRounds(changes)).toEqual([
      { indices: [0, 1, 3, 4, 6], delayMs: 0 },
      { indices: [2, 5], delayMs: 900 },
    ]);
  });
});

describe('learning the identifier a CLI picked itself', () => {
  /** An in-memory CODEX_HOME with rollouts: [id, thread start, folder]. */
  const reader = (threads: readonly (readonly [string, string, string])[]): FileReader => {
    const files = new Map(threads.map(([id, at, cwd]) => [`/codex/sessions/2026/12/03/rollout-${id}.jsonl`, `${JSON.stringify({ type: 'session_meta', payload: { id, timestamp: at, cwd } })}\n`]));
    return {
      list: (dir) => {
        const names = new Set<string>();
        for (const f of files.keys()) if (f.startsWith(`${dir}/`)) names.add(f.slice(dir.length + 1).split('/')[0]!);
        return [...names];
      },
      read: (file) => files.get(file),
      real: (p) => p,
    };
  };
  const codexAttrs = (cwd: string): Attributes => ({ command: ['codex'], resume: ['codex', 'resume', '{conversation}'], cwd, env: { CODEX_HOME: '/codex' }, provider: 'codex', conversationStore: 'codex' });
  const ctx = { root: '/w' } as ApplyContext;
  const rec = (address: string, startedAt: string, id?: string): ConversationRecord => ({ address, provider: 'codex:codex', startedAt, ...(id ? { id } : {}) });
  const learn = (deps: Partial<ConversationDeps>, changes: readonly Change[], records: readonly ConversationRecord[]) => {
    const look = lookupsFor(changes, records, ctx, { newId: () => 'new', files: reader([]), ...deps });
    return changes.map((c) => look(c).learn(records.find((r) => r.address === c.address)!.startedAt));
  };

  it('takes the newest thread started in the session\'s folder since gaia started it, never one on record elsewhere', () => {
    const files = reader([['t-old', '2026-12-03T07:00:00Z', '/w/a'], ['t-1', '2026-12-03T08:00:01Z', '/w/a'], ['t-2', '2026-12-03T08:05:00Z', '/w/a'], ['t-b', '2026-12-03T08:00:02Z', '/w/b']]);
    expect(learn({ files }, [change('tmux_session.x1', 'create', codexAttrs('a'))], [rec('tmux_session.x1', '2026-12-03T08:00:00Z')])).toEqual([{ kind: 'found', id: 't-2', from: 'files' }]);
    expect(learn({ files }, [change('tmux_session.x1', 'create', codexAttrs('a'))], [rec('tmux_session.x1', '2026-12-03T08:00:00Z'), rec('tmux_session.x9', 'T', 't-2')]))
      .toEqual([{ kind: 'found', id: 't-1', from: 'files' }]);
    expect(learn({ files }, [change('tmux_session.x1', 'create', codexAttrs('c'))], [rec('tmux_session.x1', '2026-12-03T08:00:00Z')])).toEqual([{ kind: 'none' }]);
  });

  it('tells sessions sharing a folder apart by when they started; started together, it cannot', () => {
    const files = reader([['t-1', '2026-12-03T08:00:01Z', '/w/a'], ['t-2', '2026-12-03T08:00:06Z', '/w/a']]);
    const both = [change('tmux_session.x1', 'create', codexAttrs('a')), change('tmux_session.x2', 'create', codexAttrs('a'))];
    expect(learn({ files }, both, [rec('tmux_session.x1', '2026-12-03T08:00:00Z'), rec('tmux_session.x2', '2026-12-03T08:00:05Z')]))
      .toEqual([{ kind: 'found', id: 't-1', from: 'files' }, { kind: 'found', id: 't-2', from: 'files' }]);
    expect(learn({ files }, both, [rec('tmux_session.x1', '2026-12-03T08:00:00Z'), rec('tmux_session.x2', '2026-12-03T08:00:00Z')]))
      .toEqual([{ kind: 'ambiguous', sessions: 2 }, { kind: 'ambiguous', sessions: 2 }]);
  });

  it('asks the agents\' own events first', () => {
    const events = { latestId: (address: string) => (address === 'tmux_session.x1' ? 'from-notify' : undefined) };
    expect(learn({ events, files: reader([['t-1', '2026-12-03T08:00:01Z', '/w/a']]) }, [change('tmux_session.x1', 'create', codexAttrs('a'))], [rec('tmux_session.x1', '2026-12-03T08:00:00Z')]))
      .toEqual([{ kind: 'found', id: 'from-notify', from: 'events' }]);
  });
});
