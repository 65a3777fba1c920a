/** Every manifest in test/fixtures/bad-manifests is refused with exactly the errors its header names:
 *  `# expect: LINE:COL  path: message-substring`, one line per error, all reported in one load. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest, loadManifestText } from '../../src/manifest/load.js';

const DIR = 'test/fixtures/bad-manifests';
const EXPECT = /^# expect: (\d+):(\d+)\s+(.+?): (.+)$/;

interface Expected {
  readonly line: number;
  readonly col: number;
  readonly path: string;
  readonly message: string;
}

function expectations(text: string): Expected[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('# expect:'))
    .map((l) => {
      const m = EXPECT.exec(l);
      if (!m) throw new Error(`malformed expectation: ${l}`);
      return { line: Number(m[1]), col: Number(m[2]), path: m[3]!, message: m[4]! };
    });
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('bad manifests are refused with located, human errors', () => {
  it('has at least 35 fixtures, each with at least one expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
    for (const f of files) expect(expectations(readFileSync(join(DIR, f), 'utf8')).length).toBeGreaterThan(0);
  });

  it.each(files)('%s', (name) => {
    const file = join(DIR, name);
    const expected = expectations(readFileSync(file, 'utf8'));
    const result = loadManifest(file, { environ: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const got = result.errors.map((e) => `${e.line}:${e.col}  ${e.path}: ${e.message}`);
    // Same number of errors: one mistake gives one error, and every mistake is reported in the same run.
    expect(got).toHaveLength(expected.length);
    for (const x of expected) {
      const hit = result.errors.find((e) => e.line === x.line && e.col === x.col && e.path === x.path && e.message.includes(x.message));
      if (!hit) throw new Error(`expected ${x.line}:${x.col}  ${x.path}: ${x.message}\n  got:\n    ${got.join('\n    ')}`);
    }
    for (const e of result.errors) {
      expect(e.file).toBe(file);
      // No raw validator wording leaks through.
      expect(e.message).not.toMatch(/must NOT|must match pattern|must have required property|must match exactly one schema/);
    }
  });

  // How quickly these are refused is a figure of bench/manifest-load.mjs; expanding them would not end.
  it('refuses a billion-laughs alias bomb', () => {
    const result = loadManifest(join(DIR, '04-yaml-alias-bomb.yaml'), { environ: {} });
    expect(result.ok).toBe(false);
  });

  it('refuses brackets nested thousands deep before the YAML parser recurses into them', () => {
    const depth = 200_000;
    const text = `version: 1\nproject: x\nd: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const r = loadManifestText(text, 'deep.yaml', { environ: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/nest more than 100 levels/);
  });

  it('says "file not found" with a fix for a missing manifest, at line 0', () => {
    const result = loadManifest(join(DIR, 'no-such-file.yaml'));
    expect(result).toEqual({ ok: false, errors: [expect.objectContaining({ line: 0, message: 'file not found', fix: expect.stringContaining('-f FILE') })] });
  });
});
