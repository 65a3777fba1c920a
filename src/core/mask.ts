/** Sensitive attribute values are never shown or stored in clear. Pure: no I/O. */
import { hashOf } from './hash.js';
import type { Attributes, Json } from './resource.js';

const MASKED = /^sensitive:[0-9a-f]+$/;

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
  let out: Attributes = attributes;
  for (const path of paths) out = maskAt(out, path.split('.'), replacement) as Attributes;
  return out;
}

/** `sensitive:<hash>`: a change of the value still changes the attributes, without keeping it. */
export function sensitiveDigest(value: Json): string {
  return `sensitive:${hashOf(value)}`;
}

export function isMasked(value: Json | undefined): boolean {
  return typeof value === 'string' && MASKED.test(value);
}

/** Mask with digests; a value that is already a digest is kept, so masking twice changes nothing. */
export function maskWithDigest(attributes: Attributes, paths: readonly string[]): Attributes {
  return maskSensitive(attributes, paths, (value) => (isMasked(value) ? (value as string) : sensitiveDigest(value)));
}

function maskAt(value: Json, segments: readonly string[], replacement: (value: Json) => string): Json {
  const [head, ...rest] = segments;
  if (head === undefined) return replacement(value);
  if (Array.isArray(value)) {
    const items = value as readonly Json[];
    const hit = (i: number): boolean => head === '*' || String(i) === head;
    if (!items.some((_, i) => hit(i))) return value;
    return items.map((item, i) => (hit(i) ? maskAt(item, rest, replacement) : item));
  }
  if (value === null || typeof value !== 'object') return value; // the path runs past a scalar
  const obj = value as { readonly [key: string]: Json };
  const keys = head === '*' ? Object.keys(obj) : Object.hasOwn(obj, head) ? [head] : [];
  if (keys.length === 0) return value;
  const copy: { [key: string]: Json } = { ...obj };
  for (const key of keys) {
    const child = obj[key];
    if (child !== undefined) copy[key] = maskAt(child, rest, replacement);
  }
  return copy;
}
