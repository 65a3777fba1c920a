/** The manifest's agent fields: conversation templates that keep the spec hash stable, ready gates,
 *  hooks, group policy (staggered starts, budgets) and the checks that locate mistakes. */
import { loadManifestText } from '../../src/manifest/load.js';
import { sessionSpecHash } from '../../src/providers/tmux/spec.js';

const base = (extra: string) => `
version: 1
project: t
providers:
  claude:
    start: [claude, --session-id, "{conversation}"]
    resume: "claude --resume {conversation}"
    costPerMonth: 35
    agent: { patterns: { idle: "^>$" }, waitingAlert: 5m }
  shell: { command: bash }
${extra}`;

const load = (text: string) => loadManifestText(text, 'orchestration.yaml', { environ: {} });
const ok = (text: string) => {
  const r = load(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 1));
  return r.model;
};
const errors = (text: string) => {
  const r = load(text);
  return r.ok ? [] : r.errors.map((e) => `${e.line}:${e.col} ${e.path}: ${e.message}${e.fix ? ` | ${e.fix}` : ''}`);
};

describe('conversation templates', () => {
  const model = ok(base(`groups:\n  agents: { count: 2, provider: claude }\n`));
  const [s1] = model.resources.filter((r) => r.kind === 'tmux_session');

  it('keep {conversation} in the command and the resume template until apply', () => {
    expect(s1!.attributes.command).toEqual(['claude', '--session-id', '{conversation}']);
    // A string command is for the shell: the placeholder is quoted like any substituted value.
    expect(s1!.attributes.resume).toBe("claude --resume '{conversation}'");
    expect(s1!.attributes.agent).toBe(true);
  });

  it('give a spec hash that no identifier and no resume template enter', () => {
    const hash = sessionSpecHash(s1!.attributes);
    expect(sessionSpecHash({ ...s1!.attributes, resume: 'other' })).toBe(hash);
    expect(sessionSpecHash({ ...s1!.attributes, command: ['claude', '--session-id', 'abc'] })).not.toBe(hash);
  });

  it('are the provider\'s: a group\'s own command has no {conversation}, and says why', () => {
    expect(errors(base(`groups:\n  g: { names: [a], command: "run {conversation}" }\n`))).toEqual([
      expect.stringMatching(/groups\.g\.command: placeholder \{conversation\} has no value here: there is no conversation in scope \| only a provider's start, command and resume templates/),
    ]);
    expect(ok(base(`groups:\n  g: { names: [a], provider: claude, command: [claude] }\n`)).resources[0]!.attributes.resume).toBeUndefined();
  });

  it('let a provider give start instead of command, but not neither', () => {
    expect(errors(`version: 1\nproject: t\nproviders:\n  p: { costPerMonth: 1 }\n`).join('\n')).toMatch(/providers\.p/);
  });
});

describe('groups: ready, hooks, policy', () => {
  const model = ok(base(`groups:
  agents:
    count: 5
    provider: claude
    ready: { pattern: "^>", timeout: 20s }
    hooks:
      after_create: ["echo up"]
      before_destroy: [{ command: [sh, -c, "echo bye"], timeout: 2s, description: say bye }]
    policy: { maxConcurrentStarts: 2, startInterval: 1500ms, budget: 100 }
environments:
  count: 1
  hooks: { after_create: [npm ci] }
`));
  const g = model.groups[0]!;

  it('carry the ready gate, ordered hooks with their timeouts, and the policy', () => {
    expect(g.ready).toEqual({ pattern: '^>', timeoutMs: 20_000 });
    expect(g.hooks).toEqual({
      after_create: [{ command: 'echo up', timeoutMs: 30_000 }],
      before_destroy: [{ command: ['sh', '-c', 'echo bye'], timeoutMs: 2000, description: 'say bye' }],
    });
    expect(g.policy).toEqual({ maxConcurrentStarts: 2, startIntervalMs: 1500, budget: 100, onBudget: 'warn' });
    expect(model.environmentHooks).toEqual({ after_create: [{ command: 'npm ci', timeoutMs: 30_000 }], before_destroy: [] });
  });

  it('put the start limit on each session, outside its spec hash', () => {
    const s = model.resources.find((r) => r.kind === 'tmux_session')!;
    expect(s.attributes.startLimit).toEqual({ concurrent: 2, intervalMs: 1500 });
    expect(sessionSpecHash(s.attributes)).toBe(sessionSpecHash({ ...s.attributes, startLimit: null }));
  });

  it('warn on every plan about a group over its budget', () => {
    expect(model.warnings).toEqual(['group agents costs $175 a month, $75 over its budget of $100']);
  });

  it('refuse the manifest over budget with onBudget: refuse, at the budget\'s line', () => {
    expect(errors(base(`groups:\n  agents:\n    count: 3\n    provider: claude\n    costAdjustment: -10\n    policy: { budget: 90, onBudget: refuse }\n`))).toEqual([
      '16:23 groups.agents.policy.budget: group agents costs $95 a month, $5 over its budget of $90 (policy.onBudget: refuse) | run fewer sessions or cheaper providers, raise policy.budget, or set policy.onBudget: warn',
    ]);
  });

  it('locate patterns that are not regular expressions', () => {
    expect(errors(base(`groups:\n  g: { count: 1, provider: claude, ready: { pattern: "[" } }\n`)).join('\n')).toMatch(/groups\.g\.ready\.pattern: ready\.pattern is not a valid regular expression/);
    const bad = base('').replace('idle: "^>$"', 'idle: "(x"');
    expect(errors(bad).join('\n')).toMatch(/^9:\d+ providers\.claude\.agent\.patterns\.idle: agent\.patterns\.idle is not a valid regular expression/);
  });

  it('reject unknown keys and bad durations through the schema', () => {
    expect(errors(base(`groups:\n  g: { count: 1, provider: claude, policy: { maxConcurrent: 2 } }\n`)).join('\n')).toMatch(/maxConcurrent/);
    expect(errors(base(`groups:\n  g: { count: 1, provider: claude, ready: { pattern: x, timeout: soon } }\n`)).join('\n')).toMatch(/timeout/);
  });
});

describe('session names tmux would rewrite', () => {
  it('are refused at validation, saying that tmux replaces "." and ":"', () => {
    expect(errors(base(`groups:\n  g: { names: ["web.1", "db:2"], command: bash }\n`))).toEqual([
      expect.stringMatching(/groups\.g\.names\[0\]: tmux would rename "web\.1" \(it replaces "\." and ":" in session names\); use "_" or "-"/),
      expect.stringMatching(/groups\.g\.names\[1\]: tmux would rename "db:2"/),
    ]);
  });
});
