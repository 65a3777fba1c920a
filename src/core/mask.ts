/** Sensitive attribute values are never shown or stored in clear. Pure: no I/O. */
import { digestMatch, isDigest, type Digests } from './digest.js';
import type { Attributes, Json } from './resource.js';

/**
 * A copy of `attributes` with the value at each dotted path (`env.API_KEY`) replaced by
 * `replacement(value)`. A `*` segment matches every key or element; a number indexes an
 * array. Paths that lead nowhere are ignored. Branches not on a path are shared, not copied.
 */
export function maskSensitive(
  attributes: Attributes,
  paths: readonly string[],
  replacement: (value: Json) => string,
): Attributes {
  return maskAgainstPrior(attributes, paths, undefined, (value) => replacement(value));
}

export function isMasked(value: Json | undefined): boolean {
  return isDigest(value);
}

/** What the store's last-resort masking writes for a value nobody digested: it matches no value, so
 *  the thing shows as changed once rather than the value being kept. */
export const UNMATCHABLE_DIGEST = 'sensitive:0000000000000000';

/**
 * Mask with keyed digests; a value that is already a digest is kept, so masking twice changes nothing.
 * With `prior` (the attributes as recorded), a recorded digest is kept where it still stands for the
 * value — an unkeyed one from a store made before keys, so an old store plans no change — or where it
 * was made with another key and cannot be checked (`unverifiable` is told its path).
 */
export function maskWithDigest(
  attributes: Attributes,
  paths: readonly string[],
  digests: Digests,
  prior?: Attributes,
  unverifiable?: (path: string) => void,
): Attributes {
  return maskAgainstPrior(attributes, paths, prior, (value, was, at) => {
    if (isMasked(value)) return value as string;
    if (isDigest(was)) {
      const match = digestMatch(was, value, digests);
      if (match === 'same') return was;
      if (match === 'unknown') {
        unverifiable?.(at);
        return was;
      }
    }
    return digests.digest(value);
  });
}

type Replace = (value: Json, prior: Json | undefined, path: string) => string;

function maskAgainstPrior(attributes: Attributes, paths: readonly string[], prior: Attributes | undefined, replacement: Replace): Attributes {
  let out: Attributes = attributes;
  for (const path of paths) out = maskAt(out, prior, path.split('.'), [], replacement) as Attributes;
  return out;
}

function maskAt(value: Json, prior: Json | undefined, segments: readonly string[], at: readonly string[], replacement: Replace): Json {
  const [head, ...rest] = segments;
  if (head === undefined) return replacement(value, prior, at.join('.'));
  if (Array.isArray(value)) {
    const items = value as readonly Json[];
    const was = Array.isArray(prior) ? (prior as readonly Json[]) : [];
    const hit = (i: number): boolean => head === '*' || String(i) === head;
    if (!items.some((_, i) => hit(i))) return value;
    return items.map((item, i) => (hit(i) ? maskAt(item, was[i], rest, [...at, String(i)], replacement) : item));
  }
  if (value === null || typeof value !== 'object') return value; // the path runs past a scalar
  const obj = value as { readonly [key: string]: Json };
  const was = prior !== null && typeof prior === 'object' && !Array.isArray(prior) ? (prior as { readonly [key: string]: Json }) : {};
  const keys = head === '*' ? Object.keys(obj) : Object.hasOwn(obj, head) ? [head] : [];
  if (keys.length === 0) return value;
  const copy: { [key: string]: Json } = { ...obj };
  for (const key of keys) {
    const child = obj[key];
    if (child !== undefined) copy[key] = maskAt(child, Object.hasOwn(was, key) ? was[key] : undefined, rest, [...at, key], replacement);
  }
  return copy;
}
