/** One intent per branch, end to end on real git with the built CLI: `base: HEAD` is resolved once to
 *  the repository's branch, so status counts against what `gaia git sync` brings in; a feature branch
 *  made by `gaia git feature` is the environment's current work for status, health, drift, `gaia git`
 *  and the planner alike. No sessions: tmux is not involved. */
import { testProject, type TestProject } from '../helpers/cli.js';

const manifest = `
version: 1
project: intent
repository: { path: ., base: HEAD }
environments:
  names: [dev1]
`;

interface EnvJson { base: string; head: string | null; intent: string; ahead: number | null; behind: number | null }

describe('one intent per branch', () => {
  let p: TestProject;
  const status = async (): Promise<EnvJson> => {
    const r = await p.gaia(['status', '--json']);
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout) as { environments: EnvJson[] }).environments[0]!;
  };
  const commitOnMain = (file: string) => {
    p.write(file, `${file}\n`);
    p.git(['add', file]);
    p.git(['commit', '-q', '-m', `main adds ${file}`]);
  };

  beforeAll(async () => {
    p = testProject(manifest);
    const applied = await p.gaia(['apply', '--auto-approve']);
    expect(applied.code).toBe(0);
  });
  afterAll(() => p.cleanup());

  it('resolves base: HEAD to the branch the repository has checked out, and shows it by name', async () => {
    expect(await status()).toMatchObject({ base: 'main', head: 'env/dev1', intent: 'branch', ahead: 0, behind: 0 });
    const text = await p.gaia(['status']);
    expect(text.stdout).toContain('= main');
    expect(text.stdout).not.toContain('HEAD');
  });

  it('status behind its base and `gaia git sync` agree: sync brings the commit in, then status is level', async () => {
    commitOnMain('one.txt');
    expect(await status()).toMatchObject({ base: 'main', ahead: 0, behind: 1 });
    expect((await p.gaia(['status'])).stdout).toContain('↓1 vs main');
    const sync = await p.gaia(['git', 'sync', 'dev1']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain('rebase on main');
    expect(sync.stdout).not.toContain('already up to date');
    expect(await status()).toMatchObject({ ahead: 0, behind: 0 });
    expect(p.git(['log', '-1', '--format=%s'], 'envs/dev1')).toBe('main adds one.txt\n');
  });

  it('reset goes to the resolved base: it lists the commit it would drop instead of doing nothing', async () => {
    p.write('envs/dev1/work.txt', 'work\n');
    p.git(['add', 'work.txt'], 'envs/dev1');
    p.git(['commit', '-q', '-m', 'dev1 work'], 'envs/dev1');
    expect(await status()).toMatchObject({ ahead: 1, behind: 0 });
    const reset = await p.gaia(['git', 'reset', 'dev1']);
    expect(reset.code).toBe(1);
    expect(reset.stdout).toMatch(/reset to main would discard 1 commit not on main \(\w+ dev1 work\)/);
  });

  it('a feature branch from `gaia git feature` is the environment\'s work: plan, drift and health leave it, status counts it', async () => {
    const feature = await p.gaia(['git', 'feature', 'login', 'dev1']);
    expect(feature.code).toBe(0);
    const branch = p.git(['branch', '--show-current'], 'envs/dev1').trim();
    expect(branch).toMatch(/^feature\/\d{4}-\d{2}-\d{2}-login$/);

    const plan = await p.gaia(['plan', '--detailed-exitcode']);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
    expect((await p.gaia(['drift', '--detailed-exitcode'])).code).toBe(0);
    const health = await p.gaia(['health', '-v']);
    expect(health.code).toBe(0);
    expect(health.stdout).toContain(`on feature branch ${branch}, the environment's current work`);

    p.write('envs/dev1/login.txt', 'login\n');
    p.git(['add', 'login.txt'], 'envs/dev1');
    p.git(['commit', '-q', '-m', 'login form'], 'envs/dev1');
    commitOnMain('two.txt');
    // Counted: the feature branch (2 ahead: dev1 work + login form), not env/dev1 (1 ahead).
    expect(await status()).toMatchObject({ head: branch, intent: 'feature', ahead: 2, behind: 1 });
    expect((await p.gaia(['status'])).stdout).toContain(`${branch} (feature of env/dev1)  ↑2 ↓1 vs main`);

    const sync = await p.gaia(['git', 'sync', 'dev1']);
    expect(sync.code).toBe(0);
    expect(p.git(['branch', '--show-current'], 'envs/dev1').trim()).toBe(branch);
    expect(await status()).toMatchObject({ head: branch, ahead: 2, behind: 0 });
  });

  it('any other branch is off the environment\'s branch: the plan switches back', async () => {
    p.git(['switch', '-q', '-c', 'scratch'], 'envs/dev1');
    expect(await status()).toMatchObject({ head: 'scratch', intent: 'other' });
    const plan = await p.gaia(['plan', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('branch exists but is not checked out in the worktree');
    expect((await p.gaia(['health'])).code).toBe(2);
  });
});
