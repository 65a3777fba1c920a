/** Paths from the manifest stay inside the project root — also through symlinks. Validation already
 *  refuses `..` and absolute paths; a symlink (`envs -> /etc`) can only be seen on the disk, so every
 *  provider resolves a path here, at the edge, right before reading or writing it. */
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** The root's own real path, once per process: observe asks for every file and database. */
const realRoots = new Map<string, string>();

export type Inside = { readonly ok: true; readonly abs: string } | { readonly ok: false; readonly error: string };

const within = (root: string, p: string) => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
};

/** The absolute path of `rel` (relative to `root`), unless it or a folder on its way leads outside the
 *  root: lexically (`..`), or because the nearest part of it that exists resolves (symlinks followed)
 *  to a place outside the root's own real path. A dangling symlink on the way is refused too. */
export function resolveInside(root: string, rel: string): Inside {
  const abs = path.resolve(root, rel);
  if (!within(root, abs)) return { ok: false, error: `${rel} leads outside the project root; gaia will not touch it` };
  let realRoot = realRoots.get(root);
  if (realRoot === undefined) {
    try {
      realRoot = realpathSync.native(root);
    } catch (e) {
      return { ok: false, error: `cannot resolve the project root ${root}: ${(e as Error).message}` };
    }
    realRoots.set(root, realRoot);
  }
  // Usually the path exists: one realpath (libc's, not node's component-by-component walk) settles it.
  try {
    const real = realpathSync.native(abs);
    if (within(realRoot, real)) return { ok: true, abs };
  } catch {
    // Missing, or a dangling symlink on the way: the walk below tells which.
  }
  // The longest existing prefix of the path (the path itself when it exists; a symlink counts as existing).
  let existing = abs;
  for (;;) {
    try {
      lstatSync(existing);
      break;
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  let real: string;
  try {
    real = realpathSync.native(existing);
  } catch {
    return { ok: false, error: `${rel}: ${path.relative(root, existing) || '.'} is a symlink that leads nowhere; gaia will not follow it` };
  }
  if (!within(realRoot, real)) {
    const link = firstLinkOutside(root, realRoot, existing);
    return { ok: false, error: `${rel} leads outside the project root through the symlink ${link} (→ ${real}); gaia will not touch it` };
  }
  return { ok: true, abs };
}

/** The first folder or file on the way from the root to `existing` that is a symlink resolving outside
 *  the root: the one to name in the message. */
function firstLinkOutside(root: string, realRoot: string, existing: string): string {
  const parts = path.relative(root, existing).split(path.sep);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = path.join(root, ...parts.slice(0, i));
    try {
      if (lstatSync(prefix).isSymbolicLink() && !within(realRoot, realpathSync.native(prefix))) return parts.slice(0, i).join('/');
    } catch {
      break;
    }
  }
  return parts.join('/') || '.';
}

/** resolveInside for a batch of paths read in one go (an observation): each folder's real path is
 *  looked up once for the batch, and a path that is not itself a symlink costs one lstat. Only for
 *  the batch's own duration — a folder swapped for a symlink later is seen by the next batch. */
export function insideResolver(root: string): (rel: string) => Inside {
  const realDirs = new Map<string, string | null>();
  const realDir = (dir: string): string | null => {
    let real = realDirs.get(dir);
    if (real === undefined) {
      try {
        real = realpathSync.native(dir);
      } catch {
        real = null;
      }
      realDirs.set(dir, real);
    }
    return real;
  };
  return (rel) => {
    const abs = path.resolve(root, rel);
    const dir = realDir(path.dirname(abs));
    const realRoot = realRoots.get(root) ?? realDir(root);
    if (dir !== null && realRoot !== null && within(root, abs)) {
      try {
        if (!lstatSync(abs).isSymbolicLink() && within(realRoot, path.join(dir, path.basename(abs)))) return { ok: true, abs };
      } catch {
        // Missing: the full walk below says whether its folders stay inside.
      }
    }
    return resolveInside(root, rel);
  };
}
