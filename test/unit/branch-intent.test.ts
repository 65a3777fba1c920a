import { branchIntent, onIntent } from '../../src/core/branch-intent.js';
import { detectDrift } from '../../src/core/drift.js';
import { resource, type Attributes, type Observed } from '../../src/core/resource.js';
import { withBases, isSymbolicBase } from '../../src/engine/resolve-base.js';
import type { EnvironmentInfo, Model } from '../../src/manifest/model.js';
import { featureBranch } from '../../src/ops/git-ops.js';
import { worktreeSpec } from '../../src/providers/git/spec.js';
import { testDigests } from '../helpers/digests.js';

const worktree = resource('git_worktree', 'dev1', { source: 'worktree', repo: '.', path: 'envs/dev1', branch: 'env/dev1' });
const seen = (branch: string | null): Observed => ({
  kind: 'git_worktree',
  address: 'git_worktree.dev1',
  attributes: { source: 'worktree', repo: '.', path: 'envs/dev1', branch, head: 'abc', prunable: false, locked: false } as Attributes,
});

describe('one intent per branch', () => {
  test.each<[string | null, ReturnType<typeof branchIntent>, boolean]>([
    ['env/dev1', 'branch', true],
    ['feature/2026-12-02-login', 'feature', true],
    ['feature/', 'other', false],
    ['featurex', 'other', false],
    ['main', 'other', false],
    [null, 'detached', false],
  ])('%s checked out in env/dev1\'s worktree is %s', (checkedOut, intent, on) => {
    expect(branchIntent(checkedOut, 'env/dev1')).toBe(intent);
    expect(onIntent(checkedOut, 'env/dev1')).toBe(on);
  });

  test('what `gaia git feature` makes is a feature branch by the same rule', () => {
    expect(branchIntent(featureBranch('login form', '2026-12-02', 'dev1', false)!, 'env/dev1')).toBe('feature');
    expect(branchIntent(featureBranch('login', '2026-12-02', 'dev2', true)!, 'env/dev2')).toBe('feature');
  });

  test('the planner leaves a feature branch checked out, and switches back from any other', () => {
    expect(worktreeSpec.compare(worktree, seen('feature/2026-12-02-login'), undefined)).toEqual({ kind: 'same' });
    expect(worktreeSpec.compare(worktree, seen('main'), undefined)).toMatchObject({ kind: 'update', reasons: [{ code: 'branch_not_checked_out' }] });
    expect(worktreeSpec.compare(worktree, seen(null), undefined)).toMatchObject({ kind: 'update' });
  });

  test('drift does not report a feature branch, and does report another branch', () => {
    const recorded = [{ ...worktree, specHash: 'h' }];
    const specs = { git_worktree: worktreeSpec };
    expect(detectDrift(recorded, [seen('feature/2026-12-02-login')], specs, testDigests).entries).toEqual([]);
    expect(detectDrift(recorded, [seen('main')], specs, testDigests).entries).toMatchObject([{ address: 'git_worktree.dev1', drift: 'changed' }]);
  });
});

describe('base: HEAD resolved once', () => {
  const env = (name: string, base: string): EnvironmentInfo => ({ name, index: 1, path: `envs/${name}`, branch: `env/${name}`, base, source: 'worktree', sync: 'rebase', stages: [] });
  const model = {
    environments: [env('dev1', 'HEAD'), env('dev2', 'develop')],
    resources: [
      resource('git_branch', 'dev1', { repo: '.', name: 'env/dev1', base: 'HEAD' }),
      resource('git_branch', 'dev2', { repo: '.', name: 'env/dev2', base: 'develop' }),
      resource('git_worktree', 'dev1', { source: 'worktree', repo: '.', path: 'envs/dev1', branch: 'env/dev1' }),
    ],
  } as unknown as Model;

  test('HEAD and @ are symbolic; names and commits are not', () => {
    expect(['HEAD', '@', 'main', 'abc123', 'HEADS'].map(isSymbolicBase)).toEqual([true, true, false, false, false]);
  });

  test('the resolved name replaces the base of the environment and of the branch it starts from, nothing else', () => {
    const out = withBases(model, new Map([['dev1', 'main']]));
    expect(out.environments.map((e) => e.base)).toEqual(['main', 'develop']);
    expect(out.resources.map((r) => r.attributes.base)).toEqual(['main', 'develop', undefined]);
    expect(out.resources[1]).toBe(model.resources[1]);
    expect(withBases(model, new Map())).toBe(model);
  });
});
