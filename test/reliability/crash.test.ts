/** Crash consistency: `gaia apply` of the reference system killed with SIGKILL at many points — after the
 *  k-th resource lands (step boundaries) and at random times. After every kill, with no manual step:
 *  nothing exists that the state store does not know, the next plan is exactly the remaining
 *  work (only creates, none of something that exists, no conflicts), the next apply converges to
 *  "No changes.", and the rows put in a database beforehand are all still there. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { until } from '../helpers/poll.js';
import {
  alreadyThere, prng, recorded, referenceProject, report, scaled, seedFromEnv, sql, unknownToState, world,
  type PlanJson, type Project,
} from './support.js';

/** Resources the reference manifest makes: 5 branches, 5 worktrees, 15 ports, 15 databases, 16 files, 26 sessions. */
const TOTAL = 82;
const SEEDED_DB = 'envs/dev1/data/dev.db';
const SEEDED_ROWS = 3;

type KillPoint = { readonly kind: 'boundary'; readonly after: number } | { readonly kind: 'random'; readonly ms: number };

const describePoint = (k: KillPoint) => (k.kind === 'boundary' ? `after ${k.after} created` : `at ${k.ms} ms`);

function killPoints(): KillPoint[] {
  const boundaries = scaled('GAIA_KILL_BOUNDARIES', 3);
  const randoms = scaled('GAIA_KILL_RANDOM', 1);
  const rand = prng(seedFromEnv(8_0001));
  // Spread over the whole apply (the first lines, the git wave, the databases and files, the sessions);
  // the seeded database's own three resources are already there, so 79 remain.
  const span = TOTAL - 3;
  const points: KillPoint[] = [];
  for (let i = 0; i < boundaries; i++) points.push({ kind: 'boundary', after: Math.max(1, Math.round(((i + 0.5) * span) / boundaries)) });
  for (let i = 0; i < randoms; i++) points.push({ kind: 'random', ms: Math.round(150 + rand() * 2450) });
  return points;
}

interface Outcome {
  readonly point: KillPoint;
  /** The apply had finished before the kill landed. */
  readonly finishedFirst: boolean;
  /** The kill left the apply lock behind (it landed after the lock was taken). */
  readonly heldLock: boolean;
  readonly linesBeforeKill: number;
  readonly problems: readonly string[];
}

/** The processes `pid` has started and that still run (Linux's /proc/PID/task/PID/children). */
function childrenOf(pid: number | undefined): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Running, and not a zombie. */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Start an apply and SIGKILL it at the point; resolves once the process is gone, and the commands it
 *  had started (a git or tmux command, now orphans) have finished. */
async function killApply(p: Project, point: KillPoint): Promise<{ finishedFirst: boolean; created: number }> {
  const child = p.start(['apply', '--auto-approve']);
  let created = 0;
  let killed = false;
  let orphans: number[] = [];
  const kill = () => {
    if (killed) return;
    killed = true;
    orphans = childrenOf(child.pid);
    child.kill('SIGKILL');
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    created += (chunk.toString().match(/: created/g) ?? []).length;
    if (point.kind === 'boundary' && created >= point.after) kill();
  });
  const timer = point.kind === 'random' ? setTimeout(kill, point.ms) : undefined;
  const r = await child;
  clearTimeout(timer);
  await until(() => !orphans.some(running));
  return { finishedFirst: r.signal !== 'SIGKILL', created };
}

async function crashAndRecover(point: KillPoint): Promise<Outcome> {
  const p = referenceProject();
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  try {
    // A database with rows before the apply that gets killed: nothing may lose them.
    const seeded = await p.run(['apply', '--auto-approve', '--target', 'sqlite_database.dev1.dev']);
    if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stdout}\n${seeded.stderr}`);
    const db = path.join(p.root, SEEDED_DB);
    sql(db, "INSERT INTO items (title) VALUES ('one'), ('two'), ('three')");

    const killed = await killApply(p, point);

    // 1. Nothing exists that the state store does not know (write-ahead records cover creates in flight).
    const before = world(p);
    const unknown = unknownToState(before, await recorded(p));
    check(unknown.length === 0, `unknown to the state store after the kill: ${unknown.join(', ')}`);

    // 2. No manual step: the dead holder's lock is there for the next command to take over.
    const held = sql(path.join(p.root, '.gaia/state.db'), 'SELECT pid FROM lock') !== '';

    // 3. The next plan is exactly the remaining work.
    const planned = await p.run(['plan', '--json']);
    check(planned.code === 0, `plan failed: ${planned.stderr.trim()}`);
    if (planned.code === 0) {
      const plan = JSON.parse(planned.stdout) as PlanJson;
      const rows = await recorded(p);
      const now = world(p);
      check(plan.conflicts.length === 0, `conflicts: ${plan.conflicts.map((c) => `${c.address}: ${c.text}`).join('; ')}`);
      const odd = plan.changes.filter((c) => c.action !== 'create' && c.action !== 'noop');
      check(odd.length === 0, `not only creates: ${odd.map((c) => `${c.action} ${c.address} (${c.reasons.map((r) => r.text).join(', ')})`).join('; ')}`);
      const creates = plan.changes.filter((c) => c.action === 'create');
      const existing = creates.filter((c) => alreadyThere(p, now, rows, c));
      check(existing.length === 0, `plans to create what exists: ${existing.map((c) => c.address).join(', ')}`);
      check(plan.changes.length === TOTAL, `plan covers ${plan.changes.length} of ${TOTAL} resources`);
      // Whatever is not planned is there: an address neither created nor existing would be lost work.
      const noops = plan.changes.filter((c) => c.action === 'noop');
      const missing = noops.filter((c) => !alreadyThere(p, now, rows, c));
      check(missing.length === 0, `planned as done but missing: ${missing.map((c) => c.address).join(', ')}`);
    }

    // 4. The next apply converges.
    const applied = await p.run(['apply', '--auto-approve']);
    check(applied.code === 0, `the next apply failed: ${applied.stdout.split('\n').filter((l) => /FAILED|Error/.test(l)).join(' | ')}${applied.stderr.trim()}`);
    const again = await p.run(['plan', '--detailed-exitcode']);
    check(again.code === 0 && again.stdout.includes('No changes.'), `not converged: ${again.stdout.split('\n').filter((l) => l.startsWith('  #')).join(' | ')}`);

    // 5. No rows lost; everything accounted for.
    check(sql(db, 'SELECT count(*) FROM items') === String(SEEDED_ROWS), `rows in ${SEEDED_DB}: ${sql(db, 'SELECT count(*) FROM items')}`);
    const after = world(p);
    check(after.sessions.length === 26 && after.worktrees.length === 5 && after.branches.length === 5,
      `end state: ${after.sessions.length} sessions, ${after.worktrees.length} worktrees, ${after.branches.length} branches`);
    check(unknownToState(after, await recorded(p)).length === 0, 'unknown things after converging');
    return { point, finishedFirst: killed.finishedFirst, heldLock: held, linesBeforeKill: killed.created, problems };
  } finally {
    p.cleanup();
  }
}

describe('crash consistency: SIGKILL during apply of the reference system', () => {
  const points = killPoints();

  it(`after each of ${points.length} kill points, the next plan is exactly the remaining work and the next apply converges without losing rows`, async () => {
    const outcomes: Outcome[] = [];
    for (const point of points) {
      const o = await crashAndRecover(point);
      outcomes.push(o);
      // bench/reliability.mjs runs dozens: show each as it lands (jest holds console.log until the end).
      if (process.env.GAIA_RELIABILITY_REPORT) process.stderr.write(`  kill ${outcomes.length}/${points.length} ${describePoint(point)}: ${o.problems.length ? `FAILED ${o.problems.join('; ')}` : 'converged'}\n`);
    }
    const converged = outcomes.filter((o) => o.problems.length === 0);
    const killedMidway = outcomes.filter((o) => !o.finishedFirst && o.heldLock).length;
    report({
      area: 'crash consistency', measure: 'kill points tried', tried: outcomes.length, okLabel: 'converged', ok: converged.length,
      notes: `${killedMidway} killed holding the lock; points: ${outcomes.map((o) => `${describePoint(o.point)}→${o.linesBeforeKill}`).join(', ')}`,
    });
    const failures = outcomes.filter((o) => o.problems.length).map((o) => `${describePoint(o.point)}: ${o.problems.join('; ')}`);
    expect(failures).toEqual([]);
    // The kills must mostly land mid-apply, or the test proves little.
    expect(killedMidway).toBeGreaterThanOrEqual(Math.ceil(outcomes.length / 2));
  }, 60_000 + points.length * 30_000);
});
