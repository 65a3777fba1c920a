import { isMasked, maskSensitive, maskWithDigest, sensitiveDigest } from '../../src/core/mask.js';
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
  test('a digest hides the value but changes when the value changes', () => {
    const a = maskWithDigest({ env: { API_KEY: 'sk-1' } }, ['env.API_KEY']);
    const b = maskWithDigest({ env: { API_KEY: 'sk-2' } }, ['env.API_KEY']);
    const key = (x: Attributes): Json | undefined => (x.env as { [k: string]: Json }).API_KEY;
    expect(key(a)).toMatch(/^sensitive:[0-9a-f]{16}$/);
    expect(JSON.stringify(a)).not.toContain('sk-1');
    expect(key(a)).not.toEqual(key(b));
    expect(key(a)).toEqual(sensitiveDigest('sk-1'));
  });

  test('masking twice gives the same result (an already-masked value is kept)', () => {
    const once = maskWithDigest({ token: 'abc' }, ['token']);
    expect(maskWithDigest(once, ['token'])).toEqual(once);
  });

  test.each<[Json | undefined, boolean]>([
    [sensitiveDigest('x'), true],
    ['sensitive:', false],
    ['sensitive:XYZ', false],
    ['plain', false],
    [42, false],
    [undefined, false],
  ])('isMasked(%p) is %p', (value, expected) => {
    expect(isMasked(value)).toBe(expected);
  });
});
