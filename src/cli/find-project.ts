/** Which manifest a command works on, from where it was run.
 *
 *  Without `-f`, gaia uses the nearest orchestration.yaml in the folder it runs in or above, as git
 *  finds its repository. An environment's worktree is a checkout of the project's repository, so
 *  it holds a copy of the manifest: that copy is never the project. When the manifest found (or
 *  named) sits in a linked git worktree that the manifest at the same place in the repository's
 *  main worktree lists as one of its environments, gaia works on that enclosing project (with a
 *  note), and refuses a copy named with `-f`, naming the project's manifest instead. */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { loadManifest } from '../manifest/load.js';
import { PLACEHOLDER_ENVIRON } from '../ops/reconcile-manifest.js';
import { UserError } from './errors.js';

export interface Located {
  /** The manifest to use, as a path that works from the current folder. */
  readonly file: string;
  /** Said on stderr when gaia works on another manifest than the one in this folder. */
  readonly note?: string;
}

/** `given` is -f's value; `named` is false when it is the default (no -f on the command line). */
export function locateManifest(given: string, named: boolean, cwd: string = process.cwd()): Located {
  const found = named ? given : nearest(given, cwd);
  if (found === undefined) return { file: given }; // loading it says "file not found", with the fix
  const enclosing = enclosingProject(resolve(cwd, found));
  if (!enclosing) return { file: found };
  const shown = relative(cwd, enclosing.manifest) || enclosing.manifest;
  const what = `${found} is the copy of the manifest in environment ${enclosing.env}'s worktree`;
  if (named) throw new UserError(`${what}, not a project of its own: its project is ${enclosing.manifest}`, `run gaia on the project: add -f ${shown} (or run it from ${dirname(enclosing.manifest)})`);
  return { file: shown, note: `gaia: in environment ${enclosing.env}'s worktree; using its project's manifest ${shown}` };
}

/** The nearest `name` in `cwd` or a folder above it, relative to `cwd` (just `name` when it is in `cwd`). */
function nearest(name: string, cwd: string): string | undefined {
  if (isAbsolute(name) || name.includes('/')) return existsSync(resolve(cwd, name)) ? name : undefined;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, name);
    if (isFile(candidate)) return dir === resolve(cwd) ? name : relative(cwd, candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** The project whose environment's worktree holds `manifest`, if any. */
function enclosingProject(manifest: string): { manifest: string; env: string } | undefined {
  const worktree = linkedWorktree(dirname(manifest));
  if (!worktree) return undefined;
  const outer = join(worktree.main, relative(worktree.root, manifest));
  if (!isFile(outer)) return undefined;
  const loaded = loadManifest(outer, { environ: PLACEHOLDER_ENVIRON });
  const here = real(worktree.root);
  const env = loaded.ok ? loaded.model.environments.find((e) => e.source === 'worktree' && real(resolve(loaded.model.root, e.path)) === here) : undefined;
  return env ? { manifest: outer, env: env.name } : undefined;
}

/** The linked worktree `dir` is in (its `.git` is a file naming `<common>/worktrees/<name>`), and the
 *  main worktree of its repository. */
function linkedWorktree(dir: string): { root: string; main: string } | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    if (existsSync(dotGit)) {
      if (isFile(dotGit)) {
        const m = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
        if (!m) return undefined;
        const gitdir = resolve(d, m[1]!.trim());
        if (basename(dirname(gitdir)) !== 'worktrees') return undefined; // a submodule, not a worktree
        const common = dirname(dirname(gitdir));
        return basename(common) === '.git' ? { root: d, main: dirname(common) } : undefined;
      }
      return undefined; // a main worktree: the project itself
    }
    if (dirname(d) === d) return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
