/** Atomic file writes (a synced temp file in the same folder, renamed over), for generated files and
 *  the observation cache. */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Readers see the old file or the new one, never half of it; a failure leaves no temp file. */
export function writeAtomic(abs: string, content: string, mode = 0o644): void {
  const dir = path.dirname(abs);
  mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(abs)}.gaia-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, content);
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
