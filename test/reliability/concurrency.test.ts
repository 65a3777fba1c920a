/** Concurrency: parallel applies of one manifest take turns (the state store's apply history shows no two
 *  applies overlapping in time), the ones that wait find the work done or do their own part, a short
 *  --lock-timeout fails naming the holder, the end state is right, and `gaia plan` during an apply
 *  answers promptly and correctly (the state store is read, never locked, by a plan). */
import { until } from '../helpers/poll.js';
import { project, recorded, report, scaled, type PlanJson, type Project } from './support.js';

// Each database's migration computes for a moment, so an apply lasts long enough for overlaps to show.
const SLOW_SQL = `CREATE TABLE t (x INTEGER);
INSERT INTO t SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) SELECT x FROM c);
DELETE FROM t;
`;

const manifest = `
version: 1
project: concurrency
repository: { path: ., base: main }
environments:
  count: 3
  name: dev{n}
  stages:
    dev: { database: { path: data/dev.db, migrations: db }, port: { range: [28500, 28509] } }
groups:
  workers: { perEnvironment: true, name: "{env}_worker", command: ["sleep", "3600"] }
  reviewers: { count: 8, name: "review{n}", command: ["sleep", "3600"] }
files:
  envs_json: { path: envs/environments.json, json: "{environments}" }
`;
const TOTAL = 3 * 5 + 8 + 1; // branch, worktree, port, database, worker per environment; reviewers; one file

interface Applied {
  readonly id: number;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: string;
}

async function history(p: Project): Promise<Applied[]> {
  const r = await p.run(['state', 'history', '--json', '-n', '100']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as Applied[]).sort((a, b) => a.id - b.id);
}

/** Pairs of applies whose [started, finished] intervals overlap. */
function overlaps(applies: readonly Applied[]): string[] {
  const out: string[] = [];
  const sorted = [...applies].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (!prev.finishedAt || prev.finishedAt > cur.startedAt) out.push(`#${prev.id} (${prev.startedAt}–${prev.finishedAt}) and #${cur.id} (from ${cur.startedAt})`);
  }
  return out;
}

async function endStateRight(p: Project): Promise<void> {
  const final = await p.run(['plan', '--detailed-exitcode']);
  expect(final.stdout).toContain('No changes.');
  expect(p.sessions()).toHaveLength(3 + 8);
  expect((await recorded(p)).filter((r) => !r.specHash.startsWith('pending:'))).toHaveLength(TOTAL);
}

describe('concurrent applies and plans', () => {
  const n = scaled('GAIA_CONCURRENT_APPLIES', 4);
  let p: Project;
  let tried = 0;
  let correct = 0;
  beforeEach(() => {
    p = project(manifest, { 'db/001.sql': SLOW_SQL });
  });
  afterEach(() => p.cleanup());
  afterAll(() => {
    report({ area: 'concurrency', measure: 'concurrent applies', tried, okLabel: 'correct', ok: correct, notes: `${n} at once, same manifest and split by --target; history intervals never overlap` });
  });

  it(`${n} applies of the same manifest at once: one works, the others wait and find "No changes."`, async () => {
    const runs = await Promise.all(Array.from({ length: n }, () => p.start(['apply', '--auto-approve', '--lock-timeout', '30s'])));
    tried += runs.length;
    const outs = runs.map((r) => String(r.stdout));
    expect(runs.map((r) => r.exitCode)).toEqual(runs.map(() => 0));
    expect(outs.filter((o) => o.includes('Apply complete!'))).toHaveLength(1);
    expect(outs.filter((o) => o.includes('No changes.'))).toHaveLength(n - 1);
    const applies = await history(p);
    expect(applies).toHaveLength(1);
    expect(overlaps(applies)).toEqual([]);
    await endStateRight(p);
    correct += runs.length;
  }, 120_000);

  it(`${n} applies of different parts (--target) at once: each does its part, one after another, never overlapping`, async () => {
    const targets = ['tmux_session', 'sqlite_database.dev1', 'sqlite_database.dev2', 'sqlite_database.dev3', 'port', 'file'].slice(0, Math.max(n, 2));
    const runs = await Promise.all(targets.map((t) => p.start(['apply', '--auto-approve', '--lock-timeout', '60s', '--target', t])));
    tried += runs.length;
    expect(runs.map((r) => `${r.exitCode} ${String(r.stderr)}`)).toEqual(runs.map(() => '0 '));
    expect(runs.every((r) => String(r.stdout).includes('Apply complete!'))).toBe(true);
    const applies = await history(p);
    expect(applies).toHaveLength(targets.length);
    expect(applies.every((a) => a.status === 'done')).toBe(true);
    expect(overlaps(applies)).toEqual([]);
    // Now everything else too, and nothing is done twice.
    expect((await p.run(['apply', '--auto-approve'])).code).toBe(0);
    await endStateRight(p);
    correct += runs.length;
  }, 180_000);

  it('while an apply runs: --lock-timeout 0s fails at once naming the holder; plans answer promptly and correctly', async () => {
    const child = p.start(['apply', '--auto-approve']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await until(() => out.includes('creating…'));
    expect(out).toContain('creating…');

    // Refused, not waiting: had it waited it would have taken the lock once the apply ended (how long
    // either takes is the benchmark's business, not a bound here).
    const busy = await p.run(['apply', '--auto-approve', '--lock-timeout', '0s']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(new RegExp(`locked by gaia apply \\(pid ${child.pid} on .+, since \\d{4}-\\d\\d-\\d\\dT`));
    expect(busy.stderr).toMatch(/wait for it to finish, or pass --lock-timeout/);

    const plans: { ms: number; code: number; changes: number; conflicts: number; whileApplying: boolean }[] = [];
    while (child.exitCode === null && plans.length < 20) {
      const s = performance.now();
      const r = await p.run(['plan', '--json']);
      const ms = performance.now() - s;
      const parsed = r.code === 0 ? (JSON.parse(r.stdout) as PlanJson) : undefined;
      plans.push({ ms, code: r.code, changes: parsed?.changes.length ?? -1, conflicts: parsed?.conflicts.length ?? 0, whileApplying: child.exitCode === null });
      expect(r.stderr).toBe('');
    }
    const done = await child;
    expect(done.exitCode).toBe(0);
    expect(plans.length).toBeGreaterThan(0);
    // Every plan during the apply worked and accounted for the whole manifest: each address a change
    // (noop included) or, while a step is half-way (a worktree folder git is still making), a conflict.
    // Plans do not wait on the apply's lock: the first one came back while the apply was still running.
    expect(plans.filter((x) => x.code !== 0 || x.changes + x.conflicts !== TOTAL)).toEqual([]);
    expect(plans[0]!.whileApplying).toBe(true);
    console.log(`[reliability] ${plans.length} plans during an apply: slowest ${Math.max(...plans.map((x) => x.ms)).toFixed(0)} ms`);
    await endStateRight(p);
  }, 120_000);
});
