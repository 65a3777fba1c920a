/** Digests of sensitive values: what the planner compares and the state store keeps instead of the
 *  value. Keyed (HMAC-SHA256 with the project's own random key, which the engine reads and passes in),
 *  so a copy of the store cannot be checked against a list of likely secrets. Pure: no I/O. */
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from './hash.js';
import type { Json } from './resource.js';

export interface Digests {
  /** Names the key without revealing it: digests made with another key are told apart, not mistaken for changes. */
  readonly keyId: string;
  /** `sensitive:hmac:<key id>:<32 hex>` */
  digest(value: Json): string;
}

/** Before digests were keyed: `sensitive:<16 hex of sha256>`. Still read (old stores), never written. */
const LEGACY = /^sensitive:[0-9a-f]{16}$/;
const KEYED = /^sensitive:hmac:([0-9a-f]{8}):[0-9a-f]{32}$/;

export function keyedDigests(key: Uint8Array): Digests {
  if (key.length < 32) throw new Error(`a digest key has 32 bytes or more, not ${key.length}`);
  const mac = (text: string) => createHmac('sha256', key).update(text).digest('hex');
  const keyId = mac('gaia digest key id').slice(0, 8);
  return { keyId, digest: (value) => `sensitive:hmac:${keyId}:${mac(canonicalJson(value)).slice(0, 32)}` };
}

export function isDigest(value: Json | undefined): value is string {
  return typeof value === 'string' && (LEGACY.test(value) || KEYED.test(value));
}

/** The form of a store made before keyed digests. */
export function legacyDigest(value: Json): string {
  return `sensitive:${createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16)}`;
}

/** Whether `digest` was made from `value`. `unknown`: made with another key (the key file was lost or
 *  replaced), so nothing can be said either way. */
export type DigestMatch = 'same' | 'differs' | 'unknown';

export function digestMatch(digest: string, value: Json, digests: Digests | undefined): DigestMatch {
  if (LEGACY.test(digest)) return legacyDigest(value) === digest ? 'same' : 'differs';
  const keyed = KEYED.exec(digest);
  if (!keyed) return 'differs';
  if (!digests || keyed[1] !== digests.keyId) return 'unknown';
  return digests.digest(value) === digest ? 'same' : 'differs';
}

/** Whether a digest is one this key could have made (keyed with it). Old and foreign ones are not. */
export function isCurrent(digest: string, digests: Digests): boolean {
  return KEYED.exec(digest)?.[1] === digests.keyId;
}
