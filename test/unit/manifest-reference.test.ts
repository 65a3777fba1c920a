import { loadManifest } from '../../src/manifest/load.js';

describe('the reference manifest (orchestration.yaml)', () => {
  const result = loadManifest('orchestration.yaml', { environ: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
  const { model } = result;
  const count = (kind: string) => model.resources.filter((r) => r.kind === kind).length;

  it('expands to the report system: 5 worktrees, 5 branches, 15 databases, 15 ports, 26 sessions', () => {
    expect(count('git_worktree')).toBe(5);
    expect(count('git_branch')).toBe(5);
    expect(count('sqlite_database')).toBe(15);
    expect(count('port')).toBe(15);
    expect(count('tmux_session')).toBe(26);
    expect(count('file')).toBe(16);
  });

  it('gives environments branches env/dev1..env/dev5 and dev ports 8081-8085', () => {
    expect(model.environments.map((e) => e.branch)).toEqual(['env/dev1', 'env/dev2', 'env/dev3', 'env/dev4', 'env/dev5']);
    expect(model.environments.map((e) => e.stages.find((s) => s.name === 'dev')?.port)).toEqual([8081, 8082, 8083, 8084, 8085]);
  });

  it('puts the six groups in the report sizes', () => {
    expect(Object.fromEntries(model.groups.map((g) => [g.name, g.sessions.length]))).toEqual({
      high_level: 6, dev_workers: 5, pr_review: 3, pr_impl: 4, pr_integ: 3, existing: 5,
    });
  });

  it('makes a dev worker depend on its worktree and work in it', () => {
    const worker = model.resources.find((r) => r.address === 'tmux_session.dev3_worker')!;
    expect(worker.dependsOn).toEqual(['git_worktree.dev3']);
    expect(worker.attributes.cwd).toBe('envs/dev3');
    const wt = model.resources.find((r) => r.address === 'git_worktree.dev3')!;
    expect(wt.dependsOn).toEqual(['git_branch.dev3']);
    const db = model.resources.find((r) => r.address === 'sqlite_database.dev3.qa')!;
    expect(db.attributes.path).toBe('envs/dev3/data/qa.db');
    expect(db.dependsOn).toEqual(['git_worktree.dev3']);
  });

  it('renders the per-stage .env from the stage values', () => {
    const env = model.resources.find((r) => r.address === 'file.dev2.qa.stage_env')!;
    expect(env.attributes.path).toBe('envs/dev2/.env.qa');
    expect(env.attributes.content).toBe('PORT=8182\nDATABASE=envs/dev2/data/qa.db\nBRANCH=env/dev2\nSTAGE=qa\nLOG_LEVEL=info\n');
  });
});
