/** The project's digest key (`.gaia/digest.key`): 32 random bytes, as hex, mode 0600, that key the
 *  digests of sensitive values (core/digest.ts). Never printed, never in the store or its backups. */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { realRootOf, writeInside } from '../host/local/write-atomic.js';
import { keyedDigests, type Digests } from '../core/digest.js';

const KEY_BYTES = 32;
const KEY_TEXT = /^([0-9a-f]{64})\n?$/;

export const digestKeyPath = (root: string): string => join(root, '.gaia', 'digest.key');

/** The key file cannot be read or made, or holds no key: for the user to fix, not a bug. */
export class DigestKeyUnavailable extends Error {
  constructor(readonly path: string, reason: string, readonly hint: string) {
    super(`cannot use the digest key ${path}: ${reason}`);
  }
}

/** The key, made on first use. Two first runs at once agree: each writes a whole key to a temp file of
 *  its own and links it to the name (link fails if the name exists); the loser reads the winner's, so
 *  no reader ever sees a half-written key. Written through a held folder inside the root (writeInside). */
export function projectDigests(root: string): Digests {
  return keyedDigests(readOrCreateKey(root, digestKeyPath(root)));
}

export function readOrCreateKey(root: string, path: string): Buffer {
  try {
    const existing = readKey(path);
    if (existing) return existing;
    try {
      writeInside(realRootOf(root), path, `${randomBytes(KEY_BYTES).toString('hex')}\n`, 0o600, { noClobber: true, folderMode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } catch (error) {
    if (error instanceof DigestKeyUnavailable) throw error;
    throw new DigestKeyUnavailable(path, (error as Error).message, 'make the project folder writable for gaia (it keeps .gaia/ there)');
  }
  const key = readKey(path);
  if (!key) throw new DigestKeyUnavailable(path, 'it vanished while gaia made it', 'run the command again');
  return key;
}

/** The key in the file, or undefined when there is no file. Never through a symlink. */
function readKey(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw damaged(path, 'it is a symbolic link');
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw damaged(path, 'it is not a regular file');
    if ((stat.mode & 0o077) !== 0) fchmodSync(fd, 0o600); // gaia's own file: others never read it
    const buffer = Buffer.alloc(128);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const hex = KEY_TEXT.exec(buffer.subarray(0, n).toString('latin1'))?.[1];
    if (!hex) throw damaged(path, 'it does not hold a key (64 hex digits)');
    return Buffer.from(hex, 'hex');
  } finally {
    closeSync(fd);
  }
}

const damaged = (path: string, reason: string) =>
  new DigestKeyUnavailable(path, reason, `move it away and run again: gaia makes a new key, and a plan then warns about sensitive values recorded with the old one (they are taken as unchanged until next replaced)`);
