/** Parsers and graph arithmetic for the status git facts. Pure: strings in, values out. */

/** `git cat-file --batch-check` answers one line per input line, in order:
 *  `<sha> <type> <size>` or `<input> missing` / `<input> ambiguous`. Only commits count. */
export function parseBatchCheck(stdout: string, asked: readonly string[]): ReadonlyMap<string, string> {
  const lines = stdout.split('\n');
  const out = new Map<string, string>();
  asked.forEach((name, i) => {
    const fields = (lines[i] ?? '').split(' ');
    if (fields.length === 3 && fields[1] === 'commit' && /^[0-9a-f]{40,64}$/.test(fields[0]!)) out.set(name, fields[0]!);
  });
  return out;
}

/** `git rev-list --parents …`: each line is a commit followed by its parents. */
export function parseParents(stdout: string): ReadonlyMap<string, readonly string[]> {
  const graph = new Map<string, readonly string[]>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [commit, ...parents] = line.split(' ');
    graph.set(commit!, parents);
  }
  return graph;
}

/** Commits reachable from `tip` inside `graph` (a commit outside it is shared history, not counted). */
function reach(graph: ReadonlyMap<string, readonly string[]>, tip: string): Set<string> {
  const seen = new Set<string>();
  const stack = graph.has(tip) ? [tip] : [];
  while (stack.length) {
    const c = stack.pop()!;
    if (seen.has(c)) continue;
    seen.add(c);
    for (const p of graph.get(c) ?? []) if (graph.has(p) && !seen.has(p)) stack.push(p);
  }
  return seen;
}

/** Ahead: commits on `tip` not on `base`; behind: the other way round. `graph` must hold every
 *  commit reachable from either but not from some common ancestor of both (what `rev-list A B
 *  --not $(merge-base --octopus A B …)` prints), which is exactly the commits that differ. */
export function aheadBehind(graph: ReadonlyMap<string, readonly string[]>, tip: string, base: string): { readonly ahead: number; readonly behind: number } {
  if (tip === base) return { ahead: 0, behind: 0 };
  const fromTip = reach(graph, tip);
  const fromBase = reach(graph, base);
  let ahead = 0;
  for (const c of fromTip) if (!fromBase.has(c)) ahead++;
  let behind = 0;
  for (const c of fromBase) if (!fromTip.has(c)) behind++;
  return { ahead, behind };
}

export interface WorktreeStatus {
  /** The checked-out branch (short name); null when HEAD is detached (or mid-rebase). */
  readonly head: string | null;
  readonly oid: string | null;
  /** Changed, staged, unmerged and untracked paths. */
  readonly dirty: number;
  /** Those paths, relative to the worktree, as git prints them. */
  readonly paths: readonly string[];
  readonly conflicted: readonly string[];
}

/** `git status --porcelain=v2 --branch` (without -z): headers start with `#`, one line per path. */
export function parseStatusV2(stdout: string): WorktreeStatus {
  let head: string | null = null;
  let oid: string | null = null;
  const paths: string[] = [];
  const conflicted: string[] = [];
  // The path is the last field and may hold spaces: it starts after this many space-separated fields.
  const pathAfter: { readonly [tag: string]: number } = { '1': 8, '2': 9, u: 10, '?': 1 };
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# branch.head ')) {
      const value = line.slice('# branch.head '.length);
      head = value === '(detached)' ? null : value;
      continue;
    }
    if (line.startsWith('# branch.oid ')) {
      const value = line.slice('# branch.oid '.length);
      oid = value === '(initial)' ? null : value;
      continue;
    }
    const tag = line.slice(0, line.indexOf(' '));
    const skip = pathAfter[tag];
    if (skip === undefined) continue; // other headers, ignored files
    // A rename (`2 …`) ends with `path<TAB>origPath`.
    const path = line.split(' ').slice(skip).join(' ').split('\t')[0]!;
    paths.push(path);
    if (tag === 'u') conflicted.push(path);
  }
  return { head, oid, dirty: paths.length, paths, conflicted };
}
