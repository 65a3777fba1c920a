/** The agents' own events: a recorded line read back, which state each event means, when the
 *  newest event decides over the screen, and how a session is set up to report (flags, environment,
 *  files) without the user's own configuration. Plain values in, values out. */
import { EVENT_GRACE_MS, eventState, lastEvent, parseEventLine, type AgentEvent } from '../../src/agents/events.js';
import { eventSetup, setupFiles, withEventArgs } from '../../src/agents/event-setup.js';
import { agentProfile, compilePatterns } from '../../src/agents/profile.js';
import { classify, type PaneFacts } from '../../src/agents/state.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ev = (over: Partial<AgentEvent> & Pick<AgentEvent, 'source' | 'kind'>): AgentEvent => ({ at: NOW - 3000, ...over });

describe('a recorded event line', () => {
  it('reads back the fields gaia keeps', () => {
    expect(parseEventLine('{"at":1,"source":"codex","kind":"agent-turn-complete","sessionId":"t-1","turnId":"u-1"}'))
      .toEqual({ at: 1, source: 'codex', kind: 'agent-turn-complete', sessionId: 't-1', turnId: 'u-1' });
  });

  it.each([
    ['not JSON', '{"at":1,"sour'],
    ['an unknown source', '{"at":1,"source":"vim","kind":"Stop"}'],
    ['no time', '{"source":"claude","kind":"Stop"}'],
    ['no kind', '{"at":1,"source":"claude"}'],
  ])('skips a line that is not an event: %s', (_what, line) => {
    expect(parseEventLine(line)).toBeUndefined();
  });

  it('takes the last valid line of a log, past a torn last write', () => {
    const text = '{"at":1,"source":"claude","kind":"UserPromptSubmit"}\n{"at":2,"source":"claude","kind":"Stop"}\n{"at":3,"sou';
    expect(lastEvent(text)?.kind).toBe('Stop');
    expect(lastEvent('')).toBeUndefined();
  });
});

describe('what an event means', () => {
  it.each([
    [ev({ source: 'claude', kind: 'SessionStart', detail: 'startup' }), 'idle'],
    [ev({ source: 'claude', kind: 'SessionStart', detail: 'compact' }), undefined],
    [ev({ source: 'claude', kind: 'UserPromptSubmit' }), 'working'],
    [ev({ source: 'claude', kind: 'PostToolUse' }), 'working'],
    [ev({ source: 'claude', kind: 'Notification', detail: 'permission_prompt' }), 'waiting'],
    [ev({ source: 'claude', kind: 'Notification', detail: 'idle_prompt' }), 'idle'],
    [ev({ source: 'claude', kind: 'Notification', detail: 'auth_success' }), undefined],
    [ev({ source: 'claude', kind: 'Stop' }), 'idle'],
    [ev({ source: 'claude', kind: 'SessionEnd' }), undefined],
    [ev({ source: 'codex', kind: 'agent-turn-complete' }), 'idle'],
  ])('%j means %s', (e, state) => {
    expect(eventState(e)).toBe(state);
  });
});

describe('the newest event decides over the screen while the screen has not changed since', () => {
  const profile = agentProfile('claude', { command: 'claude', agent: true })!;
  const patterns = compilePatterns(profile.patterns, profile.dialogs);
  const facts = (over: Partial<PaneFacts> = {}): PaneFacts => ({
    paneDead: false, exitStatus: null, exitSignal: null, currentCommand: 'claude', activity: (NOW - 60_000) / 1000,
    screen: 'Hello from the fake API.\n? for shortcuts', screenHash: 'h', ...over,
  });
  const read = (f: PaneFacts, event?: AgentEvent, startedAtMs: number | null = NOW - 600_000) =>
    classify({ facts: f, profile, patterns, memory: undefined, nowMs: NOW, ...(event ? { event } : {}), startedAtMs }).reading;

  it('an event after the screen\'s last change decides, and the evidence says so', () => {
    const r = read(facts({ screen: 'Bash(touch x)\nWould you like to run it? (text in the reply)' }), ev({ source: 'claude', kind: 'Stop' }));
    expect([r.state, r.reason, r.evidence.source]).toEqual(['idle', 'hook: Stop 3s ago', 'hook']);
    expect(r.evidence.event).toEqual({ source: 'claude', kind: 'Stop', secondsAgo: 3 });
    expect(r.evidence.matched).toBeNull(); // the screen's "waiting" was text in the reply
    expect(r.since).toBe(new Date(NOW - 3000).toISOString());
  });

  it('the CLI\'s own redraw just after the event is not news', () => {
    const r = read(facts({ activity: (NOW - 3000 + EVENT_GRACE_MS) / 1000 }), ev({ source: 'claude', kind: 'Notification', detail: 'permission_prompt' }));
    expect([r.state, r.evidence.source]).toEqual(['waiting', 'hook']);
  });

  it('a screen that changed since the event but says the same leaves the event to decide', () => {
    const r = read(facts({ activity: (NOW - 1000) / 1000 }), ev({ source: 'claude', kind: 'Stop', at: NOW - 20_000 }));
    expect([r.state, r.evidence.source, r.evidence.matched?.pattern]).toEqual(['idle', 'hook', 'idle']);
  });

  it('a screen that changed well after the event and says otherwise decides (codex reports no turn start)', () => {
    const r = read(facts({ screen: 'Working (2s \u2022 esc to interrupt)', activity: (NOW - 1000) / 1000 }), ev({ source: 'codex', kind: 'agent-turn-complete', at: NOW - 20_000 }));
    expect([r.state, r.evidence.source, r.evidence.event?.kind]).toEqual(['working', 'screen', 'agent-turn-complete']);
  });

  it('a question drawn after the event decides, even within the grace (codex reports a side turn\'s end, then asks)', () => {
    const asked = read(facts({ screen: 'Would you like to run the following command?\n\u203a 1. Yes, proceed (y)', activity: (NOW - 19_000) / 1000 }), ev({ source: 'codex', kind: 'agent-turn-complete', at: NOW - 20_000 }));
    expect([asked.state, asked.evidence.source, asked.evidence.matched?.pattern]).toEqual(['waiting', 'screen', 'waiting']);
  });

  it('a question drawn just after an event that says waiting backs the event, which decides', () => {
    const r = read(facts({ screen: 'Do you want to proceed? (y/n)', activity: (NOW - 2000) / 1000 }), ev({ source: 'claude', kind: 'Notification', detail: 'permission_prompt' }));
    expect([r.state, r.evidence.source, r.reason]).toEqual(['waiting', 'hook', 'hook: Notification (permission_prompt) 3s ago']);
  });

  it('a first-run dialog and a dead pane decide over any event', () => {
    const dialog = read(facts({ screen: 'Do you want to use this API key?\n\u276F 2. No (recommended)' }), ev({ source: 'claude', kind: 'SessionStart', detail: 'startup' }));
    expect([dialog.state, dialog.waitingFor, dialog.evidence.source]).toEqual(['waiting', 'approve API key', 'screen']);
    const dead = read(facts({ paneDead: true, exitStatus: 1 }), ev({ source: 'claude', kind: 'Stop' }));
    expect([dead.state, dead.evidence.source]).toEqual(['crashed', 'screen']);
  });

  it('an event from before the session was made (its last run) is not evidence', () => {
    const r = read(facts({ screen: 'thinking…', activity: (NOW - 4000) / 1000 }), ev({ source: 'claude', kind: 'Stop', at: NOW - 10_000 }), NOW - 5000);
    expect([r.state, r.evidence.source, r.evidence.event]).toEqual(['working', 'screen', undefined]);
  });

  it('an event that means no state leaves the screen to decide', () => {
    const r = read(facts(), ev({ source: 'claude', kind: 'SessionEnd' }));
    expect([r.state, r.evidence.source]).toEqual(['idle', 'screen']);
  });
});

describe('a session set up to report, in gaia\'s own folder', () => {
  const root = '/p';
  it('claude: --settings with a per-session file, right after the program', () => {
    const s = eventSetup('claude', 'c1', root)!;
    expect(withEventArgs(['claude', '--resume', 'x'], s)).toEqual(['claude', '--settings', '/p/.gaia/agents/c1/claude-settings.json', '--resume', 'x']);
    expect(withEventArgs('claude --model opus', s)).toBe('claude --settings /p/.gaia/agents/c1/claude-settings.json --model opus');
    expect(s.log).toBe('/p/.gaia/agent-events/c1.jsonl');
  });

  it('codex: its notify program for this run, as a TOML array', () => {
    const s = eventSetup('codex', 'x1', root)!;
    expect(withEventArgs(['/opt/bin/codex', 'resume', 't-1'], s)).toEqual(['/opt/bin/codex', '-c', 'notify=["/p/.gaia/agents/x1/event"]', 'resume', 't-1']);
  });

  it('leaves a command alone that runs another program or names its own settings', () => {
    const s = eventSetup('claude', 'c1', root)!;
    expect(withEventArgs(['my-wrapper', 'claude'], s)).toEqual(['my-wrapper', 'claude']);
    expect(withEventArgs(['claude', '--settings', 'mine.json'], s)).toEqual(['claude', '--settings', 'mine.json']);
    expect(withEventArgs('claude --settings=mine.json', s)).toBe('claude --settings=mine.json');
    expect(withEventArgs(['codex', '-c', 'notify=["me"]'], eventSetup('codex', 'x1', root)!)).toEqual(['codex', '-c', 'notify=["me"]']);
  });

  it('CLIs without hooks gaia can set up get nothing (gemini 0.61 takes per-run hooks only from root-owned files)', () => {
    expect(eventSetup('gemini', 'g1', root)).toBeUndefined();
    expect(eventSetup('aider', 'a1', root)).toBeUndefined();
    expect(eventSetup('generic', 'a1', root)).toBeUndefined();
  });

  it('writes hooks that run the session\'s event script', () => {
    const rt = { node: '/usr/bin/node', script: '/gaia/bin/gaia-agent-event.js' };
    const claude = setupFiles(eventSetup('claude', 'c1', root)!, rt);
    expect(claude.map((f) => [f.path, f.mode])).toEqual([['/p/.gaia/agents/c1/event', 0o700], ['/p/.gaia/agents/c1/claude-settings.json', 0o600]]);
    expect(claude[0]!.content).toContain('exec /usr/bin/node /gaia/bin/gaia-agent-event.js /p/.gaia/agent-events/c1.jsonl claude "$@"');
    const hooks = (JSON.parse(claude[1]!.content) as { hooks: Record<string, unknown> }).hooks;
    expect(Object.keys(hooks)).toEqual(expect.arrayContaining(['SessionStart', 'UserPromptSubmit', 'Notification', 'Stop']));
    expect(hooks.Stop).toEqual([{ hooks: [{ type: 'command', command: '/p/.gaia/agents/c1/event' }] }]);
    expect(setupFiles(eventSetup('codex', 'x1', root)!, rt).map((f) => f.path)).toEqual(['/p/.gaia/agents/x1/event']);
  });
});
