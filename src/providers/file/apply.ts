/** Write files atomically (a temp file in the same folder, then rename) and delete them. */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { assertNever, type Change } from '../../core/plan.js';
import type { ApplyContext, ChangeOutcome } from '../provider.js';
import { writeFailure } from '../fs-errors.js';
import { resolveInside } from '../inside-root.js';
import { type FileDesired, modeBits, readFileAttributes } from './attributes.js';

/** Readers see the old file or the new one, never half of it; a failure leaves no temp file. */
export function writeAtomic(abs: string, content: string, mode: number): void {
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

function existingContent(abs: string): string | undefined {
  try {
    return readFileSync(abs, 'utf8');
  } catch {
    return undefined;
  }
}

function write(ctx: ApplyContext, want: FileDesired, guardUnowned: boolean): ChangeOutcome | undefined {
  const bits = modeBits(want.mode);
  if (bits === undefined) return { status: 'failed', error: `mode ${want.mode} of ${want.path} is not an octal mode like 0644` };
  const inside = resolveInside(ctx.root, want.path);
  if (!inside.ok) return { status: 'failed', error: inside.error };
  const abs = inside.abs;
  if (guardUnowned) {
    const there = existingContent(abs);
    if (there !== undefined && there !== want.content) {
      return { status: 'failed', error: `${want.path} exists and differs; gaia did not write it` };
    }
  }
  writeAtomic(abs, want.content, bits);
  return undefined;
}

/** Only a file inside the root; one whose path now leads outside (a symlink put in since) is left alone. */
function remove(ctx: ApplyContext, relPath: string): ChangeOutcome | undefined {
  const inside = resolveInside(ctx.root, relPath);
  if (!inside.ok) return { status: 'failed', error: inside.error };
  rmSync(inside.abs, { force: true });
  return undefined;
}

function applyOne(change: Change, ctx: ApplyContext): ChangeOutcome {
  const done: ChangeOutcome = { status: 'done', attributes: change.after };
  switch (change.action) {
    case 'create':
    case 'update':
      return write(ctx, readFileAttributes(change.after ?? {}), change.action === 'create') ?? done;
    case 'replace': {
      // Only a path change replaces a file: write the new one first, so a failure keeps the old.
      const want = readFileAttributes(change.after ?? {});
      const failure = write(ctx, want, true);
      if (failure) return failure;
      const old = readFileAttributes(change.before ?? {}).path;
      return (old && old !== want.path ? remove(ctx, old) : undefined) ?? done;
    }
    case 'delete':
      return remove(ctx, readFileAttributes(change.before ?? {}).path) ?? { status: 'done' };
    case 'adopt':
    case 'noop':
      return done;
    default:
      return assertNever(change.action);
  }
}

export async function applyFiles(changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]> {
  return changes.map((change) => {
    try {
      return applyOne(change, ctx);
    } catch (err) {
      const rel = readFileAttributes(change.after ?? change.before ?? {}).path;
      return { status: 'failed', error: writeFailure(rel || change.address, err) };
    }
  });
}
