import { createHash } from 'node:crypto';
import type { Json } from './resource.js';

/** JSON with object keys sorted, so equal values always serialise (and hash) the same.
 *  Built by appending to one string (no per-level arrays, maps and joins): a plan hashes every
 *  resource, 8,000 of them at 500 environments. */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as { readonly [key: string]: Json | undefined };
  let out = '{';
  let first = true;
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

export function hashOf(value: Json | undefined, length = 16): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

/** A hash of many short lines, fed to the hash one by one: for records whose shape is fixed, so no
 *  object has to be built and serialised whole first (a plan's fingerprint covers 8,000 changes). */
export function hashOfLines(lines: Iterable<string>, length = 16): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex').slice(0, length);
}
