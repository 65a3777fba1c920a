import { plan } from '../../src/core/planner.js';
import { applyWaves } from '../../src/core/graph.js';
import type { KindSpec } from '../../src/core/kind.js';
import type { Observed, Recorded, Resource } from '../../src/core/resource.js';
import { testDigests } from '../helpers/digests.js';

// A toy kind: `cmd` changes force a replace, `label` changes update in place.
const thing: KindSpec = {
  kind: 'thing',
  missingText: 'thing missing',
  compare(d, o) {
    if (d.attributes.cmd !== o.attributes.cmd) return { kind: 'replace', reasons: [{ code: 'cmd_changed', text: 'command changed' }], diffs: [{ path: 'cmd', before: o.attributes.cmd, after: d.attributes.cmd, forcesReplace: true }] };
    if (d.attributes.label !== o.attributes.label) return { kind: 'update', reasons: [{ code: 'label_changed', text: 'label changed' }], diffs: [{ path: 'label', before: o.attributes.label, after: d.attributes.label }] };
    return { kind: 'same' };
  },
  hazards: (o, action) => (o.attributes.busy ? [{ code: 'running_session', text: `${action} stops a busy thing` }] : []),
};
const specs = { thing };
const res = (name: string, attrs: Record<string, string | boolean> = {}, dependsOn: string[] = []): Resource => ({ kind: 'thing', address: `thing.${name}`, attributes: { cmd: 'a', ...attrs }, dependsOn });
const PROJECT = 'app@/srv/app';
const obs = (name: string, attrs: Record<string, string | boolean> = {}, marker?: string, owner: string | undefined = marker ? PROJECT : undefined): Observed => ({ kind: 'thing', address: `thing.${name}`, attributes: { cmd: 'a', ...attrs }, ...(marker ? { marker } : {}), ...(owner ? { owner } : {}) });
const rec = (name: string, attrs: Record<string, string> = {}, dependsOn: string[] = []): Recorded => ({ kind: 'thing', address: `thing.${name}`, attributes: { cmd: 'a', ...attrs }, specHash: 'h', dependsOn });
const run = (desired: Resource[], observed: Observed[], recorded: Recorded[], targets?: string[]) =>
  plan({ digests: testDigests, desired, observed, recorded, specs, manifest: { path: 'm.yaml', hash: 'x' }, now: '2026-01-01T00:00:00Z', project: PROJECT, ...(targets ? { targets } : {}) });

describe('planner: desired × observed × recorded → actions', () => {
  const table: [string, Resource[], Observed[], Recorded[], Record<string, string>, number][] = [
    ['missing and never made → create', [res('x')], [], [], { 'thing.x': 'create' }, 0],
    ['made by gaia and removed by hand → create', [res('x')], [], [rec('x')], { 'thing.x': 'create' }, 0],
    ['owned and identical → no-op', [res('x')], [obs('x')], [rec('x')], { 'thing.x': 'noop' }, 0],
    ['owned, command changed → replace', [res('x', { cmd: 'b' })], [obs('x')], [rec('x')], { 'thing.x': 'replace' }, 0],
    ['owned, label changed → update', [res('x', { label: 'l2' })], [obs('x', { label: 'l1' })], [rec('x')], { 'thing.x': 'update' }, 0],
    ['marked by this project but not in the state store → owned', [res('x')], [obs('x', {}, 'h')], [], { 'thing.x': 'noop' }, 0],
    ['marked without a project (older gaia), not in the state store → conflict', [res('x')], [obs('x', {}, 'h', '')], [], {}, 1],
    ['marked by another project → conflict, even when recorded here', [res('x')], [obs('x', {}, 'h', 'other@/srv/app')], [rec('x')], {}, 1],
    ['recorded here, removed from manifest, and what has the name now is another project\'s → only forgotten', [], [obs('x', {}, 'h', 'other@/srv/app')], [rec('x')], { 'thing.x': 'delete' }, 0],
    ['exists, not owned → conflict, no change', [res('x')], [obs('x')], [], {}, 1],
    ['owned, removed from manifest → delete', [], [obs('x')], [rec('x')], { 'thing.x': 'delete' }, 0],
    ['owned, removed from manifest, already gone → forget', [], [], [rec('x')], { 'thing.x': 'delete' }, 0],
    ['unowned thing not in manifest → untouched', [], [obs('stranger')], [], {}, 0],
  ];
  it.each(table)('%s', (_name, desired, observed, recorded, actions, conflicts) => {
    const p = run(desired, observed, recorded);
    expect(Object.fromEntries(p.changes.map((c) => [c.address, c.action]))).toEqual(actions);
    expect(p.conflicts).toHaveLength(conflicts);
  });

  it('never deletes another project\'s thing: the delete of a record whose name it now has is state-only', () => {
    const p = run([], [obs('x', {}, 'h', 'other@/srv/app')], [rec('x')]);
    expect(p.changes[0]).toMatchObject({ action: 'delete', stateOnly: true });
  });

  describe('a store shared by the project\'s clones (sharedBy): a clone\'s mark from before they shared one identity', () => {
    const shared = (desired: Resource[], observed: Observed[], recorded: Recorded[], sharedBy = 'app') =>
      plan({ digests: testDigests, desired, observed, recorded, specs, manifest: { path: 'm.yaml', hash: 'x' }, now: '2026-01-01T00:00:00Z', project: PROJECT, sharedBy });
    const clone = (name: string, owner = 'app@/home/bob/app') => obs(name, {}, 'h', owner);
    it.each<[string, Resource[], Observed[], Recorded[], string, Record<string, string>, number]>([
      ['recorded → ours, no change', [res('x')], [clone('x')], [rec('x')], 'app', { 'thing.x': 'noop' }, 0],
      ['recorded, removed from the manifest → deleted, not only forgotten', [], [clone('x')], [rec('x')], 'app', { 'thing.x': 'delete' }, 0],
      ['not recorded → still a conflict', [res('x')], [clone('x')], [], 'app', {}, 1],
      ['another name that starts alike → a conflict', [res('x')], [clone('x', 'apple@/home/bob/app')], [rec('x')], 'app', {}, 1],
      ['another project\'s name → a conflict', [res('x')], [clone('x', 'other@/srv/app')], [rec('x')], 'app', {}, 1],
    ])('%s', (_name, desired, observed, recorded, sharedBy, actions, conflicts) => {
      const p = shared(desired, observed, recorded, sharedBy);
      expect(Object.fromEntries(p.changes.map((c) => [c.address, c.action]))).toEqual(actions);
      expect(p.conflicts).toHaveLength(conflicts);
      if (desired.length === 0) expect(p.changes[0]!.stateOnly ?? false).toBe(false);
    });
    it('without a shared store, the same mark is another project\'s', () => {
      expect(run([res('x')], [clone('x')], [rec('x')]).conflicts).toHaveLength(1);
    });
  });

  it('gives reasons as data, not prose built by the planner', () => {
    const p = run([res('x', { cmd: 'b' })], [obs('x')], [rec('x')]);
    expect(p.changes[0]!.reasons).toEqual([{ code: 'cmd_changed', text: 'command changed' }]);
    expect(p.changes[0]!.diffs[0]).toMatchObject({ path: 'cmd', before: 'a', after: 'b', forcesReplace: true });
  });

  it('flags replacing a busy thing loudly', () => {
    const p = run([res('x', { cmd: 'b' })], [obs('x', { busy: true })], [rec('x')]);
    expect(p.changes[0]!.hazards.map((h) => h.code)).toEqual(['running_session']);
  });

  it('a forgotten delete is marked state-only', () => {
    const p = run([], [], [rec('x')]);
    expect(p.changes[0]!.stateOnly).toBe(true);
  });

  it('orders creates after their dependencies and deletes dependents first', () => {
    const p = run([res('session', {}, ['thing.worktree']), res('worktree', {}, ['thing.branch']), res('branch')], [], []);
    expect(p.changes.map((c) => c.address)).toEqual(['thing.branch', 'thing.worktree', 'thing.session']);
    const d = run([], [obs('a'), obs('b')], [rec('a'), rec('b', {}, ['thing.a'])]);
    expect(d.changes.map((c) => c.address)).toEqual(['thing.b', 'thing.a']);
  });

  it('summarises like Terraform', () => {
    const p = run([res('new'), res('up', { label: 'z' }), res('re', { cmd: 'q' })], [obs('up'), obs('re'), obs('old')], [rec('up'), rec('re'), rec('old')]);
    expect(p.summary).toMatchObject({ add: 1, change: 1, replace: 1, destroy: 1, noop: 0 });
  });

  it('limits to --target and what it needs', () => {
    const p = run([res('a', {}, ['thing.b']), res('b'), res('c')], [], [], ['thing.a']);
    expect(p.changes.map((c) => c.address).sort()).toEqual(['thing.a', 'thing.b']);
  });

  it('fingerprints the same world the same way, and a moved world differently', () => {
    const a = run([res('x')], [], []);
    const b = run([res('x')], [], []);
    const c = run([res('x')], [obs('x', {}, 'h')], []);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
  });
});

describe('apply waves', () => {
  it('runs deletes first, then creates after what they depend on, independent ones together', () => {
    const p = run([res('branch'), res('wt', {}, ['thing.branch']), res('s1', {}, ['thing.wt']), res('s2', {}, ['thing.wt']), res('free')], [obs('old')], [rec('old')]);
    const waves = applyWaves(p.changes).map((w) => w.map((c) => c.address).sort());
    expect(waves).toEqual([['thing.old'], ['thing.branch', 'thing.free'], ['thing.wt'], ['thing.s1', 'thing.s2']]);
  });
});
