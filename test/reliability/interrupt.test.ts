/** Interrupted, killed: the kill-point suite with no manual step between the kill and the next
 *  command. `gaia apply` and `gaia destroy` of the reference system get SIGKILL, SIGTERM, SIGINT (to
 *  the whole process group, as the terminal's Ctrl-C sends it) or SIGHUP at a point of their run;
 *  then the next ordinary `gaia apply` / `gaia destroy` must converge by itself. A graceful signal
 *  must end gaia with 128 + its number and release the lock; no git lock file may be left in the
 *  user's repository; rows put in a database beforehand survive. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { GAIA_BIN } from '../helpers/cli.js';
import { prng, recorded, referenceProject, report, scaled, seedFromEnv, sleep, sql, unknownToState, world, type Project } from './support.js';

type Signal = 'SIGKILL' | 'SIGTERM' | 'SIGINT' | 'SIGHUP';
type Op = 'apply' | 'destroy';
const SIGNALS: readonly Signal[] = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP'];
const EXIT: Record<Signal, number> = { SIGKILL: 137, SIGTERM: 143, SIGINT: 130, SIGHUP: 129 };
const SEEDED_DB = 'envs/dev1/data/dev.db';

interface Point {
  readonly signal: Signal;
  readonly op: Op;
  /** Kill after this many resources landed, or (when undefined) after `ms`. */
  readonly after?: number;
  readonly ms: number;
}

function points(): Point[] {
  const perPair = scaled('GAIA_INTERRUPT_POINTS', 1);
  const rand = prng(seedFromEnv(17_0001));
  const out: Point[] = [];
  for (const op of ['apply', 'destroy'] as const) {
    for (const signal of SIGNALS) {
      for (let i = 0; i < perPair; i++) {
        // Half by resources landed (spread over the run), half by time (0.02-1 s after start).
        const byCount = i % 2 === 0;
        out.push({ signal, op, ms: Math.round(20 + rand() * 980), ...(byCount ? { after: 1 + Math.floor(rand() * 70) } : {}) });
      }
    }
  }
  return out;
}

const describePoint = (p: Point) => `${p.op} ${p.signal} ${p.after !== undefined ? `after ${p.after} landed` : `at ${p.ms} ms`}`;

/** Git lock files anywhere in the repository's .git (index.lock, packed-refs.lock, HEAD.lock, …). */
function gitLocks(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'objects') walk(full);
      else if (e.name.endsWith('.lock')) found.push(path.relative(root, full));
    }
  };
  walk(path.join(root, '.git'));
  return found;
}

async function interruptAndRecover(point: Point): Promise<{ problems: string[]; midway: boolean }> {
  const p: Project = referenceProject();
  const problems: string[] = [];
  let midway: boolean;
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  try {
    const db = path.join(p.root, SEEDED_DB);
    if (point.op === 'apply') {
      const seeded = await p.run(['apply', '--auto-approve', '--target', 'sqlite_database.dev1.dev']);
      if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stdout}\n${seeded.stderr}`);
      sql(db, "INSERT INTO items (title) VALUES ('one'), ('two'), ('three')");
    } else {
      const full = await p.run(['apply', '--auto-approve']);
      if (full.code !== 0) throw new Error(`apply before destroy failed: ${full.stdout}\n${full.stderr}`);
    }

    // Its own process group, so a group signal reaches gaia as a terminal's would (and not this test).
    const child = execa(GAIA_BIN, [point.op, '--auto-approve'], { cwd: p.root, env: { ...p.env, GAIA_INTERRUPT_GRACE: '3000' }, reject: false, stdin: 'ignore', detached: true });
    let landed = 0;
    let sent = false;
    const send = () => {
      if (sent || child.pid === undefined) return;
      sent = true;
      try {
        if (point.signal === 'SIGINT') process.kill(-child.pid, 'SIGINT');
        else process.kill(child.pid, point.signal);
      } catch {
        /* already exited */
      }
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      landed += (chunk.toString().match(/: (created|destroyed|adopted)/g) ?? []).length;
      if (point.after !== undefined && landed >= point.after) send();
    });
    const timer = point.after === undefined ? setTimeout(send, point.ms) : undefined;
    const r = await child;
    clearTimeout(timer);
    const finishedFirst = !sent || (r.exitCode === 0 && !String(r.stdout).includes('Interrupted'));
    midway = !finishedFirst;
    if (!finishedFirst && point.signal !== 'SIGKILL') {
      // A signal in node's own start-up, before gaia's first line runs, ends it by that signal: the
      // shell's status is the same 128+n, and nothing was started or read.
      const diedStarting = r.signal === point.signal && String(r.stdout) === '';
      check(r.exitCode === EXIT[point.signal] || diedStarting, `exit ${r.exitCode ?? r.signal} after ${point.signal}, not ${EXIT[point.signal]}: ${String(r.stderr).slice(-300)}`);
      check(/Interrupted \(SIG\w+\): \d+ of \d+ changes applied/.test(String(r.stdout)) || /cancelled/.test(String(r.stdout)) || !String(r.stdout).includes('Plan:'),
        `no summary after ${point.signal}: ${String(r.stdout).slice(-300)}`);
      const lockRow = existsSync(path.join(p.root, '.gaia/state.db')) ? sql(path.join(p.root, '.gaia/state.db'), 'SELECT count(*) FROM lock') : '0';
      check(lockRow === '0', `the lock is still held after ${point.signal}`);
    }
    // The user's repository: no git lock left behind, and git works in it.
    await sleep(200); // a SIGKILLed gaia's last git command may still be finishing
    const locks = gitLocks(p.root);
    check(locks.length === 0, `git lock files left: ${locks.join(', ')}`);
    check(p.git(['status', '--porcelain']) !== undefined, 'git status fails in the repository');

    // The next ordinary command converges; nothing in between.
    const next = await p.run([point.op, '--auto-approve']);
    check(next.code === 0, `the next ${point.op} failed (${next.code}): ${next.stdout.split('\n').filter((l) => /FAILED|Error|conflict/i.test(l)).join(' | ')} ${next.stderr.trim()}`);
    const again = await p.run(['plan', '--detailed-exitcode', ...(point.op === 'destroy' ? ['--destroy'] : [])]);
    check(again.code === 0, `not converged after the next ${point.op}: ${again.stdout.split('\n').filter((l) => l.startsWith('  #') || l.includes('!')).join(' | ')} ${again.stderr.trim()}`);
    const w = world(p);
    if (point.op === 'apply') {
      check(sql(db, 'SELECT count(*) FROM items') === '3', `rows in ${SEEDED_DB}: ${sql(db, 'SELECT count(*) FROM items')}`);
      check(w.sessions.length === 26 && w.worktrees.length === 5 && w.branches.length === 5, `end state: ${w.sessions.length} sessions, ${w.worktrees.length} worktrees, ${w.branches.length} branches`);
      check(unknownToState(w, await recorded(p)).length === 0, 'things unknown to the state store');
    } else {
      check(w.sessions.length === 0 && w.worktrees.length === 0 && w.branches.length === 0, `left after destroy: ${[...w.sessions, ...w.worktrees, ...w.branches].join(', ')}`);
      check((await recorded(p)).length === 0, 'the state store still records resources after destroy');
    }
  } finally {
    p.cleanup();
  }
  return { problems, midway };
}

describe('interrupted, killed: the next ordinary command converges', () => {
  const all = points();
  it(`${all.length} interruptions of apply and destroy (SIGKILL, SIGTERM, SIGINT to the group, SIGHUP) converge with no manual step`, async () => {
    const failures: string[] = [];
    const tally = new Map<string, { tried: number; ok: number; midway: number }>();
    for (const point of all) {
      const { problems, midway } = await interruptAndRecover(point);
      const key = `${point.op} ${point.signal}`;
      const t = tally.get(key) ?? { tried: 0, ok: 0, midway: 0 };
      tally.set(key, { tried: t.tried + 1, ok: t.ok + (problems.length ? 0 : 1), midway: t.midway + (midway ? 1 : 0) });
      if (problems.length) failures.push(`${describePoint(point)}: ${problems.join('; ')}`);
      if (process.env.GAIA_RELIABILITY_REPORT) process.stderr.write(`  ${describePoint(point)}: ${problems.length ? `FAILED ${problems.join('; ')}` : 'converged'}\n`);
    }
    for (const [key, t] of tally) report({ area: 'interruption', measure: `${key}: interrupted`, tried: t.tried, okLabel: 'converged with no manual step', ok: t.ok, notes: `${t.midway} landed mid-run` });
    expect(failures).toEqual([]);
  }, 120_000 + all.length * 40_000);
});
