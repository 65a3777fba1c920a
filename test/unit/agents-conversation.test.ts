/** Where a conversation identifier enters a session's command (apply time, never the spec hash),
 *  which template runs, and staggered rounds of starts. */
import type { Change } from '../../src/core/plan.js';
import type { Attributes } from '../../src/core/resource.js';
import { chooseConversation, keepsConversation, resolveConversations, substitute } from '../../src/providers/tmux/conversation.js';
import { sessionSpecHash } from '../../src/providers/tmux/spec.js';
import { startRounds } from '../../src/providers/tmux/stagger.js';

const after: Attributes = {
  name: 'a1', command: ['claude', '--session-id', '{conversation}'], resume: "claude --resume '{conversation}'", cwd: '.', env: {}, group: 'g', provider: 'claude', agent: true,
};
const change = (address: string, action: Change['action'], attrs: Attributes = after): Change => ({
  kind: 'tmux_session', address, action, reasons: [], diffs: [], dependsOn: [], hazards: [], after: attrs, specHash: sessionSpecHash(attrs),
});

describe('conversation identifiers', () => {
  it('are substituted into argv elements and shell strings alike', () => {
    expect(substitute(['c', '--id={conversation}', '{conversation}'], 'X')).toEqual(['c', '--id=X', 'X']);
    expect(substitute("c --resume '{conversation}'", 'X')).toBe("c --resume 'X'");
  });

  it('choose the resume template when an identifier is on record, else the start template with a new one', () => {
    expect(chooseConversation(after, 'old', () => 'new')).toEqual({ id: 'old', mode: 'resume', record: false });
    expect(chooseConversation(after, undefined, () => 'new')).toEqual({ id: 'new', mode: 'start', record: true });
    // Without a resume template a recorded identifier cannot be reused by the start template.
    expect(chooseConversation({ ...after, resume: undefined as never }, 'old', () => 'new')).toEqual({ id: 'new', mode: 'start', record: true });
  });

  it('only concern sessions with a resume template or {conversation} in their command', () => {
    expect(keepsConversation(after)).toBe(true);
    expect(keepsConversation({ command: 'codex', resume: 'codex resume --last' })).toBe(true);
    expect(keepsConversation({ command: 'bash' })).toBe(false);
  });

  it('enter the command tmux runs while the change keeps the spec hash of the template', async () => {
    const ids = new Map([['tmux_session.a2', 'rec-2']]);
    const store = { get: async (a: string) => ids.get(a), set: async () => undefined };
    const resolved = await resolveConversations([change('tmux_session.a1', 'create'), change('tmux_session.a2', 'replace'), change('tmux_session.a3', 'update')], store, () => 'fresh');
    expect(resolved[0]!.change.after!.command).toEqual(['claude', '--session-id', 'fresh']);
    expect(resolved[0]!.conversation).toEqual({ id: 'fresh', mode: 'start', record: true });
    expect(resolved[1]!.change.after!.command).toBe("claude --resume 'rec-2'");
    expect(resolved[1]!.conversation?.mode).toBe('resume');
    expect(resolved[0]!.change.specHash).toBe(sessionSpecHash(after));
    expect(resolved[2]!.conversation).toBeUndefined(); // an update restarts nothing
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
