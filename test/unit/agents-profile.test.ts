/** Agent CLI defaults are data: each preset's patterns compile and recognise what its CLI shows;
 *  the manifest picks and overrides them; durations read as the schema allows them. */
import { AGENT_PRESETS, PRESET_NAMES } from '../../src/agents/defaults.js';
import { durationMs, formatAge } from '../../src/agents/duration.js';
import { agentProfile, compilePatterns, patternProblem, presetOf, programName } from '../../src/agents/profile.js';
import { classify, type AgentState } from '../../src/agents/state.js';

describe('presets', () => {
  it.each(PRESET_NAMES.map((p) => [p]))('%s: every pattern is a valid regular expression', (preset) => {
    for (const source of Object.values(AGENT_PRESETS[preset])) expect(patternProblem(source!)).toBeUndefined();
  });

  const screens: readonly (readonly [string, string, AgentState])[] = [
    ['claude', '╭──╮\n│ Bash(rm -rf build) │\nDo you want to proceed?\n❯ 1. Yes\n  2. No', 'waiting'],
    ['claude', '✻ Pondering… (12s · ↑ 1.2k tokens · esc to interrupt)\n╭───╮\n│ >   │\n╰───╯', 'working'],
    ['claude', '╭────╮\n│ >  │\n╰────╯\n  ? for shortcuts', 'idle'],
    ['codex', 'Allow command? git push\nYes (y)  No (n)', 'waiting'],
    ['codex', '⠋ Working (3s • Esc to interrupt)', 'working'],
    ['ollama', '>>> Send a message (/? for help)', 'idle'],
    ['ollama', 'The answer is ⠙', 'working'],
    ['aider', 'Create new file src/x.py? (Y)es/(N)o [Yes]:', 'waiting'],
    ['aider', 'architect> ', 'idle'],
    ['gemini', 'Allow execution of: rm?\n● Yes, allow once', 'waiting'],
    ['gemini', '⠏ Thinking (esc to cancel, 3s)', 'working'],
  ];
  it.each(screens)('%s: recognises %j as %s', (preset, screen, state) => {
    const profile = agentProfile(preset, { command: preset, agent: true })!;
    const r = classify({
      facts: { paneDead: false, exitStatus: null, exitSignal: null, currentCommand: preset, activity: 0, screen, screenHash: 'x' },
      profile, patterns: compilePatterns(profile.patterns), memory: undefined, nowMs: 10_000_000,
    });
    expect(r.reading.state).toBe(state);
  });
});

describe('a provider\'s profile', () => {
  it('is only made for agents', () => {
    expect(agentProfile('x', { command: 'bash' })).toBeUndefined();
    expect(agentProfile('x', { command: 'bash', agent: false })).toBeUndefined();
    expect(agentProfile('x', undefined)).toBeUndefined();
  });

  it('picks the preset named in the manifest, else by provider name, else by program, else generic', () => {
    expect(presetOf('reviewer', { command: 'claude', agent: { preset: 'codex' } })).toBe('codex');
    expect(presetOf('claude', { command: 'my-wrapper', agent: true })).toBe('claude');
    expect(presetOf('reviewer', { command: '/usr/local/bin/aider --model x', agent: true })).toBe('aider');
    expect(presetOf('reviewer', { start: ['gemini', '--resume'], agent: true })).toBe('gemini');
    expect(presetOf('reviewer', { command: 'llm-cli', agent: true })).toBe('generic');
    expect(programName(['/opt/bin/codex', 'exec'])).toBe('codex');
  });

  it('overrides only the patterns and settings the manifest gives', () => {
    const p = agentProfile('claude', { command: 'claude', agent: { patterns: { idle: '^READY$' }, activeWindow: '2s', waitingAlert: 90, tailLines: 4 } })!;
    expect(p.patterns).toEqual({ ...AGENT_PRESETS.claude, idle: '^READY$' });
    expect([p.activeWindowMs, p.waitingAlertMs, p.tailLines]).toEqual([2000, 90_000, 4]);
    expect(agentProfile('claude', { command: 'claude', agent: true })).toMatchObject({ activeWindowMs: 5000, waitingAlertMs: 600_000, tailLines: 15 });
  });

  it('reports a pattern that does not compile, and leaves it out', () => {
    expect(patternProblem('(unclosed')).toMatch(/not a valid regular expression/);
    expect(compilePatterns({ waiting: '(', idle: '^> ' })).toEqual({ idle: /^> /m });
  });
});

describe('durations', () => {
  it.each([[undefined, 7], [30, 30_000], [0.5, 500], ['500ms', 500], ['30s', 30_000], ['2.5m', 150_000], ['1h', 3_600_000], ['soon', 7]] as const)(
    '%j is %d ms', (value, ms) => expect(durationMs(value, 7)).toBe(ms));
  it('formats ages as people read them', () => {
    expect([formatAge(5), formatAge(720), formatAge(7200), formatAge(200_000)]).toEqual(['5s', '12m', '2h', '2d']);
  });
});
