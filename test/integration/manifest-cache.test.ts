/** The manifest parse cache (.gaia/cache/manifest-parses.json), on real files: a text seen before
 *  is answered from the cache; any edit is parsed afresh; problems found after a cached parse still
 *  point at their line; nothing is written where gaia has no .gaia folder; values JSON cannot carry
 *  exactly, and manifests holding a secret, are never kept. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadManifest } from '../../src/manifest/load.js';
import { holdsSecret, isPlainData } from '../../src/manifest/parse-cache.js';

let dir: string;
let file: string;
const cacheFile = () => path.join(dir, '.gaia', 'cache', 'manifest-parses.json');
const entries = (): Record<string, { key: string; value: { project?: string } }> => JSON.parse(readFileSync(cacheFile(), 'utf8')).entries;
const project = () => {
  const r = loadManifest(file);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.model.manifest.project;
};

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gaia-manifest-cache-'));
  file = path.join(dir, 'orchestration.yaml');
  mkdirSync(path.join(dir, '.gaia'));
  writeFileSync(file, 'version: 1\nproject: first\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a text seen before is answered from the cache; an edit is parsed again', () => {
  expect(project()).toBe('first');
  const data = JSON.parse(readFileSync(cacheFile(), 'utf8'));
  data.entries[file].value.project = 'planted';
  writeFileSync(cacheFile(), JSON.stringify(data));
  expect(project()).toBe('planted'); // proof the YAML was not parsed
  writeFileSync(file, 'version: 1\nproject: second\n');
  expect(project()).toBe('second');
  expect(entries()[file]!.value.project).toBe('second');
});

test('a problem found after a cached parse still has its line and column', () => {
  writeFileSync(file, 'version: 1\nproject: p\ngroups:\n  g:\n    names: [a]\n    colour: blue\n');
  const first = loadManifest(file);
  expect(entries()[file]).toBeDefined(); // the YAML was clean: its value is kept
  const second = loadManifest(file);
  expect(first.ok || second.ok).toBe(false);
  if (first.ok || second.ok) return;
  expect(second.errors).toEqual(first.errors);
  expect(second.errors[0]).toMatchObject({ line: 6, path: 'groups.g.colour' });
});

test('nothing is written where there is no .gaia folder, and a damaged cache is ignored', () => {
  rmSync(path.join(dir, '.gaia'), { recursive: true });
  expect(project()).toBe('first');
  expect(existsSync(path.join(dir, '.gaia'))).toBe(false);
  mkdirSync(path.join(dir, '.gaia', 'cache'), { recursive: true });
  writeFileSync(cacheFile(), '{ not json');
  expect(project()).toBe('first');
  expect(entries()[file]!.value.project).toBe('first');
});

test('only values JSON carries exactly are kept', () => {
  expect(isPlainData({ a: [1, 'x', true, null, { b: 2.5 }] })).toBe(true);
  for (const v of [Infinity, NaN, -0, { a: [Number.POSITIVE_INFINITY] }, JSON.parse('{"__proto__": 1}'), new Date(0), { m: new Map() }]) {
    expect(isPlainData(v)).toBe(false);
  }
  writeFileSync(file, 'version: 1\nproject: p\nsettings: { parallelism: .inf }\n');
  loadManifest(file);
  expect(existsSync(cacheFile())).toBe(false);
});

test('a manifest holding a secret inline is never kept (secrets stay out of gaia\'s files)', () => {
  expect(holdsSecret({ providers: { p: { vars: { K: { value: 'x', sensitive: true } } } } })).toBe(true);
  expect(holdsSecret({ providers: { p: { vars: { K: { fromEnv: 'K', sensitive: true }, L: 'plain' } } } })).toBe(false);
  writeFileSync(file, 'version: 1\nproject: p\nproviders:\n  p:\n    command: x\n    vars: { API_KEY: { value: hunter2-secret, sensitive: true } }\n');
  expect(project()).toBe('p');
  expect(existsSync(cacheFile())).toBe(false);
});
