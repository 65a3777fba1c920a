import { resource, type Attributes, type Observed, type Recorded, type Resource } from '../../src/core/resource.js';
import { sessionSpec, sessionSpecHash, tmuxKinds } from '../../src/providers/tmux/spec.js';

const base = { name: 'dev1_worker', command: 'claude', cwd: 'envs/dev1', env: { A: '1' }, group: 'workers', provider: 'claude', agent: true };
const desired = (attrs: Attributes = {}): Resource => resource('tmux_session', 'dev1_worker', { ...base, ...attrs });
const recorded = (attrs: Attributes = {}): Recorded => ({ ...desired(attrs), specHash: sessionSpecHash({ ...base, ...attrs }) });
/** A session gaia made from `base` (marked), alive. */
const seen = (attrs: Attributes = {}, marker: string | null = sessionSpecHash(base)): Observed => ({
  kind: 'tmux_session',
  address: 'tmux_session.dev1_worker',
  attributes: {
    name: 'dev1_worker', cwd: 'envs/dev1', command: 'claude', created: 1700000000, panePid: 42, paneDead: false, paneDeadStatus: null,
    currentCommand: 'node', activity: 1700000100, remainOnExit: true, group: 'workers', provider: 'claude', agent: true, ...attrs,
  },
  ...(marker !== null ? { marker } : {}),
});
/** A session without gaia's marks: no group/provider/agent seen. */
const unmarked = (attrs: Attributes = {}): Observed => {
  const o = seen(attrs, null);
  const { group: _g, provider: _p, agent: _a, ...rest } = o.attributes;
  return { ...o, attributes: rest };
};

describe('sessionSpecHash', () => {
  test('covers command, cwd and env, and not group, provider or agent', () => {
    const h = sessionSpecHash(base);
    expect(sessionSpecHash({ ...base, group: 'other', provider: null, agent: false })).toBe(h);
    expect(sessionSpecHash({ ...base, command: ['claude'] })).not.toBe(h);
    expect(sessionSpecHash({ ...base, cwd: '.' })).not.toBe(h);
    expect(sessionSpecHash({ ...base, env: { A: '2' } })).not.toBe(h);
  });

  test('is what the planner records and marks with (the KindSpec specHash)', () => {
    expect(tmuxKinds.tmux_session).toBe(sessionSpec);
    expect(sessionSpec.specHash?.(desired())).toBe(sessionSpecHash(base));
  });
});

describe('tmux_session compare', () => {
  test('a live session matching the record and marker is the same', () => {
    expect(sessionSpec.compare(desired(), seen(), recorded())).toEqual({ kind: 'same' });
  });

  test('without a record, a matching marker is enough to be the same', () => {
    expect(sessionSpec.compare(desired(), seen(), undefined)).toEqual({ kind: 'same' });
  });

  test.each([
    ['command', { command: 'codex' }, 'command_changed', 'command changed', [{ path: 'command', before: 'claude', after: 'codex', forcesReplace: true }]],
    ['cwd', { cwd: 'envs/dev2' }, 'cwd_changed', 'working directory changed', [{ path: 'cwd', before: 'envs/dev1', after: 'envs/dev2', forcesReplace: true }]],
    ['env', { env: { A: '2', B: 'x' } }, 'env_changed', 'environment changed', [
      { path: 'env.A', before: '1', after: '2', forcesReplace: true },
      { path: 'env.B', after: 'x', forcesReplace: true },
    ]],
  ])('a changed %s against the record is a replace with a forcing diff', (_what, change, code, text, diffs) => {
    expect(sessionSpec.compare(desired(change), seen(), recorded())).toEqual({ kind: 'replace', reasons: [{ code, text }], diffs });
  });

  test('a removed env variable shows as a diff with no after value', () => {
    const cmp = sessionSpec.compare(desired({ env: {} }), seen(), recorded());
    expect(cmp).toMatchObject({ kind: 'replace', diffs: [{ path: 'env.A', before: '1', forcesReplace: true }] });
    expect(cmp.kind === 'replace' && 'after' in cmp.diffs[0]!).toBe(false);
  });

  test('without a record, a marker from another spec is a replace ("spec changed")', () => {
    expect(sessionSpec.compare(desired({ command: 'codex' }), seen(), undefined)).toEqual({
      kind: 'replace', reasons: [{ code: 'spec_changed', text: 'spec changed (marker differs)' }], diffs: [],
    });
  });

  test('a record that matches the manifest does not hide a session recreated from another spec', () => {
    expect(sessionSpec.compare(desired(), seen({}, 'someone-elses-hash'), recorded())).toMatchObject({
      kind: 'replace', reasons: [{ code: 'spec_changed' }],
    });
  });

  test('a dead pane is replaced even when nothing else changed', () => {
    expect(sessionSpec.compare(desired(), seen({ paneDead: true, paneDeadStatus: 1 }), recorded())).toEqual({
      kind: 'replace', reasons: [{ code: 'pane_dead', text: 'program exited; pane is dead' }], diffs: [],
    });
  });

  test('a dead pane and a changed command give both reasons', () => {
    const cmp = sessionSpec.compare(desired({ command: 'codex' }), seen({ paneDead: true }), recorded());
    expect(cmp.kind === 'replace' && cmp.reasons.map((r) => r.code)).toEqual(['pane_dead', 'command_changed']);
  });

  test('group, provider or agent changes alone are updates in place, with non-forcing diffs', () => {
    const want = desired({ group: 'reviewers', provider: 'codex', agent: false });
    expect(sessionSpec.compare(want, seen(), recorded())).toEqual({
      kind: 'update',
      reasons: [
        { code: 'group_changed', text: 'group changed' },
        { code: 'provider_changed', text: 'provider changed' },
        { code: 'agent_changed', text: 'agent flag changed' },
      ],
      diffs: [
        { path: 'group', before: 'workers', after: 'reviewers' },
        { path: 'provider', before: 'claude', after: 'codex' },
        { path: 'agent', before: true, after: false },
      ],
    });
  });

  test('the marks on the session win over the record for in-place fields (drift on the session is repaired)', () => {
    expect(sessionSpec.compare(desired(), seen({ group: 'tampered' }), recorded())).toMatchObject({
      kind: 'update', diffs: [{ path: 'group', before: 'tampered', after: 'workers' }],
    });
  });

  test('remain-on-exit turned off (or back on) is an update in place; absent means on', () => {
    expect(sessionSpec.compare(desired({ remainOnExit: false }), seen({ remainOnExit: true }), recorded())).toEqual({
      kind: 'update',
      reasons: [{ code: 'remain_on_exit_changed', text: 'remain-on-exit changed' }],
      diffs: [{ path: 'remainOnExit', before: true, after: false }],
    });
    expect(sessionSpec.compare(desired(), seen({ remainOnExit: false }), recorded())).toMatchObject({ kind: 'update', diffs: [{ path: 'remainOnExit', after: true }] });
    expect(sessionSpec.compare(desired(), seen({ remainOnExit: true }), recorded())).toEqual({ kind: 'same' });
  });

  test('a recorded session without marks gets them back by an update, not a restart', () => {
    expect(sessionSpec.compare(desired(), unmarked(), recorded())).toEqual({
      kind: 'update', reasons: [{ code: 'marker_missing', text: 'ownership marker missing' }], diffs: [],
    });
  });

  test('a replace also lists in-place changes so the plan shows everything that changes', () => {
    const cmp = sessionSpec.compare(desired({ command: 'codex', group: 'reviewers' }), seen(), recorded());
    expect(cmp.kind === 'replace' && cmp.diffs.map((d) => d.path)).toEqual(['command', 'group']);
  });
});

describe('tmux_session ownership and hazards', () => {
  test('a same-named session gaia did not create is a conflict with a fix', () => {
    expect(sessionSpec.unowned?.(desired(), unmarked())).toEqual({
      kind: 'conflict',
      text: 'a tmux session with this name exists and gaia did not create it',
      fix: "rename the session in the manifest, or end the existing one yourself (tmux kill-session -t '=dev1_worker') and apply again",
    });
    expect(sessionSpec.missingText).toBe('session missing');
  });

  test('replacing or deleting a running agent warns that its conversation is lost', () => {
    expect(sessionSpec.hazards?.(seen(), 'replace')).toEqual([{ code: 'running_session', text: 'replacing a running agent session loses its conversation' }]);
    expect(sessionSpec.hazards?.(seen(), 'delete')).toEqual([{ code: 'running_session', text: 'deleting a running agent session loses its conversation' }]);
  });

  test.each([
    ['a dead pane', seen({ paneDead: true })],
    ['a session marked as not an agent', seen({ agent: false, currentCommand: 'python3' })],
    ['an unmarked session at a shell prompt', unmarked({ currentCommand: 'bash' })],
    ['an unmarked session at a login shell prompt', unmarked({ currentCommand: '-zsh' })],
  ])('no hazard for %s', (_what, o) => {
    expect(sessionSpec.hazards?.(o, 'replace')).toEqual([]);
  });

  test('an unmarked session running a program is treated as an agent', () => {
    expect(sessionSpec.hazards?.(unmarked({ currentCommand: 'claude' }), 'delete')).toHaveLength(1);
  });
});
