/** Parsers for git's machine-readable output. Pure, so they are tested on plain strings. */

export interface RefEntry {
  /** Short branch name: `env/dev1`. */
  readonly name: string;
  readonly commit: string;
  readonly upstream: string | null;
}

/** The format `forEachRefArgv` asks for: full refname, object name, short upstream, NUL-separated. */
export const REF_FORMAT = '%(refname)%00%(objectname)%00%(upstream:short)';

export function parseRefs(stdout: string): readonly RefEntry[] {
  const refs: RefEntry[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [refname = '', commit = '', upstream = ''] = line.split('\0');
    if (!refname.startsWith('refs/heads/')) continue;
    refs.push({ name: refname.slice('refs/heads/'.length), commit, upstream: upstream === '' ? null : upstream });
  }
  return refs;
}

export interface WorktreeEntry {
  /** Absolute path as git stores it. */
  readonly path: string;
  readonly head: string | null;
  /** Short branch name, null when detached (or bare). */
  readonly branch: string | null;
  readonly bare: boolean;
  readonly locked: boolean;
  /** Registered, but its directory is gone. */
  readonly prunable: boolean;
}

/** `git worktree list --porcelain -z`: attributes end with NUL, an entry ends with an extra NUL.
 *  The first entry is the main worktree. */
export function parseWorktrees(stdout: string): readonly WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: { -readonly [K in keyof WorktreeEntry]: WorktreeEntry[K] } | undefined;
  for (const field of stdout.split('\0')) {
    if (field === '') {
      if (current) entries.push(current);
      current = undefined;
      continue;
    }
    const space = field.indexOf(' ');
    const label = space < 0 ? field : field.slice(0, space);
    const value = space < 0 ? '' : field.slice(space + 1);
    if (label === 'worktree') {
      if (current) entries.push(current);
      current = { path: value, head: null, branch: null, bare: false, locked: false, prunable: false };
      continue;
    }
    if (!current) continue;
    switch (label) {
      case 'HEAD':
        current.head = value;
        break;
      case 'branch':
        current.branch = value.startsWith('refs/heads/') ? value.slice('refs/heads/'.length) : value;
        break;
      case 'bare':
        current.bare = true;
        break;
      case 'locked':
        current.locked = true;
        break;
      case 'prunable':
        current.prunable = true;
        break;
      default:
        // `detached` and labels newer gits may add: nothing to record.
        break;
    }
  }
  if (current) entries.push(current);
  return entries;
}

/** `git status --porcelain` lines → the paths they name (`R  a -> b` names `b`). */
export function parseStatusFiles(stdout: string): readonly string[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 3)
    .map((line) => {
      const file = line.slice(3);
      const arrow = file.indexOf(' -> ');
      return arrow < 0 ? file : file.slice(arrow + 4);
    });
}

/** `git log --format=%h %s` lines. */
export function parseLogLines(stdout: string): readonly string[] {
  return stdout.split('\n').filter((line) => line.trim() !== '');
}
