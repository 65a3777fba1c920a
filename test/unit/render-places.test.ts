/** Every listing of resources says which host a thing is on (` on gpu1`), and nothing for this machine:
 *  the plan for a pull request, the manifest diff, and `gaia state list`, as the terminal plan does. */
import { diffResources } from '../../src/core/diff.js';
import { plan } from '../../src/core/planner.js';
import { kindSpecs } from '../../src/providers/registry.js';
import { resource, type Recorded } from '../../src/core/resource.js';
import { renderDiffTerminal } from '../../src/render/diff-terminal.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderStateListTerminal } from '../../src/render/state-terminal.js';
import { testDigests } from '../helpers/digests.js';

const worktree = (name: string, host?: string) => resource('git_worktree', name, { path: `envs/${name}`, branch: `env/${name}`, ...(host ? { host } : {}) });

describe('where a resource is, wherever resources are listed', () => {
  it('the pull-request plan names the host of each change', () => {
    const recorded: Recorded[] = [{ kind: 'git_worktree', address: 'git_worktree.dev2', specHash: 'h', dependsOn: [], attributes: worktree('dev2', 'vm2').attributes }];
    const made = plan({
      digests: testDigests, desired: [worktree('dev1', 'gpu1'), worktree('dev3')], observed: [], recorded, specs: kindSpecs,
      manifest: { path: 'orchestration.yaml', hash: 'h' }, now: '2026-01-01T00:00:00Z', project: 'p@/x',
    });
    const md = renderPlanMarkdown(made);
    expect(md).toMatch(/git_worktree\.dev1(`|<\/code>) on gpu1/);
    expect(md).toMatch(/git_worktree\.dev2(`|<\/code>) on vm2/);
    expect(md).toMatch(/git_worktree\.dev3(`|<\/code>)/);
    expect(md).not.toMatch(/git_worktree\.dev3(`|<\/code>) on /);
  });

  it('the manifest diff names the host of what it adds, changes and removes', () => {
    const base = [worktree('dev1', 'gpu1'), worktree('dev2', 'vm2')];
    const head = [resource('git_worktree', 'dev2', { path: 'envs/dev2', branch: 'env/other', host: 'vm2' }), worktree('dev3'), worktree('dev4', 'gpu1')];
    const text = renderDiffTerminal({ manifest: 'orchestration.yaml', base: { ref: 'main', revision: '0123456789abcdef' }, head: { ref: 'working tree' }, diff: diffResources(base, head, testDigests) });
    expect(text).toMatch(/- git_worktree\.dev1 on gpu1/);
    expect(text).toMatch(/~ git_worktree\.dev2 on vm2/);
    expect(text).toMatch(/\+ git_worktree\.dev4 on gpu1/);
    expect(text).toMatch(/\+ git_worktree\.dev3\n/);
  });

  it('gaia state list names the host of what gaia owns there', () => {
    const recorded = [worktree('dev1', 'gpu1'), worktree('dev2')].map((r): Recorded => ({ kind: r.kind, address: r.address, specHash: 'h', dependsOn: [], attributes: r.attributes }));
    expect(renderStateListTerminal(recorded)).toBe('git_worktree.dev1 on gpu1\ngit_worktree.dev2\n');
  });
});
