/** Write generated files atomically (write-atomic.ts) and delete them. */
import { assertNever, type Change } from '../../core/plan.js';
import type { ApplyContext, ChangeOutcome } from '../provider.js';
import { writeFailure } from '../fs-errors.js';
import type { HostFiles } from '../../host/host.js';
import { type FileDesired, modeBits, readFileAttributes } from './attributes.js';

function existingContent(files: HostFiles, abs: string): string | undefined {
  try {
    return files.readText(abs);
  } catch {
    return undefined;
  }
}

function write(ctx: ApplyContext, want: FileDesired, guardUnowned: boolean): ChangeOutcome | undefined {
  const bits = modeBits(want.mode);
  if (bits === undefined) return { status: 'failed', error: `mode ${want.mode} of ${want.path} is not an octal mode like 0644` };
  const files = ctx.host.files;
  const inside = files.resolveInside(ctx.root, want.path);
  if (!inside.ok) return { status: 'failed', error: inside.error };
  const abs = inside.abs;
  if (guardUnowned) {
    const there = existingContent(files, abs);
    if (there !== undefined && there !== want.content) {
      return { status: 'failed', error: `${want.path} exists and differs; gaia did not write it` };
    }
  }
  files.writeInside(files.realRoot(ctx.root), abs, want.content, bits);
  return undefined;
}

/** Only a file inside the root; one whose path now leads outside (a symlink put in since) is left alone. */
function remove(ctx: ApplyContext, relPath: string): ChangeOutcome | undefined {
  const files = ctx.host.files;
  const inside = files.resolveInside(ctx.root, relPath);
  if (!inside.ok) return { status: 'failed', error: inside.error };
  files.removeFile(inside.abs);
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
