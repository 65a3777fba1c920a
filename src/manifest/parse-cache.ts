/** The parsed value of a manifest text seen before. Parsing the 3 KB reference manifest costs
 *  ~15 ms of every command (the YAML library's code runs cold in a short-lived process); reading
 *  the value back as JSON costs well under 1 ms. Keyed by the SHA-256 of the text itself, so any
 *  edit misses; only clean parses whose value JSON carries exactly (plain data) are kept, and never
 *  a manifest holding a secret inline (`{ value, sensitive }`): secrets stay out of every file gaia
 *  writes. Line and column of a later problem (schema, expansion) come from parsing the text again,
 *  on demand.
 *
 *  The cache lives in `.gaia/cache/` beside the manifest and is written only where that `.gaia/`
 *  already exists (gaia has applied there): validating a manifest elsewhere leaves nothing behind. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { localFiles } from '../host/local/local-host.js';
import { readCacheEntries, writeCacheEntries } from '../providers/cache-file.js';
import { parseManifestText, type Parsed } from './parse.js';

/** Bump when parseManifestText's options or the value's shape change. */
const FORMAT = 1;
const FILE = 'manifest-parses.json';
/** Manifests remembered per project folder (orchestration.yaml, a quickstart, a test one…). */
const MAX_ENTRIES = 8;

type Entry = { readonly key: string; readonly value: unknown };

export function parseManifestCached(text: string, file: string): Parsed {
  const abs = path.resolve(file);
  const gaiaDir = path.join(path.dirname(abs), '.gaia');
  const cacheFile = path.join(gaiaDir, 'cache', FILE);
  const key = createHash('sha256').update(`${FORMAT}\n${text}`).digest('hex');
  const entries = readCacheEntries<Entry>(localFiles, cacheFile, FORMAT);
  const hit = entries[abs];
  if (hit?.key === key) {
    let full: Parsed | undefined;
    return { file, value: hit.value, errors: [], locate: (p, at) => (full ??= parseManifestText(text, file)).locate(p, at) };
  }
  const parsed = parseManifestText(text, file);
  if (parsed.errors.length === 0 && isPlainData(parsed.value) && !holdsSecret(parsed.value) && existsSync(gaiaDir)) {
    const kept = Object.entries(entries).filter(([f]) => f !== abs).slice(-(MAX_ENTRIES - 1));
    writeCacheEntries(localFiles, cacheFile, FORMAT, Object.fromEntries([...kept, [abs, { key, value: parsed.value }]]), path.dirname(abs));
  }
  return parsed;
}

/** True when JSON.stringify then JSON.parse gives back an equal value: no Infinity/NaN/-0 (YAML's
 *  .inf, .nan), no __proto__ key (JSON.parse would make it a plain property), nothing but plain data. */
export function isPlainData(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(isPlainData);
  if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.entries(v).every(([k, x]) => k !== '__proto__' && isPlainData(x));
}

/** A value marked sensitive written in the manifest itself (any object with both `sensitive` and
 *  `value`, valid or not: the check is wider than the schema on purpose). */
export function holdsSecret(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(holdsSecret);
  if (v === null || typeof v !== 'object') return false;
  if ('sensitive' in v && 'value' in v) return true;
  return Object.values(v).some(holdsSecret);
}
