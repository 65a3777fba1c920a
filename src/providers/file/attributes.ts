/** A generated file's attributes, and readers that turn loose JSON into them. */
import { createHash } from 'node:crypto';
import { digestMatch, isDigest, type Digests } from '../../core/digest.js';
import type { Attributes } from '../../core/resource.js';

export const FILE_KIND = 'file';
export const DEFAULT_MODE = '0644';

export type FileDesired = {
  /** Relative to the project root. */
  readonly path: string;
  readonly content: string;
  /** Octal permission bits as text: `0644`. */
  readonly mode: string;
};

export type FileObserved = FileDesired & {
  /** Hex sha256 of the bytes on disk. */
  readonly sha256: string;
  /** The bytes differ from what gaia last wrote; null when gaia never wrote it. */
  readonly editedOutside: boolean | null;
};

const str = (v: Attributes[string] | undefined, fallback = ''): string => (typeof v === 'string' ? v : fallback);

export function readFileAttributes(a: Attributes): FileDesired {
  return { path: str(a.path), content: str(a.content), mode: normaliseMode(str(a.mode, DEFAULT_MODE)) };
}

export function readFileObserved(a: Attributes): FileObserved {
  return {
    ...readFileAttributes(a),
    sha256: str(a.sha256),
    editedOutside: typeof a.editedOutside === 'boolean' ? a.editedOutside : null,
  };
}

/** `644`, `0644` and `0o644` all mean the same bits; print them one way. */
export function normaliseMode(mode: string): string {
  const digits = mode.replace(/^0o/i, '');
  return /^[0-7]{3,4}$/.test(digits) ? digits.padStart(4, '0') : mode;
}

export function modeBits(mode: string): number | undefined {
  const m = normaliseMode(mode);
  return /^[0-7]{4}$/.test(m) ? parseInt(m, 8) : undefined;
}

export function sha256Text(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Whether the bytes on disk are `content`, which is either text or, for a file holding a sensitive
 *  value, the digest the planner and the state store keep instead. A digest made with a lost key
 *  cannot say: taken as the same (the plan warns). */
export function sameContent(content: string, onDisk: string, digests: Digests | undefined): boolean {
  return isDigest(content) ? digestMatch(content, onDisk, digests) !== 'differs' : content === onDisk;
}
