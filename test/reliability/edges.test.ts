/** The small guards the suite added at gaia's edges, each pinned by a table: paths resolved inside the
 *  root through symlinks, secrets scrubbed in every printed form, counts and sizes refused before they
 *  cost anything, duplicate keys found in one pass. */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { insideResolver, resolveInside } from '../../src/host/local/inside-root.js';
import { redact, redactFields, secretsOf } from '../../src/engine/redact.js';
import { loadManifestText } from '../../src/manifest/load.js';
import { MAX_COUNT } from '../../src/manifest/limits.js';
import type { Change } from '../../src/core/plan.js';
import { removeTree } from './support.js';

describe('resolveInside: a path stays inside the project root, symlinks followed', () => {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gaia-root-')));
  const outside = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gaia-outside-')));
  mkdirSync(path.join(root, 'real/deeper'), { recursive: true });
  writeFileSync(path.join(outside, 'target.txt'), 'x');
  writeFileSync(path.join(root, 'real/deeper/here.txt'), 'x');
  symlinkSync(outside, path.join(root, 'out'));
  symlinkSync(path.join(root, 'real'), path.join(root, 'in'));
  symlinkSync(path.join(outside, 'target.txt'), path.join(root, 'real/file-link'));
  symlinkSync('/nonexistent/nowhere', path.join(root, 'dangling'));
  afterAll(() => {
    removeTree(root);
    removeTree(outside);
  });

  // The batch resolver (observation) must decide exactly as resolveInside does.
  const batch = insideResolver(root);
  it.each([
    ['a plain new path', 'envs/dev1/data/dev.db', true],
    ['an existing file', 'real/deeper/here.txt', true],
    ['an existing file through a symlink to a folder inside', 'in/deeper/here.txt', true],
    ['an existing file through a symlink to a folder outside', 'out/target.txt', false],
    ['through a symlink to a folder inside', 'in/deeper/new.txt', true],
    ['the root itself', '.', true],
    ['through a symlink to a folder outside', 'out/new/file.txt', false],
    ['a symlink to a file outside, as the path itself', 'real/file-link', false],
    ['through a dangling symlink', 'dangling/x', false],
    ['up and out lexically', '../elsewhere', false],
    ['up and back in lexically', 'real/../real/x', true],
  ])('%s (%s): %s', (_what, rel, ok) => {
    for (const r of [resolveInside(root, rel), batch(rel), batch(rel)]) {
      expect(r.ok).toBe(ok);
      if (r.ok) expect(r.abs).toBe(path.resolve(root, rel));
      else expect(r.error).toMatch(/outside the project root|leads nowhere/);
    }
  });

  it('names the symlink that leads out, not the file behind it', () => {
    const r = resolveInside(root, 'out/target.txt');
    expect(r).toEqual({ ok: false, error: expect.stringContaining('through the symlink out (→') });
  });
});

describe('secrets are scrubbed in every form a message prints them', () => {
  const change: Change = {
    kind: 'tmux_session', address: 'tmux_session.a', action: 'create', reasons: [], diffs: [], dependsOn: [], hazards: [],
    after: { name: 'a', env: { KEY: `it's "x"\\y`, OTHER: 'public' } }, sensitive: ['env.KEY'],
  };
  const secrets = secretsOf([change]);

  it.each([
    ['as is', `-e KEY=it's "x"\\y`],
    ['shell-quoted for display', `'-e' 'KEY=it'\\''s "x"\\y'`],
    ['JSON-escaped', JSON.stringify({ env: `KEY=it's "x"\\y` })],
  ])('%s', (_form, text) => {
    const out = redact(text, secrets);
    expect(out).toContain('(sensitive)');
    expect(out).not.toMatch(/it's|it'\\''s|\\"x\\"|"x"/);
  });

  it('leaves values that are not sensitive, and scrubs a whole step record', () => {
    expect(redact('OTHER=public', secrets)).toBe('OTHER=public');
    const step = redactFields({ error: `failed: KEY=it's "x"\\y`, argv: ['tmux', `KEY=it's "x"\\y`], stderr: 'no', notes: [] }, secrets);
    expect(step).toEqual({ error: 'failed: KEY=(sensitive)', argv: ['tmux', 'KEY=(sensitive)'], stderr: 'no', notes: [] });
  });
});

describe('manifests too large to be honest are refused before they cost anything', () => {
  // How long each refusal takes is a figure of bench/manifest-load.mjs, not a bound here: a timed
  // test fails on a loaded machine. An expansion of a billion resources would not end within jest's timeout.
  const load = (text: string) => ({ r: loadManifestText(text, 'big.yaml', { environ: {} }) });

  it.each([
    ['environments', `environments: { count: ${MAX_COUNT + 1}, name: "e{n}" }`, 'environments.count'],
    ['environments (.inf)', 'environments: { count: .inf, name: "e{n}" }', 'environments.count'],
    ['a group', `groups: { g: { count: 1000000000, command: bash } }`, 'groups.g.count'],
    ['a group (1e400)', 'groups: { g: { count: 1e400, command: bash } }', 'groups.g.count'],
  ])('a count for %s past the limit: a located error at once', (_what, body, at) => {
    const { r } = load(`version: 1\nproject: x\n${body}\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([expect.objectContaining({ line: 3, path: at, message: expect.stringMatching(/count .* (is more than gaia expands|is not a whole number)/) })]);
  });

  it('a file over 256 KB is refused by its size', () => {
    const { r } = load(`version: 1\nproject: x\n# ${'x'.repeat(300 * 1024)}\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/manifests are limited to 262144/);
  });

  it('thousands of keys are checked for duplicates in one pass, and only the first few are reported', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  k${i}: 1`).join('\n');
    const unique = load(`version: 1\nproject: x\nfiles:\n${keys}\n`);
    expect(unique.r.ok ? [] : unique.r.errors.map((e) => e.message)).not.toContainEqual(expect.stringMatching(/appears twice/));
    const dup = load(`version: 1\nproject: x\n${'a: 1\n'.repeat(30_000)}`);
    expect(dup.r.ok).toBe(false);
    if (!dup.r.ok) {
      expect(dup.r.errors).toHaveLength(20);
      expect(dup.r.errors[0]).toEqual(expect.objectContaining({ line: 4, col: 1, message: 'YAML syntax: key "a" appears twice in the same mapping (first at 3:1)' }));
    }
  });
});
