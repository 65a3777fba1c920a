import { createHash } from 'node:crypto';
import { digestMatch, keyedDigests, legacyDigest } from '../../src/core/digest.js';
import { isMasked, maskSensitive, maskWithDigest } from '../../src/core/mask.js';
import { testDigests } from '../helpers/digests.js';
import type { Attributes, Json } from '../../src/core/resource.js';

const star = (value: Json): string => `<${JSON.stringify(value)}>`;

describe('maskSensitive', () => {
  const attrs: Attributes = {
    command: 'claude',
    env: { API_KEY: 'sk-123', HOME_DIR: '/w', nested: { token: 't' } },
    args: ['--key', 'secret', '--verbose'],
    ports: [{ port: 8081, password: 'p1' }, { port: 8082, password: 'p2' }],
  };

  test.each<[string, readonly string[], Attributes]>([
    ['a dotted path replaces one nested value', ['env.API_KEY'], { ...attrs, env: { ...(attrs.env as object), API_KEY: '<"sk-123">' } }],
    ['a deeper path reaches nested objects', ['env.nested.token'], { ...attrs, env: { ...(attrs.env as object), nested: { token: '<"t">' } } }],
    ['a number indexes an array', ['args.1'], { ...attrs, args: ['--key', '<"secret">', '--verbose'] }],
    [
      'a star matches every element',
      ['ports.*.password'],
      { ...attrs, ports: [{ port: 8081, password: '<"p1">' }, { port: 8082, password: '<"p2">' }] },
    ],
    ['a path to an object replaces the whole object', ['env.nested'], { ...attrs, env: { ...(attrs.env as object), nested: '<{"token":"t"}>' } }],
    ['a top-level key is a one-segment path', ['command'], { ...attrs, command: '<"claude">' }],
    ['paths that lead nowhere change nothing', ['env.MISSING', 'command.length', 'args.9', 'nope.x'], attrs],
    ['no paths change nothing', [], attrs],
  ])('%s', (_name, paths, expected) => {
    expect(maskSensitive(attrs, paths, star)).toEqual(expected);
  });

  test('never mutates its input and shares branches off the path', () => {
    const frozen = JSON.parse(JSON.stringify(attrs)) as Attributes;
    const out = maskSensitive(attrs, ['env.API_KEY'], star);
    expect(attrs).toEqual(frozen);
    expect(out.ports).toBe(attrs.ports);
    expect(out.env).not.toBe(attrs.env);
  });

  test('hands the replacement the original value, including non-strings', () => {
    const seen: Json[] = [];
    maskSensitive({ n: 42, o: { a: [1] } }, ['n', 'o'], (v) => (seen.push(v), 'x'));
    expect(seen).toEqual([42, { a: [1] }]);
  });
});

describe('digest masking', () => {
  const key = (x: Attributes): Json | undefined => (x.env as { [k: string]: Json }).API_KEY;

  test('a digest hides the value but changes when the value changes', () => {
    const a = maskWithDigest({ env: { API_KEY: 'sk-1' } }, ['env.API_KEY'], testDigests);
    const b = maskWithDigest({ env: { API_KEY: 'sk-2' } }, ['env.API_KEY'], testDigests);
    expect(key(a)).toMatch(/^sensitive:hmac:[0-9a-f]{8}:[0-9a-f]{32}$/);
    expect(JSON.stringify(a)).not.toContain('sk-1');
    expect(key(a)).not.toEqual(key(b));
    expect(key(a)).toEqual(testDigests.digest('sk-1'));
  });

  test('masking twice gives the same result (an already-masked value is kept)', () => {
    const once = maskWithDigest({ token: 'abc' }, ['token'], testDigests);
    expect(maskWithDigest(once, ['token'], testDigests)).toEqual(once);
  });

  test('digests are keyed: another key gives another digest, and neither is the unkeyed sha256', () => {
    const other = keyedDigests(Buffer.alloc(32, 9));
    expect(other.digest('sk-1')).not.toEqual(testDigests.digest('sk-1'));
    expect(other.keyId).not.toEqual(testDigests.keyId);
    const mac = testDigests.digest('sk-1').split(':').at(-1)!;
    expect(createHash('sha256').update(JSON.stringify('sk-1')).digest('hex')).not.toContain(mac);
    expect(() => keyedDigests(Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  test.each<[string, Json, string | undefined, Json]>([
    ['an old unkeyed digest that still matches is kept (an old store plans no change)', 'sk-1', legacyDigest('sk-1'), legacyDigest('sk-1')],
    ['an old unkeyed digest of another value gives way to a keyed one', 'sk-2', legacyDigest('sk-1'), testDigests.digest('sk-2')],
    ['a keyed digest of this key that matches is kept', 'sk-1', testDigests.digest('sk-1'), testDigests.digest('sk-1')],
    ['a keyed digest of this key of another value is replaced', 'sk-2', testDigests.digest('sk-1'), testDigests.digest('sk-2')],
    ['no record: a keyed digest', 'sk-1', undefined, testDigests.digest('sk-1')],
  ])('against the record: %s', (_name, value, recorded, expected) => {
    const prior = recorded === undefined ? undefined : { env: { API_KEY: recorded } };
    expect(key(maskWithDigest({ env: { API_KEY: value } }, ['env.API_KEY'], testDigests, prior))).toEqual(expected);
  });

  test('a digest made with another key (a lost key file) is kept and reported, never taken for a change', () => {
    const lost = keyedDigests(Buffer.alloc(32, 1)).digest('whatever');
    const seen: string[] = [];
    const out = maskWithDigest({ env: { API_KEY: 'sk-1', B: 'x' } }, ['env.*'], testDigests, { env: { API_KEY: lost } }, (p) => seen.push(p));
    expect(key(out)).toEqual(lost);
    expect(seen).toEqual(['env.API_KEY']);
    expect(digestMatch(lost, 'sk-1', testDigests)).toBe('unknown');
    expect(digestMatch(legacyDigest('a'), 'a', testDigests)).toBe('same');
    expect(digestMatch(legacyDigest('a'), 'b', testDigests)).toBe('differs');
  });

  test.each<[Json | undefined, boolean]>([
    [testDigests.digest('x'), true],
    [legacyDigest('x'), true],
    ['sensitive:', false],
    ['sensitive:XYZ', false],
    ['sensitive:hmac:1234:abcd', false],
    ['plain', false],
    [42, false],
    [undefined, false],
  ])('isMasked(%p) is %p', (value, expected) => {
    expect(isMasked(value)).toBe(expected);
  });
});
