/** The git kinds' attribute shapes, read from plain Attributes at the provider's edge.
 *  Pure: shared by the KindSpecs (no I/O) and by observe/apply. */
import type { Attributes } from '../../core/resource.js';

export const BRANCH_KIND = 'git_branch';
export const WORKTREE_KIND = 'git_worktree';

export interface BranchSpec {
  /** Repository path relative to the project root; '.' is the root. */
  readonly repo: string;
  readonly name: string;
  /** Only matters when the branch is created. */
  readonly base: string;
}

export type WorktreeSpec =
  | { readonly source: 'worktree'; readonly repo: string; readonly path: string; readonly branch: string }
  | {
      readonly source: 'clone';
      /** A path relative to the root, an absolute path or a real URL. */
      readonly url: string;
      readonly path: string;
      readonly branch: string;
      readonly base: string;
    };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

function text(kind: string, attrs: Attributes, key: string): string | Error {
  const value = attrs[key];
  return typeof value === 'string' && value.length > 0 ? value : new Error(`${kind}: attribute "${key}" must be a non-empty string`);
}

/** Read string attributes by name, or say which one is wrong. */
function strings<K extends string>(kind: string, attrs: Attributes, keys: readonly K[]): Parsed<Record<K, string>> {
  const out = {} as Record<K, string>;
  for (const key of keys) {
    const value = text(kind, attrs, key);
    if (value instanceof Error) return { ok: false, error: value.message };
    out[key] = value;
  }
  return { ok: true, value: out };
}

export function parseBranch(attrs: Attributes): Parsed<BranchSpec> {
  // base is required by the manifest but absent from observed attributes; identity is repo + name.
  const found = strings(BRANCH_KIND, attrs, ['repo', 'name']);
  if (!found.ok) return found;
  const base = typeof attrs.base === 'string' ? attrs.base : '';
  return { ok: true, value: { ...found.value, base } };
}

export function parseWorktree(attrs: Attributes): Parsed<WorktreeSpec> {
  const source = attrs.source ?? 'worktree';
  switch (source) {
    case 'worktree': {
      const found = strings(WORKTREE_KIND, attrs, ['repo', 'path', 'branch']);
      return found.ok ? { ok: true, value: { source, ...found.value } } : found;
    }
    case 'clone': {
      const found = strings(WORKTREE_KIND, attrs, ['url', 'path', 'branch', 'base']);
      return found.ok ? { ok: true, value: { source, ...found.value } } : found;
    }
    default:
      return { ok: false, error: `${WORKTREE_KIND}: attribute "source" must be "worktree" or "clone"` };
  }
}

/** What was found at a worktree's path, as observed attributes say it (loosely typed: observed
 *  entries may lack fields the manifest requires, e.g. `branch` is null when detached). */
export interface FoundWorktree {
  readonly source: 'worktree' | 'clone';
  readonly repo?: string;
  readonly path: string;
  readonly branch: string | null;
  readonly prunable: boolean;
  readonly notAWorktree: boolean;
  readonly locked: boolean;
}

export function readFoundWorktree(attrs: Attributes): Parsed<FoundWorktree> {
  const path = attrs.path;
  if (typeof path !== 'string' || path === '') return { ok: false, error: `${WORKTREE_KIND}: no path in observed attributes` };
  return {
    ok: true,
    value: {
      source: attrs.source === 'clone' ? 'clone' : 'worktree',
      ...(typeof attrs.repo === 'string' ? { repo: attrs.repo } : {}),
      path,
      branch: typeof attrs.branch === 'string' ? attrs.branch : null,
      prunable: attrs.prunable === true,
      notAWorktree: attrs.notAWorktree === true,
      locked: attrs.locked === true,
    },
  };
}

/** Relative paths compared as people write them: `./envs/dev1/` is `envs/dev1`. */
export function samePath(a: string, b: string): boolean {
  return normalisePath(a) === normalisePath(b);
}

export function normalisePath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  const joined = (p.startsWith('/') ? '/' : '') + parts.join('/');
  return joined === '' ? '.' : joined;
}
