/** Keyed digests meet an old store: unkeyed digests recorded before keys plan no change, a digest made
 *  with a lost key is warned about (never a replace), and what is made anew is recorded keyed. */
import { keyedDigests, legacyDigest } from '../../src/core/digest.js';
import { maskSensitive } from '../../src/core/mask.js';
import { plan, priorFor, storedAttributes } from '../../src/core/planner.js';
import { resource, type Attributes, type Observed, type Recorded, type Resource } from '../../src/core/resource.js';
import { fileSpec } from '../../src/providers/file/spec.js';
import { sha256Text } from '../../src/providers/file/attributes.js';
import { sessionSpecHash, tmuxKinds } from '../../src/providers/tmux/spec.js';
import { testDigests } from '../helpers/digests.js';

const PROJECT = 'p@/r';
const base = { name: 'w', command: 'claude', cwd: '.', env: { API_KEY: 'sk-live-1', A: '1' }, group: 'g', provider: 'claude', agent: true };
const desired = (attrs: Attributes = {}): Resource => resource('tmux_session', 'w', { ...base, ...attrs }, [], { sensitive: ['env.API_KEY'] });
/** What a store made before keyed digests holds, and the mark the session carries from then. */
const legacyStored = (d: Resource): Attributes => maskSensitive(d.attributes, d.sensitive ?? [], legacyDigest);
const recordedWith = (attributes: Attributes): Recorded => ({ kind: 'tmux_session', address: 'tmux_session.w', attributes, dependsOn: [], specHash: sessionSpecHash(attributes) });
const seen = (marker: string): Observed => ({
  kind: 'tmux_session', address: 'tmux_session.w', marker, owner: PROJECT,
  attributes: { name: 'w', cwd: '.', command: 'claude', paneDead: false, remainOnExit: true, group: 'g', provider: 'claude', agent: true },
});
const planOf = (d: Resource, o: Observed, r: Recorded, digests = testDigests) =>
  plan({ desired: [d], observed: [o], recorded: [r], specs: tmuxKinds, manifest: { path: 'm', hash: 'h' }, now: 'now', project: PROJECT, digests });

describe('an old store (unkeyed digests) under keyed digests', () => {
  const old = legacyStored(desired());
  const r = recordedWith(old);

  test('plans no change for a session whose secret is unchanged (no spurious replace)', () => {
    const p = planOf(desired(), seen(r.specHash), r);
    expect(p.changes.map((c) => [c.action, c.reasons.map((x) => x.code)])).toEqual([['noop', []]]);
    expect(p.changes[0]!.specHash).toBe(r.specHash);
    expect(p.warnings).toEqual([]);
  });

  test('still sees a changed secret, and what replaces the session is keyed', () => {
    const p = planOf(desired({ env: { API_KEY: 'sk-live-2', A: '1' } }), seen(r.specHash), r);
    const [c] = p.changes;
    expect(c!.action).toBe('replace');
    const keyed = storedAttributes(desired({ env: { API_KEY: 'sk-live-2', A: '1' } }), testDigests, priorFor('replace', r));
    expect((keyed.env as Attributes).API_KEY).toBe(testDigests.digest('sk-live-2'));
    expect(c!.specHash).toBe(sessionSpecHash(keyed));
  });

  test('an in-place update keeps the recorded digest, so record and mark stay in step', () => {
    const p = planOf(desired({ group: 'g2' }), seen(r.specHash), r);
    expect(p.changes[0]!.action).toBe('update');
    expect(p.changes[0]!.specHash).toBe(r.specHash);
    expect(storedAttributes(desired({ group: 'g2' }), testDigests, priorFor('update', r)).env).toEqual(old.env);
  });

  test('after a replace, the keyed record and mark plan no change', () => {
    const keyed = storedAttributes(desired(), testDigests);
    const rk = recordedWith(keyed);
    expect(planOf(desired(), seen(rk.specHash), rk).changes[0]!.action).toBe('noop');
  });
});

describe('a lost digest key', () => {
  const lost = keyedDigests(Buffer.alloc(32, 3));
  const r = recordedWith(storedAttributes(desired(), lost));

  test('does not replace the session: taken as unchanged, and the plan says why', () => {
    const p = planOf(desired(), seen(r.specHash), r);
    expect(p.changes[0]!.action).toBe('noop');
    expect(p.warnings).toEqual([expect.objectContaining({ code: 'digest_key_changed' })]);
    expect(p.warnings[0]!.text).toContain('tmux_session.w.env.API_KEY');
    expect(p.warnings[0]!.text).not.toContain('sk-live');
  });
});

describe('a generated file holding a secret', () => {
  const content = 'TOKEN=sk-file\n';
  const d = resource('file', 'env', { path: '.env', content, mode: '0600' }, [], { sensitive: ['content'] });
  const o: Observed = { kind: 'file', address: 'file.env', attributes: { path: '.env', content, mode: '0600', sha256: sha256Text(content), editedOutside: false } };

  test.each([
    ['recorded unkeyed (an old store)', legacyDigest(content)],
    ['recorded keyed', testDigests.digest(content)],
  ])('%s: unchanged on disk plans no change', (_name, digest) => {
    const r: Recorded = { kind: 'file', address: 'file.env', attributes: { path: '.env', content: digest, mode: '0600' }, dependsOn: [], specHash: 'x' };
    const p = plan({ desired: [d], observed: [o], recorded: [r], specs: { file: fileSpec }, manifest: { path: 'm', hash: 'h' }, now: 'now', digests: testDigests });
    expect(p.changes[0]!.action).toBe('noop');
  });

  test('a hand edit is still seen against a keyed record', () => {
    const r: Recorded = { kind: 'file', address: 'file.env', attributes: { path: '.env', content: testDigests.digest(content), mode: '0600' }, dependsOn: [], specHash: 'x' };
    const edited: Observed = { ...o, attributes: { ...o.attributes, content: 'TOKEN=other\n' } };
    const p = plan({ desired: [d], observed: [edited], recorded: [r], specs: { file: fileSpec }, manifest: { path: 'm', hash: 'h' }, now: 'now', digests: testDigests });
    expect(p.changes[0]!.reasons.map((x) => x.code)).toEqual(['edited_outside']);
  });
});
