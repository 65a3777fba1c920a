/** A repository's git directory, and branch names resolved to commit ids in-process from its ref files (loose refs, then
 *  `packed-refs`), so status and observation do not start a git process just to learn where branches point.
 *  Anything it cannot be sure of (a tag of the same name, a symbolic ref, an expression such as
 *  `main~2`) is `unsure`, and the caller asks git. git 2.39 stores refs only this way (no reftable). */
import path from 'node:path';
import type { FileStat, HostFiles } from '../../host/host.js';

/** The git directory of a worktree or clone: `.git` is either that directory or a file pointing at it. */
export function gitDirOf(files: HostFiles, worktree: string): string | undefined {
  const dotGit = path.join(worktree, '.git');
  let stat: FileStat | undefined;
  try {
    stat = files.stat(dotGit);
  } catch {
    return undefined;
  }
  if (!stat) return undefined;
  if (stat.kind === 'folder') return dotGit;
  try {
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(files.readText(dotGit) ?? '');
    return m ? path.resolve(worktree, m[1]!) : undefined;
  } catch {
    return undefined;
  }
}

export type RefAnswer = { readonly kind: 'commit'; readonly sha: string } | { readonly kind: 'missing' } | { readonly kind: 'unsure' };

const SHA = /^[0-9a-f]{40}$/;
const PLAIN_NAME = /^[A-Za-z0-9._/-]+$/;

/** The directory holding a repository's shared refs (a linked worktree's `commondir`). */
function dirsOf(files: HostFiles, repo: string): { readonly gitDir: string; readonly common: string } | undefined {
  const gitDir = gitDirOf(files, repo);
  if (!gitDir) return undefined;
  const commondir = readOrUndefined(files, path.join(gitDir, 'commondir'));
  return { gitDir, common: commondir === undefined ? gitDir : path.resolve(gitDir, commondir.trim()) };
}

/** A file's text, or undefined when it cannot be read for any reason (the caller then asks git). */
function readOrUndefined(files: HostFiles, file: string): string | undefined {
  try {
    return files.readText(file);
  } catch {
    return undefined;
  }
}

export function parsePackedRefs(text: string): ReadonlyMap<string, string> {
  const refs = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    if (space > 0) refs.set(line.slice(space + 1), line.slice(0, space));
  }
  return refs;
}

export function resolveRefs(files: HostFiles, repo: string, names: readonly string[]): ReadonlyMap<string, RefAnswer> {
  const out = new Map<string, RefAnswer>();
  const dirs = dirsOf(files, repo);
  if (!dirs) {
    for (const n of names) out.set(n, { kind: 'unsure' });
    return out;
  }
  const { gitDir, common } = dirs;
  let packed: ReadonlyMap<string, string> | undefined;
  const packedRefs = () => {
    packed ??= parsePackedRefs(readOrUndefined(files, path.join(common, 'packed-refs')) ?? '');
    return packed;
  };
  /** sha, 'other' (exists but is not a plain commit id), or undefined (absent). */
  const read = (ref: string): string | 'other' | undefined => {
    let text: string | undefined;
    try {
      text = files.readText(path.join(common, ref));
    } catch {
      return 'other'; // there but unreadable (a folder, no permission): not ours to settle
    }
    if (text === undefined) return packedRefs().get(ref);
    const id = text.trim();
    return SHA.test(id) ? id : 'other';
  };
  for (const name of names) {
    if (!PLAIN_NAME.test(name) || name.includes('..') || /^[0-9a-f]{4,40}$/.test(name)) {
      out.set(name, { kind: 'unsure' });
      continue;
    }
    // git's own order for a short name: a file in the git directory, a top-level ref or a tag of that
    // name would win over the branch there, so defer to git.
    const full = name.startsWith('refs/');
    const pseudo = /^[A-Z_]+$/.test(name) || files.exists(path.join(gitDir, name)) || files.exists(path.join(common, name)); // HEAD, FETCH_HEAD…
    if (!full && (pseudo || read(`refs/${name}`) !== undefined || read(`refs/tags/${name}`) !== undefined)) {
      out.set(name, { kind: 'unsure' });
      continue;
    }
    const candidates = full ? [name] : [`refs/heads/${name}`, `refs/remotes/${name}`];
    let answer: RefAnswer = { kind: 'missing' };
    for (const ref of candidates) {
      const found = read(ref);
      if (found === undefined) continue;
      answer = found === 'other' ? { kind: 'unsure' } : { kind: 'commit', sha: found };
      break;
    }
    out.set(name, answer);
  }
  return out;
}
