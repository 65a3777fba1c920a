import type { Change } from '../../src/core/plan.js';
import { resource, type Attributes, type Observed, type Recorded, type Resource } from '../../src/core/resource.js';
import { describeRisk } from '../../src/providers/git/apply.js';
import { cloneSource, opsFor, opsToSteps } from '../../src/providers/git/commands.js';
import { parseRefs, parseStatusFiles, parseWorktrees } from '../../src/providers/git/porcelain.js';
import { branchSpec, gitKinds, worktreeSpec } from '../../src/providers/git/spec.js';

const branch = (attrs: Partial<{ repo: string; name: string; base: string }> = {}): Resource =>
  resource('git_branch', 'dev1', { repo: '.', name: 'env/dev1', base: 'main', ...attrs });
const seenBranch = (attrs: Attributes = {}): Observed => ({
  kind: 'git_branch',
  address: 'git_branch.dev1',
  attributes: { repo: '.', name: 'env/dev1', commit: 'abc', upstream: null, checkedOutAt: 'envs/dev1', ...attrs },
});
const worktree = (attrs: Attributes = {}): Resource =>
  resource('git_worktree', 'dev1', { source: 'worktree', repo: '.', path: 'envs/dev1', branch: 'env/dev1', ...attrs });
const seenWorktree = (attrs: Attributes = {}): Observed => ({
  kind: 'git_worktree',
  address: 'git_worktree.dev1',
  attributes: { source: 'worktree', repo: '.', path: 'envs/dev1', branch: 'env/dev1', head: 'abc', prunable: false, locked: false, ...attrs },
});
const recorded = (r: Resource): Recorded => ({ ...r, specHash: 'h' });

describe('git_branch spec', () => {
  test('an existing branch is the same, even when the manifest base changed (base only matters at creation)', () => {
    expect(branchSpec.compare(branch({ base: 'develop' }), seenBranch(), recorded(branch()))).toEqual({ kind: 'same' });
  });

  test('a different branch name than the one gaia made is a replace with a forcing diff', () => {
    expect(branchSpec.compare(branch({ name: 'env/one' }), seenBranch(), recorded(branch()))).toEqual({
      kind: 'replace',
      reasons: [{ code: 'branch_renamed', text: 'branch name or repository changed' }],
      diffs: [{ path: 'name', before: 'env/dev1', after: 'env/one', forcesReplace: true }],
    });
  });

  test('a branch gaia did not create is a conflict with the fix', () => {
    expect(branchSpec.unowned!(branch(), seenBranch())).toEqual({
      kind: 'conflict',
      text: 'branch env/dev1 exists and gaia did not create it',
      fix: 'remove or rename it, or if gaia made it before its state store was lost, run `gaia state rebuild`',
    });
  });

  test('missing texts name the thing', () => {
    expect(gitKinds.git_branch?.missingText).toBe('branch missing');
    expect(gitKinds.git_worktree?.missingText).toBe('worktree missing');
  });
});

describe('git_worktree spec', () => {
  test('a worktree on its branch is the same; ./ and trailing slashes do not make a path differ', () => {
    expect(worktreeSpec.compare(worktree({ path: './envs/dev1/' }), seenWorktree(), undefined)).toEqual({ kind: 'same' });
  });

  test('a prunable worktree (directory gone) is replaced because its directory is missing', () => {
    expect(worktreeSpec.compare(worktree(), seenWorktree({ prunable: true }), undefined)).toEqual({
      kind: 'replace',
      reasons: [{ code: 'worktree_dir_missing', text: 'worktree directory is missing' }],
      diffs: [],
    });
  });

  test.each([
    ['another branch', 'feature'],
    ['a detached HEAD', null],
  ])('%s checked out is an update that checks the branch out', (_, found) => {
    expect(worktreeSpec.compare(worktree(), seenWorktree({ branch: found }), undefined)).toEqual({
      kind: 'update',
      reasons: [{ code: 'branch_not_checked_out', text: 'branch exists but is not checked out in the worktree' }],
      diffs: [{ path: 'branch', before: found, after: 'env/dev1' }],
    });
  });

  test('a different path is a different worktree: replace, forced by the path', () => {
    expect(worktreeSpec.compare(worktree({ path: 'envs/one' }), seenWorktree(), undefined)).toMatchObject({
      kind: 'replace',
      reasons: [{ code: 'path_changed' }],
      diffs: [{ path: 'path', before: 'envs/dev1', after: 'envs/one', forcesReplace: true }],
    });
  });

  test('switching source from worktree to clone is a replace', () => {
    const clone = worktree({ source: 'clone', url: 'https://example.invalid/x.git', base: 'main' });
    expect(worktreeSpec.compare(clone, seenWorktree(), undefined)).toMatchObject({ kind: 'replace', reasons: [{ code: 'source_changed' }] });
  });

  test('a clone on its branch is the same whatever its url and base now say', () => {
    const clone = resource('git_worktree', 'c1', { source: 'clone', url: 'elsewhere', path: 'c/1', branch: 'env/c1', base: 'dev' });
    const seen: Observed = { kind: 'git_worktree', address: 'git_worktree.c1', attributes: { source: 'clone', path: 'c/1', branch: 'env/c1', head: 'abc' } };
    expect(worktreeSpec.compare(clone, seen, undefined)).toEqual({ kind: 'same' });
  });

  test.each([
    [{}, /^a worktree\/directory exists at envs\/dev1 that gaia did not create$/],
    [{ notAWorktree: true }, /^a directory exists at envs\/dev1 that is not a worktree of \. /],
    [{ prunable: true }, /directory is missing/],
  ])('something gaia did not make at the path (%j) is a conflict', (extra, text) => {
    const verdict = worktreeSpec.unowned!(worktree(), seenWorktree(extra));
    expect(verdict.kind).toBe('conflict');
    expect(verdict.kind === 'conflict' && verdict.text).toMatch(text);
  });

  test('an owned path now holding a plain directory is a replace that names the obstacle', () => {
    expect(worktreeSpec.compare(worktree(), seenWorktree({ notAWorktree: true }), recorded(worktree()))).toMatchObject({
      kind: 'replace',
      reasons: [{ code: 'not_a_worktree' }],
    });
  });
});

describe('porcelain parsing', () => {
  test('worktree list -z: main first, branch, detached, locked and prunable entries', () => {
    const out = [
      'worktree /r', 'HEAD aaa', 'branch refs/heads/main', '',
      'worktree /r/envs/a', 'HEAD bbb', 'detached', 'locked because', '',
      'worktree /r/envs/b', 'HEAD ccc', 'branch refs/heads/env/b', 'prunable gitdir file points to non-existent location', '',
    ].join('\0');
    expect(parseWorktrees(out)).toEqual([
      { path: '/r', head: 'aaa', branch: 'main', bare: false, locked: false, prunable: false },
      { path: '/r/envs/a', head: 'bbb', branch: null, bare: false, locked: true, prunable: false },
      { path: '/r/envs/b', head: 'ccc', branch: 'env/b', bare: false, locked: false, prunable: true },
    ]);
  });

  test('for-each-ref lines give short names and null for no upstream', () => {
    expect(parseRefs('refs/heads/env/a\0abc\0origin/env/a\nrefs/heads/main\0def\0\n')).toEqual([
      { name: 'env/a', commit: 'abc', upstream: 'origin/env/a' },
      { name: 'main', commit: 'def', upstream: null },
    ]);
  });

  test('status lines give the file names, renames by their new name', () => {
    expect(parseStatusFiles(' M a.txt\n?? b.txt\nR  old.txt -> new.txt\n')).toEqual(['a.txt', 'b.txt', 'new.txt']);
  });

  test('risk text counts and lists files and commits, and is absent when nothing is at risk', () => {
    expect(describeRisk(['a.txt', 'b.txt'], ['abc1234 message'])).toBe('2 uncommitted files (a.txt, b.txt) and 1 unpushed commit (abc1234 message)');
    expect(describeRisk([], [])).toBeUndefined();
  });
});

describe('operations', () => {
  const change = (c: Partial<Change> & Pick<Change, 'kind' | 'action'>): Change => ({
    address: `${c.kind}.dev1`, reasons: [], diffs: [], dependsOn: [], hazards: [], ...c,
  });

  test('a replaced prunable worktree is unregistered (that entry only) and added again, with no dirty check', () => {
    const ops = opsFor(change({ kind: 'git_worktree', action: 'replace', before: seenWorktree({ prunable: true }).attributes, after: worktree().attributes }), { root: '/p', force: false });
    expect(ops.ok && opsToSteps('a', ops.value).map((s) => s.argv)).toEqual([
      ['git', '-C', '/p', 'worktree', 'remove', '/p/envs/dev1'],
      ['git', '-C', '/p', 'worktree', 'add', '/p/envs/dev1', 'env/dev1'],
    ]);
  });

  test('branch delete uses -d, and -D only when forced', () => {
    const c = change({ kind: 'git_branch', action: 'delete', before: seenBranch().attributes });
    const argvOf = (force: boolean) => {
      const ops = opsFor(c, { root: '/p', force });
      return ops.ok ? opsToSteps('a', ops.value)[0]?.argv : undefined;
    };
    expect(argvOf(false)).toEqual(['git', '-C', '/p', 'branch', '-d', 'env/dev1']);
    expect(argvOf(true)).toEqual(['git', '-C', '/p', 'branch', '-D', 'env/dev1']);
  });

  test('clone urls stay as written; paths resolve against the root', () => {
    expect(cloneSource('/p', 'https://github.com/a/b.git')).toBe('https://github.com/a/b.git');
    expect(cloneSource('/p', 'git@github.com:a/b.git')).toBe('git@github.com:a/b.git');
    expect(cloneSource('/p', '../upstream')).toBe('/upstream');
  });
});
