/** Atomic file writes (a synced temp file in the same folder, renamed over), and writes inside the
 *  project root that no folder-for-symlink swap can redirect: generated files, database files made
 *  or restored by gaia, backups, caches. */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, readlinkSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Readers see the old file or the new one, never half of it; a failure leaves no temp file. */
export function writeAtomic(abs: string, content: string | Uint8Array, mode = 0o644): void {
  const dir = path.dirname(abs);
  mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, tempName(path.basename(abs)));
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeAll(fd, content);
      fchmodSync(fd, mode); // the umask may have narrowed the mode given to open
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, abs);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** All of it: one write(2) may take less than it was given (a database image of many MB). */
function writeAll(fd: number, content: string | Uint8Array): void {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

const tempName = (name: string) => `.${name}.gaia-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;

/** The real path of a directory this process holds (its working folder) or of an open file. */
const heldPath = (link: string): string => readlinkSync(link);

const isInside = (realRoot: string, p: string) => p === realRoot || p.startsWith(`${realRoot}${path.sep}`);

/** A folder that is, or leads, outside the root: nothing was written there. */
export class OutsideRoot extends Error {}

/**
 * Runs `fn` with the process's working folder held at `dir` (made first if missing), a folder whose
 * real path is inside `realRoot`; `fn` works with bare names, which resolve against the held folder
 * whatever its path names by then. Node has no openat/mkdirat/renameat: the working folder is the
 * held directory descriptor. Missing folders are made one at a time, each by bare name in its held
 * parent and entered and checked before the next, so a swap on the way cannot make one outside
 * either. `fn` gets `stillInside()`: false when the held folder was moved out of the root meanwhile
 * (the caller takes back what it wrote). Synchronous on purpose: no other JavaScript runs while the
 * working folder is borrowed. Linux (needs /proc).
 */
export function inHeldFolder<T>(realRoot: string, dir: string, fn: (stillInside: () => boolean) => T, folderMode = 0o777): T {
  const before = process.cwd();
  const enter = (where: string) => {
    process.chdir(where);
    const held = heldPath('/proc/self/cwd');
    if (!isInside(realRoot, held)) throw new OutsideRoot(`${dir} leads outside the project root (to ${held}); gaia will not write there`);
  };
  const missing: string[] = [];
  let existing = path.resolve(dir);
  while (!existsSync(existing) && path.dirname(existing) !== existing) {
    missing.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  try {
    enter(existing);
    for (const name of missing) {
      try {
        mkdirSync(name, folderMode);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      enter(name);
    }
    return fn(() => isInside(realRoot, heldPath('/proc/self/cwd')));
  } finally {
    process.chdir(before);
  }
}

/** The real path of the project root (what held folders are checked against). */
export function realRootOf(root: string): string {
  return realpathSync.native(root);
}

/** writeAtomic for a path inside the project root that no concurrent folder-for-symlink swap can
 *  redirect: in the held folder (inHeldFolder), the temp file is made with O_EXCL|O_NOFOLLOW and
 *  renamed by bare names. A folder moved out of the root meanwhile is seen after the rename, and the
 *  file taken back. */
export interface WriteInsideOptions {
  /** Never replace an existing file (link, not rename): EEXIST instead. */
  readonly noClobber?: boolean;
  /** The mode of folders made on the way (the umask narrows it). */
  readonly folderMode?: number;
}

export function writeInside(realRoot: string, abs: string, content: string | Uint8Array, mode = 0o644, options: WriteInsideOptions = {}): void {
  const dir = path.dirname(abs);
  const name = path.basename(abs);
  const temp = tempName(name);
  inHeldFolder(realRoot, dir, (stillInside) => {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    try {
      writeAll(fd, content);
      fchmodSync(fd, mode);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      rmSync(temp, { force: true });
      throw err;
    }
    closeSync(fd);
    try {
      if (options.noClobber) {
        linkSync(temp, name); // fails with EEXIST when the name is taken
        rmSync(temp, { force: true });
      } else renameSync(temp, name);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
    if (!stillInside()) {
      rmSync(name, { force: true });
      throw new OutsideRoot(`${dir} was moved outside the project root while gaia wrote ${name}; the file was taken back`);
    }
  }, options.folderMode);
}

/** Remove files by bare name in a held folder inside the root (a database and its -wal, -shm,
 *  -journal; old backups): a swapped folder cannot make gaia delete outside. A folder that no longer
 *  exists has nothing to remove. */
export function removeInside(realRoot: string, dir: string, names: readonly string[]): void {
  if (!existsSync(dir)) return;
  inHeldFolder(realRoot, dir, () => {
    for (const name of names) rmSync(name, { force: true });
  });
}
