/** gaia attach's pure parts: which session a name means (shared with gaia send), and what to run from
 *  where gaia is (outside tmux, in the project's server, in another server). */
import { listed, sessionNamed, suggestion } from '../../src/agents/session-name.js';
import { resolveTargets } from '../../src/agents/send.js';
import { attachAction, parseTmuxEnv } from '../../src/providers/tmux/attach.js';
import type { GroupInfo, Model } from '../../src/manifest/model.js';

const session = (name: string, group: string) => ({ name, address: `tmux_session.${name}`, group, provider: null, cwd: '.', costPerMonth: 0, agent: false });
const group = (name: string, sessions: readonly string[]): GroupInfo => ({ name, sessions: sessions.map((s) => session(s, name)), costAdjustment: 0, perEnvironment: false });
const model = { groups: [group('workers', ['worker1', 'worker2']), group('pr_review', ['pr_review1'])], manifest: { version: 1 } } as unknown as Model;

describe('which session a name means', () => {
  test.each([
    ['worker2', 'worker2'],
    ['tmux_session.worker2', 'worker2'],
    ['pr_review1', 'pr_review1'],
  ])('%s is session %s', (name, expected) => {
    expect(sessionNamed(model, name)?.session.name).toBe(expected);
  });

  test.each(['workers', 'worker3', 'tmux_session.workers', 'git_worktree.worker1', ''])('%s names no session', (name) => {
    expect(sessionNamed(model, name)).toBeUndefined();
  });

  test('a misspelt name or address suggests the session; a different number suggests nothing; groups only where groups are taken (send)', () => {
    expect(suggestion(model, 'wroker1', false)).toBe(' (did you mean "worker1"?)');
    expect(suggestion(model, 'tmux_session.wroker1', false)).toBe(' (did you mean "worker1"?)');
    expect(suggestion(model, 'worker3', false)).toBe('');
    expect(suggestion(model, 'pr_reveiw', false)).toBe(' (did you mean "pr_review1"?)');
    expect(suggestion(model, 'pr_reveiw', true)).toBe(' (did you mean "pr_review"?)');
  });

  test('a hint lists ten names, then says how many', () => {
    expect(listed([])).toBe('none');
    expect(listed(['a', 'b'])).toBe('a, b');
    expect(listed(Array.from({ length: 12 }, (_, i) => `s${i + 1}`))).toBe('s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, … (12 in all)');
  });

  test('gaia send resolves the same way: an address works, and a typo gets a suggestion', () => {
    const byAddress = resolveTargets(model, 'tmux_session.worker2', false);
    expect(byAddress.ok && byAddress.targets.map((t) => t.session)).toEqual(['worker2']);
    expect(resolveTargets(model, 'wrokers', false)).toEqual({ ok: false, error: '"wrokers" is neither a session nor a group of the manifest (did you mean "workers"?)', hint: 'groups: workers, pr_review' });
  });
});

describe('what gaia attach runs', () => {
  const project = { socket: 'proj' };

  test('$TMUX is read as tmux writes it: socket path (commas and all), server pid, session id', () => {
    expect(parseTmuxEnv('/tmp/tmux-1000/default,4242,3')).toEqual({ socketPath: '/tmp/tmux-1000/default', serverPid: 4242 });
    expect(parseTmuxEnv('/tmp/odd,name,17,0')).toEqual({ socketPath: '/tmp/odd,name', serverPid: 17 });
    expect(parseTmuxEnv(undefined)).toBeUndefined();
    expect(parseTmuxEnv('')).toBeUndefined();
    expect(parseTmuxEnv('not tmux')).toBeUndefined();
  });

  test('outside tmux: attach-session to the exact name on the project socket', () => {
    expect(attachAction(project, 'worker1', undefined, 4242)).toEqual({ kind: 'attach', argv: ['tmux', '-L', 'proj', 'attach-session', '-t', '=worker1'] });
    expect(attachAction({ socket: undefined }, 'worker1', '', 4242)).toEqual({ kind: 'attach', argv: ['tmux', 'attach-session', '-t', '=worker1'] });
  });

  test('in a pane of the project server (the same pid): switch-client', () => {
    expect(attachAction(project, 'worker1', '/tmp/tmux-0/proj,4242,0', 4242)).toEqual({ kind: 'switch', argv: ['tmux', '-L', 'proj', 'switch-client', '-t', '=worker1'] });
  });

  test('in a pane of another server: refused, naming it; an unknown server pid is not taken for the same', () => {
    expect(attachAction(project, 'worker1', '/tmp/tmux-0/outer,99,1', 4242)).toEqual({ kind: 'nested', outer: '/tmp/tmux-0/outer' });
    expect(attachAction(project, 'worker1', '/tmp/tmux-0/outer,99,1', null)).toEqual({ kind: 'nested', outer: '/tmp/tmux-0/outer' });
  });
});
