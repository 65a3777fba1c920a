import type { KindSpec } from '../../src/core/kind.js';
import { detectDrift, hasDrift, reverseUnified } from '../../src/core/drift.js';
import { PENDING_PREFIX, type Change, type Plan } from '../../src/core/plan.js';
import type { Observed, Recorded } from '../../src/core/resource.js';
import { fileSpec, unifiedDiff } from '../../src/providers/file/spec.js';
import { sha256Text } from '../../src/providers/file/attributes.js';
import { worktreeSpec } from '../../src/providers/git/spec.js';
import { decide, delayAfter, isCrashLooping, parseBackoff, restarted, settle, type BackoffState } from '../../src/ops/reconcile-backoff.js';
import { applyPolicy, causeOf, syncPolicy } from '../../src/ops/reconcile-policy.js';
import { renderDriftJson } from '../../src/render/drift-json.js';
import { renderDriftTerminal } from '../../src/render/drift-terminal.js';
import { testDigests } from '../helpers/digests.js';
import { legacyDigest } from '../../src/core/digest.js';

// A session kind whose compare sees a changed command (a session restarted by hand with another command).
const sessionSpec: KindSpec = {
  kind: 'tmux_session',
  missingText: 'session missing',
  compare: (d, o) => (d.attributes.command === o.attributes.command ? { kind: 'same' } : {
    kind: 'replace', reasons: [{ code: 'command_changed', text: 'command changed' }],
    diffs: [{ path: 'command', before: o.attributes.command, after: d.attributes.command, forcesReplace: true }],
  }),
};
const sqliteSpec: KindSpec = { kind: 'sqlite_database', missingText: 'database missing', compare: () => ({ kind: 'same' }) };
const specs = { tmux_session: sessionSpec, file: fileSpec, git_worktree: worktreeSpec, sqlite_database: sqliteSpec };

const rec = (kind: string, name: string, attributes: Recorded['attributes'], specHash = 'h'): Recorded => ({ kind, address: `${kind}.${name}`, attributes, specHash, dependsOn: [] });
const obs = (kind: string, name: string, attributes: Observed['attributes']): Observed => ({ kind, address: `${kind}.${name}`, attributes });

const fileRec = rec('file', 'cfg', { path: 'cfg.txt', content: 'port=1\n', mode: '0644' });
const fileObs = (content: string) => obs('file', 'cfg', { path: 'cfg.txt', content, mode: '0644', sha256: sha256Text(content), editedOutside: content !== 'port=1\n' });
const wtRec = rec('git_worktree', 'dev1', { source: 'worktree', repo: '.', path: 'envs/dev1', branch: 'env/dev1' });
const wtObs = (branch: string) => obs('git_worktree', 'dev1', { source: 'worktree', repo: '.', path: 'envs/dev1', branch });
const sRec = rec('tmux_session', 'w1', { name: 'w1', command: 'bash' });
const dbRec = rec('sqlite_database', 'dev1.qa', { path: 'envs/dev1/qa.db' });

describe('detectDrift: recorded × observed × kind rules → what changed outside gaia', () => {
  const table: [string, Recorded[], Observed[], Record<string, string>][] = [
    ['everything as applied → no drift', [sRec, fileRec, wtRec, dbRec], [obs('tmux_session', 'w1', { name: 'w1', command: 'bash' }), fileObs('port=1\n'), wtObs('env/dev1'), obs('sqlite_database', 'dev1.qa', {})], {}],
    ['a session killed outside gaia → missing', [sRec], [], { 'tmux_session.w1': 'missing' }],
    ['a database deleted → missing', [dbRec], [], { 'sqlite_database.dev1.qa': 'missing' }],
    ['a generated file edited by hand → changed', [fileRec], [fileObs('port=2\n')], { 'file.cfg': 'changed' }],
    ['a worktree moved to another branch → changed', [wtRec], [wtObs('hotfix/x')], { 'git_worktree.dev1': 'changed' }],
    ['a session restarted by hand with another command → changed', [sRec], [obs('tmux_session', 'w1', { name: 'w1', command: 'zsh' })], { 'tmux_session.w1': 'changed' }],
    ['a create that never finished (write-ahead record) → not drift', [rec('tmux_session', 'w2', { name: 'w2' }, `${PENDING_PREFIX}h`)], [], {}],
  ];
  it.each(table)('%s', (_name, recorded, observed, expected) => {
    const report = detectDrift(recorded, observed, specs, testDigests);
    expect(Object.fromEntries(report.entries.map((e) => [e.address, e.drift]))).toEqual(expected);
    expect(hasDrift(report)).toBe(Object.keys(expected).length > 0);
  });

  it('speaks from the applied side: before is what gaia applied, after is what is there now', () => {
    const [e] = detectDrift([wtRec], [wtObs('hotfix/x')], specs, testDigests).entries;
    expect(e!.diffs).toEqual([{ path: 'branch', before: 'env/dev1', after: 'hotfix/x' }]);
    expect(e!.reasons.map((r) => r.code)).toEqual(['branch_not_checked_out']);
  });

  it('reports a hand edit as drift only, not as a manifest change, with the diff from applied to edited', () => {
    const [e] = detectDrift([fileRec], [fileObs('port=2\n')], specs, testDigests).entries;
    expect(e!.reasons.map((r) => r.code)).toEqual(['edited_outside']);
    const unified = e!.diffs.find((d) => d.path === 'content')!.unified!;
    expect(unified).toMatch(/^-port=1$/m);
    expect(unified).toMatch(/^\+port=2$/m);
  });

  it('lists writes-ahead as pending and counts only finished records as checked', () => {
    const report = detectDrift([sRec, rec('tmux_session', 'w2', {}, `${PENDING_PREFIX}x`)], [obs('tmux_session', 'w1', { name: 'w1', command: 'bash' })], specs, testDigests);
    expect(report.pending).toEqual(['tmux_session.w2']);
    expect(report.checked).toBe(1);
  });

  it('never shows a secret observed where gaia recorded a digest', () => {
    const secretSpec: KindSpec = { kind: 's', compare: (d, o) => (d.attributes.env === o.attributes.env ? { kind: 'same' } : { kind: 'update', reasons: [{ code: 'env', text: 'env changed' }], diffs: [{ path: 'env', before: o.attributes.env, after: d.attributes.env }] }) };
    const r = rec('s', 'x', { env: { KEY: testDigests.digest('old'), PLAIN: 'a' } });
    const report = detectDrift([r], [obs('s', 'x', { env: { KEY: 'hand-set-secret', PLAIN: 'b' } })], { s: secretSpec }, testDigests);
    const text = renderDriftJson(report, [], { now: 'now' }) + renderDriftTerminal(report, []);
    expect(text).not.toContain('hand-set-secret');
    expect(report.entries[0]!.diffs[0]!.after).toEqual({ KEY: testDigests.digest('hand-set-secret'), PLAIN: 'b' });
  });

  it('reverses a unified diff without mistaking changed lines for headers', () => {
    const u = unifiedDiff('f', 'a\n-- x\n', 'a\n++ y\n');
    const r = reverseUnified(u);
    expect(r).toContain('--- f\tdesired');
    expect(r).toContain('+++ f\ton disk');
    expect(r).toMatch(/^\+-- x$/m);
    expect(r).toMatch(/^-\+\+ y$/m);
    expect(reverseUnified(r)).toBe(u);
  });
});

describe('drift renderers', () => {
  it('terminal: each drifted address with its reason, the counts, and that nothing was changed', () => {
    const report = detectDrift([sRec, wtRec], [wtObs('hotfix/x')], specs, testDigests);
    const text = renderDriftTerminal(report, []);
    expect(text).toMatch(/- tmux_session\.w1\s+# session missing \(removed outside gaia\)/);
    expect(text).toMatch(/~ git_worktree\.dev1/);
    expect(text).toContain('branch: applied "env/dev1", now "hotfix/x"');
    expect(text).toContain('Drift: 1 missing, 1 changed outside gaia (of 2 owned).');
    expect(text).toContain('gaia changed nothing');
  });
  it('json: drift flag and entries', () => {
    const j = JSON.parse(renderDriftJson(detectDrift([sRec], [], specs, testDigests), [], { now: 'now' })) as { drift: boolean; entries: { address: string }[] };
    expect(j.drift).toBe(true);
    expect(j.entries.map((e) => e.address)).toEqual(['tmux_session.w1']);
  });
});

describe('self-heal back-off (pure)', () => {
  const policy = { baseMs: 30_000, maxMs: 120_000, crashLoopAfter: 3, resetAfterMs: 600_000 };
  it('restarts at once the first time, then waits 30 s, 1 m, 2 m, capped', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => delayAfter(n, policy))).toEqual([0, 30_000, 60_000, 120_000, 120_000, 120_000]);
  });
  it('a session that keeps dying is held back, then allowed, and becomes crash-looping', () => {
    let state: BackoffState = {};
    const a = 'tmux_session.w1';
    expect(decide(state[a], 0, policy)).toEqual({ kind: 'restart', attempt: 1 });
    state = restarted(state, a, 0);
    expect(decide(state[a], 10_000, policy)).toEqual({ kind: 'wait', until: 30_000, attempt: 2 });
    expect(decide(state[a], 30_000, policy).kind).toBe('restart');
    state = restarted(state, a, 30_000);
    state = restarted(state, a, 90_000, 'boom\n');
    expect(isCrashLooping(state[a], policy)).toBe(true);
    expect(state[a]).toEqual({ restarts: 3, lastRestart: 90_000, lastOutput: 'boom\n' });
  });
  it('forgives a session that stayed up long enough, and forgets one the manifest dropped', () => {
    const state: BackoffState = { a: { restarts: 2, lastRestart: 0 }, b: { restarts: 2, lastRestart: 0 }, c: { restarts: 1, lastRestart: 0 } };
    const next = settle(state, new Set(['a', 'b']), new Set(['a', 'b']), 700_000, policy);
    expect(next).toEqual({});
    expect(settle(state, new Set(['a']), new Set(['a', 'b', 'c']), 100_000, policy)).toEqual(state);
  });
  it('reads its stored form back and survives garbage', () => {
    expect(parseBackoff(JSON.stringify({ x: { restarts: 1, lastRestart: 5 } }))).toEqual({ x: { restarts: 1, lastRestart: 5 } });
    expect(parseBackoff('{nope')).toEqual({});
    expect(parseBackoff(undefined)).toEqual({});
  });
});

describe('sync policy (pure): what a reconcile round may apply', () => {
  const change = (address: string, action: Change['action'], after: Record<string, string>, specHash = 'h', dependsOn: string[] = []): Change => ({
    kind: 'tmux_session', address, action, after, specHash, dependsOn, reasons: [], diffs: [], hazards: [],
  });
  const recorded = (address: string, attributes: Record<string, string>, specHash = 'h'): Recorded => ({ kind: 'tmux_session', address, attributes, specHash, dependsOn: [] });
  const planOf = (changes: Change[]): Plan => ({ formatVersion: 1, createdAt: 'now', manifest: { path: 'm', hash: 'x' }, fingerprint: '', changes, conflicts: [], warnings: [], summary: { add: 0, change: 0, replace: 0, destroy: 0, adopt: 0, noop: 0, conflicts: 0 } });
  const byAddress = (rs: Recorded[]) => new Map(rs.map((r) => [r.address, r]));

  it.each([
    ['a session restarted with exactly what was applied → heal', change('s', 'replace', { command: 'a', group: 'g' }), [recorded('s', { command: 'a', group: 'g' })], 'heal'],
    ['a new command in the manifest → sync', change('s', 'replace', { command: 'b' }, 'h2'), [recorded('s', { command: 'a' })], 'sync'],
    ['same spec hash but the group renamed in the manifest → sync, not drift', change('s', 'update', { command: 'a', group: 'g2' }), [recorded('s', { command: 'a', group: 'g' })], 'sync'],
    ['finishing a create that was written ahead → sync', change('s', 'create', { command: 'a' }, 'h'), [recorded('s', {}, `${PENDING_PREFIX}h`)], 'sync'],
    ['never made → sync', change('s', 'create', { command: 'a' }), [], 'sync'],
    ['removed from the manifest → prune', change('s', 'delete', {}), [recorded('s', {})], 'prune'],
    ['a session with a secret restarted as applied, recorded before keyed digests → heal', { ...change('s', 'replace', { command: 'a', key: 'sk-1' }, 'keyed'), sensitive: ['key'] }, [recorded('s', { command: 'a', key: legacyDigest('sk-1') }, 'old')], 'heal'],
    ['the same with another secret in the manifest → sync', { ...change('s', 'replace', { command: 'a', key: 'sk-2' }, 'keyed'), sensitive: ['key'] }, [recorded('s', { command: 'a', key: legacyDigest('sk-1') }, 'old')], 'sync'],
  ] as const)('%s', (_name, c, rs, cause) => {
    expect(causeOf(c, byAddress([...rs]), testDigests)).toBe(cause);
  });

  it('holds deletes when prune is off, drift when selfHeal is off, and what depends on a held change', () => {
    const rs = [{ ...recorded('git_worktree.dev1', { branch: 'env/dev1' }), kind: 'git_worktree' }, recorded('tmux_session.old', {})];
    const p = planOf([
      { ...change('git_worktree.dev1', 'update', { branch: 'env/dev1' }), kind: 'git_worktree' }, // moved to another branch by hand
      change('tmux_session.after', 'create', { command: 'x' }, 'n', ['git_worktree.dev1']),
      change('tmux_session.fresh', 'create', { command: 'y' }, 'n'),
      change('tmux_session.old', 'delete', {}),
    ]);
    const out = applyPolicy(p, rs, testDigests, syncPolicy({ selfHeal: false }), {}, 0);
    expect(out.plan.changes.map((c) => c.address)).toEqual(['tmux_session.fresh']);
    expect(out.plan.summary.add).toBe(1);
    expect(out.held.map((h) => [h.change.address, h.why])).toEqual([
      ['git_worktree.dev1', { kind: 'self_heal_off' }],
      ['tmux_session.after', { kind: 'needs', address: 'git_worktree.dev1' }],
      ['tmux_session.old', { kind: 'prune_off' }],
    ]);
    expect(applyPolicy(p, rs, testDigests, syncPolicy({ selfHeal: true, prune: true }), {}, 0).held).toEqual([]);
  });

  it('lets a session restart only when its back-off allows, and counts the attempt', () => {
    const rs = [recorded('tmux_session.s', { command: 'a' })];
    const p = planOf([change('tmux_session.s', 'replace', { command: 'a' })]);
    const policy = syncPolicy({ selfHeal: true });
    expect(applyPolicy(p, rs, testDigests, policy, {}, 0).restarts).toEqual([{ address: 'tmux_session.s', attempt: 1 }]);
    const held = applyPolicy(p, rs, testDigests, policy, { 'tmux_session.s': { restarts: 1, lastRestart: 0 } }, 5_000);
    expect(held.plan.changes).toEqual([]);
    expect(held.held[0]!.why).toEqual({ kind: 'backoff', until: 30_000, attempt: 2 });
  });

  it('defaults: auto, no prune, no self-heal', () => {
    expect(syncPolicy(undefined)).toEqual({ mode: 'auto', prune: false, selfHeal: false });
  });
});
