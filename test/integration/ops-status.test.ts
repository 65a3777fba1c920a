/** gaia status and gaia health against an applied project: real git worktrees, real SQLite files,
 *  real tmux on a private socket, through the built CLI. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { testProject, type TestProject } from '../helpers/cli.js';
import type { StatusReport } from '../../src/ops/status-model.js';
import type { HealthReport } from '../../src/ops/health.js';
import { opsManifest } from './ops-fixture.js';


describe('gaia status and health on an applied project', () => {
  let p: TestProject;
  const status = async (...args: string[]): Promise<StatusReport> => {
    const r = await p.gaia(['status', '--json', ...args]);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as StatusReport;
  };

  beforeAll(async () => {
    p = testProject(opsManifest([28460, 28469]), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    const applied = await p.gaia(['apply', '--auto-approve']);
    expect(applied.code).toBe(0);
  });
  afterAll(() => p.cleanup());

  it('shows every environment on its branch with its database and port, every group up, and unmanaged sessions by pattern', async () => {
    p.tmux(['new-session', '-d', '-s', 'pr_impl7', 'sleep 600']); // the report's pattern
    p.tmux(['new-session', '-d', '-s', 'pr_review9', 'sleep 600']); // the manifest's own pattern
    p.tmux(['new-session', '-d', '-s', 'scratch', 'sleep 600']); // nobody's
    const s = await status();
    expect(s.environments.map((e) => [e.name, e.directory, e.head, e.onBranch, e.ahead, e.behind, e.dirty])).toEqual([
      ['dev1', true, 'env/dev1', true, 0, 0, 0], // gaia's own database file is not "dirty"
      ['dev2', true, 'env/dev2', true, 0, 0, 0],
    ]);
    expect(s.environments[0]!.stages[0]).toMatchObject({
      name: 'dev',
      database: { path: 'envs/dev1/data/dev.db', exists: true, tables: 1, rows: 0, migrations: { applied: 1, wanted: 1 } },
      port: { listening: false },
    });
    expect(s.groups.map((g) => [g.name, g.up, g.expected, g.providers])).toEqual([['workers', 2, 2, ['catty']], ['pr_review', 2, 2, ['catty']]]);
    expect(s.groups[0]!.sessions[0]).toMatchObject({ name: 'dev1_worker', env: 'dev1', state: 'up', owned: true, currentCommand: 'cat' });
    expect(s.unmanaged.map((u) => [u.name, u.looksLike?.group ?? null, u.looksLike?.source ?? null])).toEqual([
      ['pr_impl7', 'pr_impl', 'report'],
      ['pr_review9', 'pr_review', 'manifest'],
      ['scratch', null, null],
    ]);
    const text = (await p.gaia(['status'])).stdout;
    expect(text).toContain('ops — 2 environments, 4 sessions (4 up)');
    expect(text).toMatch(/pr_impl7 .* looks like pr_impl \(report pattern pr_impl\\d\*\)/);
    expect(text).toContain('1 other session: scratch');
    for (const name of ['pr_impl7', 'pr_review9', 'scratch']) p.tmux(['kill-session', '-t', `=${name}`]);
  });

  it('counts commits ahead of and behind the base, and uncommitted files', async () => {
    p.write('envs/dev1/work.txt', 'dev1\n');
    p.git(['add', 'work.txt'], 'envs/dev1');
    p.git(['commit', '-q', '-m', 'dev1 work'], 'envs/dev1');
    p.write('NEWS.md', 'main moved\n');
    p.git(['add', 'NEWS.md']);
    p.git(['commit', '-q', '-m', 'main work']);
    p.write('envs/dev2/scratch.txt', 'not committed\n');
    const s = await status();
    expect(s.environments.map((e) => [e.name, e.ahead, e.behind, e.dirty])).toEqual([['dev1', 1, 1, 0], ['dev2', 0, 1, 1]]);
    const dev2 = await status('--env', 'dev2');
    expect(dev2.environments.map((e) => e.name)).toEqual(['dev2']);
    expect(dev2.groups.flatMap((g) => g.sessions.map((x) => x.name))).toEqual(['dev2_worker']);
  });

  it('is healthy (exit 0) while everything runs, degraded (exit 2) with a session killed by hand, failing (exit 1) without a database', async () => {
    const healthy = await p.gaia(['health']);
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toContain('HEALTHY');

    p.tmux(['kill-session', '-t', '=pr_review2']);
    const s = await status('--group', 'pr_review');
    expect(s.groups[0]!.sessions.map((x) => [x.name, x.state])).toEqual([['pr_review1', 'up'], ['pr_review2', 'down']]);
    expect((await p.gaia(['status'])).stdout).toMatch(/○ pr_review2 +\[C\] down/);
    const degraded = await p.gaia(['health', '--json']);
    expect(degraded.code).toBe(2);
    const h = JSON.parse(degraded.stdout) as HealthReport;
    expect(h.verdict).toBe('degraded');
    expect(h.groups.find((g) => g.name === 'pr_review')!.checks.find((c) => c.subject === 'pr_review2')).toMatchObject({ level: 'warn', text: expect.stringContaining('not running') });

    fs.rmSync(path.join(p.root, 'envs/dev2/data/dev.db'));
    const failing = await p.gaia(['health']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('database envs/dev2/data/dev.db is missing');
    expect(failing.stdout).toContain('FAILING');
  });

  it('finds a corrupt index that still opens and counts rows by PRAGMA quick_check', async () => {
    const file = path.join(p.root, 'envs/dev1/data/dev.db');
    const db = new Database(file);
    db.exec('CREATE INDEX t_x ON t (x)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 200; i++) insert.run(i);
    const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 't_x'").pluck().get() as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    // Point the index page's cells outside the page: the table reads fine, the index does not check out.
    const bytes = fs.readFileSync(file);
    bytes.fill(0x11, (root - 1) * pageSize + 8, (root - 1) * pageSize + 40);
    fs.writeFileSync(file, bytes);

    const s = await status('--env', 'dev1');
    expect(s.environments[0]!.stages[0]!.database).toMatchObject({ exists: true, rows: 200 });
    const r = await p.gaia(['health', '--json']);
    expect(r.code).toBe(1);
    const h = JSON.parse(r.stdout) as HealthReport;
    const check = h.environments.find((e) => e.name === 'dev1')!.checks.find((c) => c.kind === 'database')!;
    expect(check).toMatchObject({ level: 'fail', text: expect.stringMatching(/fails quick_check: Tree \d+ page \d+ cell \d+: Offset/) });
  });

  it('health --watch redraws in place until Ctrl-C, then exits with the last verdict', async () => {
    const child = p.spawn(['health', '--watch', '--interval', '200ms']);
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.split('\x1b[H\x1b[2J').length > 3) resolve(); // three redraws
      });
    });
    child.kill('SIGINT');
    const done = await child;
    expect(done.exitCode).toBe(1); // failing: dev2's database was removed above
    expect(seen).toContain('Refreshing every 200ms; Ctrl-C to stop.');
    expect(String(done.stderr)).toBe('');
  });

  it('rejects an unknown environment or group with the valid names', async () => {
    const r = await p.gaia(['status', '--env', 'dev9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown environment "dev9"');
    expect(r.stderr).toContain('environments: dev1, dev2');
  });
});

describe('gaia status reads every worktree through a few shells', () => {
  let p: TestProject;
  // Paths a shell would expand or split if they ever reached a script instead of its arguments.
  const envPath = (env: string) => `envs/${env} it's $(touch pwned) \`touch pwned2\``;
  beforeAll(async () => {
    p = testProject(`
version: 1
project: many
environments:
  names: [dev1, dev2, dev3, dev4, dev5]
  path: "envs/{env} it's $(touch pwned) \`touch pwned2\`"
`);
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
  });
  afterAll(() => p.cleanup());

  it('gives each environment its own dirty count and its own error, and runs nothing from a path', async () => {
    fs.writeFileSync(path.join(p.root, envPath('dev2'), 'new.txt'), 'x\n');
    fs.writeFileSync(path.join(p.root, envPath('dev5'), 'a.txt'), 'x\n');
    fs.writeFileSync(path.join(p.root, envPath('dev5'), 'b.txt'), 'x\n');
    fs.writeFileSync(path.join(p.root, envPath('dev4'), '.git'), 'gitdir: /nonexistent/nowhere\n'); // git status fails here
    const r = await p.gaia(['status', '--json'], { GAIA_STATS: '1' });
    const s = JSON.parse(r.stdout) as StatusReport;
    expect(s.environments.map((e) => [e.name, e.dirty])).toEqual([['dev1', 0], ['dev2', 1], ['dev3', 0], ['dev4', null], ['dev5', 2]]);
    expect(s.environments.find((e) => e.name === 'dev4')!.error).toMatch(/git status failed in .*dev4.*: fatal: not a git repository/);
    expect(s.environments.filter((e) => e.error).map((e) => e.name)).toEqual(['dev4']);
    // Five statuses, two shells: not one process of gaia's per environment.
    expect(Number(/gaia-stats spawned=(\d+)/.exec(r.stderr)?.[1])).toBeLessThan(5 + 3);
    expect(fs.readdirSync(p.root).filter((f) => f.startsWith('pwned'))).toEqual([]);
    for (let i = 1; i <= 5; i++) expect(fs.readdirSync(path.join(p.root, envPath(`dev${i}`))).filter((f) => f.startsWith('pwned'))).toEqual([]);
  });
});
