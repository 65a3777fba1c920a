/** Agent state classification: each state from the evidence it is decided on, the order of the
 *  checks, ages, and the memory kept between looks. Plain values in, readings out. */
import { agentProfile, compilePatterns, type AgentProfile } from '../../src/agents/profile.js';
import { classify, tailOf, type AgentMemory, type PaneFacts } from '../../src/agents/state.js';

const profile: AgentProfile = {
  ...agentProfile('fake', { command: 'fake', agent: { patterns: { waiting: 'Do you want to proceed\\?', working: 'esc to interrupt', idle: '^>$' } } })!,
  activeWindowMs: 5000,
  waitingAlertMs: 60_000,
};
const NOW = Date.parse('2026-01-01T12:00:00Z');
const sec = (s: number) => NOW / 1000 - s;

const facts = (over: Partial<PaneFacts> = {}): PaneFacts => ({
  paneDead: false, exitStatus: null, exitSignal: null, currentCommand: 'node', activity: sec(600), screen: 'banner\n> ', screenHash: 'h1', ...over,
});
const read = (f: PaneFacts, memory?: AgentMemory, p: AgentProfile = profile) =>
  classify({ facts: f, profile: p, patterns: compilePatterns(p.patterns), memory, nowMs: NOW });

describe('agent state from the pane', () => {
  it.each([
    ['exited: the pane is dead with status 0', facts({ paneDead: true, exitStatus: 0 }), 'exited', /exited with status 0/],
    ['crashed: the pane is dead with a non-zero status', facts({ paneDead: true, exitStatus: 3 }), 'crashed', /status 3/],
    ['crashed: the pane is dead from a signal', facts({ paneDead: true, exitStatus: null, exitSignal: 9 }), 'crashed', /killed by signal 9/],
    ['crashed: the pane is dead and tmux gave neither status nor signal', facts({ paneDead: true }), 'crashed', /has not said how/],
    ['waiting: the waiting pattern is on the last lines', facts({ screen: 'wants to run: rm x\nDo you want to proceed? (y/n) ' }), 'waiting', /Do you want to proceed\?/],
    ['working: the working pattern', facts({ screen: 'out\n✻ Working… 3 (esc to interrupt)' }), 'working', /esc to interrupt/],
    ['idle: the idle pattern, even right after output', facts({ screen: 'Done.\n> ', activity: sec(1) }), 'idle', /at its prompt/],
    ['working: no pattern, output within the active window', facts({ screen: 'compiling…', activity: sec(2) }), 'working', /changed 2s ago/],
    ['exited: a shell in the foreground and no pattern', facts({ screen: 'user@host:~$ ', currentCommand: 'bash' }), 'exited', /shell \(bash\)/],
    ['idle: no pattern and quiet longer than the window', facts({ screen: 'some output' }), 'idle', /no output for 600s/],
  ])('%s', (_name, f, state, reason) => {
    const r = read(f).reading;
    expect(r.state).toBe(state);
    expect(r.reason).toMatch(reason);
  });

  it('puts waiting before working: a permission prompt under a spinner line is a question', () => {
    expect(read(facts({ screen: '✻ Working (esc to interrupt)\nDo you want to proceed? (y/n)' })).reading.state).toBe('waiting');
  });

  it('only reads the last tailLines non-empty lines: an old question scrolled up does not count', () => {
    const screen = ['Do you want to proceed? (y/n) y', ...Array.from({ length: 20 }, (_, i) => `line ${i}`), '> '].join('\n');
    expect(read(facts({ screen })).reading.state).toBe('idle');
    expect(tailOf('a\n\n b  \n\nc\n', 2)).toEqual([' b', 'c']);
  });

  it('keeps the evidence: the matched pattern and line, the dead flag, the command, the change time', () => {
    const r = read(facts({ screen: 'x\nDo you want to proceed? (y/n)', activity: sec(42) })).reading;
    expect(r.evidence).toEqual({
      changedSecondsAgo: 42, activeWindowSeconds: 5,
      matched: { pattern: 'waiting', regex: 'Do you want to proceed\\?', line: 'Do you want to proceed? (y/n)' },
      paneDead: false, exitStatus: null, exitSignal: null, currentCommand: 'node', firstLook: true, source: 'screen',
    });
  });
});

describe('ages and memory between looks', () => {
  it('dates a waiting agent from the last change of its pane, so the first look already says "waiting 12m"', () => {
    const r = read(facts({ screen: 'Do you want to proceed?', activity: sec(720) }));
    expect(r.reading.ageSeconds).toBe(720);
    expect(r.reading.alert).toBe(true); // waitingAlert is 60 s
    expect(read(facts({ screen: 'Do you want to proceed?', activity: sec(30) })).reading.alert).toBe(false);
  });

  it('keeps "since" while the state stays the same, and restarts it when the state changes', () => {
    const first = read(facts({ screen: '✻ (esc to interrupt)' }));
    const memory: AgentMemory = { ...first.memory, since: NOW - 90_000, lookedAt: NOW - 5000 };
    expect(read(facts({ screen: '✻ (esc to interrupt) 2', screenHash: 'h2' }), memory).reading.ageSeconds).toBe(90);
    const idle = read(facts({ screen: '> ', screenHash: 'h3', activity: sec(1) }), memory).reading;
    expect(idle.state).toBe('idle');
    expect(idle.ageSeconds).toBe(1);
  });

  it('judges "changed" by the screen hash against the last look', () => {
    const memory: AgentMemory = { hash: 'same', changedAt: NOW - 60_000, lookedAt: NOW - 10_000, state: 'idle', since: NOW - 60_000 };
    // tmux saw output 1 s ago, but the screen is what it was: not a change (a redraw).
    const unchanged = read(facts({ screen: 'building', screenHash: 'same', activity: sec(1) }), memory);
    expect(unchanged.reading.state).toBe('idle');
    expect(unchanged.memory.changedAt).toBe(NOW - 60_000);
    // Another screen: it changed since the last look, at tmux's last output time.
    const changed = read(facts({ screen: 'building more', screenHash: 'other', activity: sec(3) }), memory);
    expect(changed.reading.state).toBe('working');
    expect(changed.memory.changedAt).toBe(NOW - 3000);
    expect(changed.reading.evidence.firstLook).toBe(false);
  });
});
