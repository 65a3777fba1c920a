/** The built gaia with its state on a real PostgreSQL server (test/helpers/postgres.ts): no SQLite store
 *  in the project, two clones of one project sharing the state and its lock, a killed holder taken over,
 *  a live one never stolen, and an unreachable server said plainly with the password masked. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPostgresStore } from '../../src/state/postgres-store.js';
import { testProject, type TestProject } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';
import { freePort, PG_PASSWORD, startPostgres, type PgServer } from '../helpers/postgres.js';

/** A session whose after_create hook keeps the apply (and its lock) busy for `hold` seconds. */
const manifest = (hold: number, state?: string) => `
version: 1
project: team
${state ? `settings: { state: "${state}" }` : ''}
groups:
  workers: { count: 1, name: "w{n}", command: ["sleep", "3600"], hooks: { after_create: ["sleep ${hold}"] } }
files:
  notes: { path: out/notes.txt, content: "hello" }
`;

const STACK = /\bat .+\.(m?js|ts):\d+/;

let server: PgServer;
const projects: TestProject[] = [];

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => server?.stop());
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

function project(text: string): TestProject {
  const p = testProject(text);
  projects.push(p);
  return p;
}

/** What gaia leaves in a project with SQLite state and must not with PostgreSQL. */
function sqliteLeftovers(p: TestProject): string[] {
  const dir = path.join(p.root, '.gaia');
  const names = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String) : [];
  return names.filter((n) => /state|\.db|\.lock/.test(n));
}

/** The server process of the connection holding the apply lock while an apply is on record as running;
 *  undefined before that (or before the first migration made the tables). */
async function lockHolderBackend(url: string): Promise<number | undefined> {
  try {
    const rows = await server.query<{ pid: number }>(url, "SELECT pg_locks.pid FROM pg_locks, lock, applies WHERE locktype = 'advisory' AND granted AND applies.status = 'running'");
    return rows[0]?.pid;
  } catch {
    return undefined; // not migrated yet
  }
}

describe('gaia with its state on PostgreSQL', () => {
  it('applies a manifest whose settings.state is a postgres:// URL, then plans "No changes."; no SQLite store, lock file or backup is made', async () => {
    const url = await server.database();
    const p = project(manifest(0, url));
    const applied = await p.gaia(['apply', '--auto-approve']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(p.sessions()).toEqual(['w1']);
    const again = await p.gaia(['plan', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
    expect(sqliteLeftovers(p)).toEqual([]);
    expect(await server.query(url, 'SELECT address FROM resources ORDER BY address')).toEqual([{ address: 'file.notes' }, { address: 'tmux_session.w1' }]);
  });

  it('two clones of one project (two folders) applying at once against one database never interleave; each one\'s history shows the other\'s apply', async () => {
    const url = await server.database();
    const env = { GAIA_STATE_URL: url };
    const [a, b] = [project(manifest(2)), project(manifest(2))];
    const runs = await Promise.all([a, b].map((p) => p.spawn(['apply', '--auto-approve', '--lock-timeout', '60s'], env)));
    expect(runs.map((r) => `${r.exitCode} ${String(r.stderr)}`)).toEqual(['0 ', '0 ']);
    expect([a, b].map((p) => p.sessions())).toEqual([['w1'], ['w1']]);
    // One after the other: the second began only after the first had finished.
    const rows = await server.query<{ started_at: string; finished_at: string; status: string }>(url, 'SELECT started_at, finished_at, status FROM applies ORDER BY id');
    expect(rows.map((r) => r.status)).toEqual(['done', 'done']);
    expect(rows[0]!.finished_at <= rows[1]!.started_at).toBe(true);
    for (const p of [a, b]) {
      const history = await p.gaia(['state', 'history'], env);
      expect(history.code).toBe(0);
      expect(history.stdout.split('\n').filter((l) => /^#\d+ .*gaia apply.*: done/.test(l))).toHaveLength(2);
    }
    expect([a, b].flatMap(sqliteLeftovers)).toEqual([]);
    // The claim is the project's name: another project pointed at this database is refused.
    const other = project(manifest(0).replace('project: team', 'project: other'));
    const refused = await other.gaia(['plan'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cannot open the state database ${url.replace(PG_PASSWORD, '***')}: it belongs to project "team"`);
    expect(refused.stderr).toContain('a database of its own');
  });

  it('an apply killed with SIGKILL while it holds the lock: the next ordinary apply takes the lock over, names it and converges', async () => {
    const url = await server.database();
    const env = { GAIA_STATE_URL: url };
    const p = project(manifest(30));
    const child = p.spawn(['apply', '--auto-approve'], env);
    // Killed in the middle of its work: holding the lock, its apply on record as running.
    const locked = async () => (await lockHolderBackend(url)) !== undefined;
    expect(await until(async () => (await locked()) || child.exitCode !== null)).toBe(true);
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    await child;
    p.write('orchestration.yaml', manifest(0)); // the rest of the work needs no long hook
    const next = await p.gaia(['apply', '--auto-approve'], env);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(new RegExp(`Took over the lock of gaia apply \\(pid ${child.pid} on .+, since .+\\), which died`));
    const final = await p.gaia(['plan', '--detailed-exitcode'], env);
    expect(final.code).toBe(0);
    // The killed apply is on record as interrupted (the next had only what was left, or nothing, to do).
    expect((await server.query<{ status: string }>(url, 'SELECT status FROM applies ORDER BY id'))[0]?.status).toBe('interrupted');
    expect(await server.query(url, 'SELECT count(*)::int AS n FROM lock')).toEqual([{ n: 0 }]);
  });

  it('an apply whose lock connection ends under it (a server restart, the network) starts nothing new, says so and exits 1; the next apply converges', async () => {
    const url = await server.database();
    const env = { GAIA_STATE_URL: url };
    const p = project(manifest(4));
    const child = p.spawn(['apply', '--auto-approve'], env);
    let pid: number | undefined;
    expect(await until(async () => (pid = await lockHolderBackend(url)) !== undefined || child.exitCode !== null)).toBe(true);
    await server.query(url, 'SELECT pg_terminate_backend($1)', [pid]);
    const lost = await child;
    expect(lost.stdout).toContain('Lost the state lock');
    expect(lost.stderr).toContain('the state lock was lost while applying');
    expect(lost.stderr).not.toMatch(STACK);
    expect(lost.exitCode).toBe(1);
    p.write('orchestration.yaml', manifest(0));
    const next = await p.gaia(['apply', '--auto-approve'], env);
    expect([next.code, next.stderr]).toEqual([0, '']);
    expect((await p.gaia(['plan', '--detailed-exitcode'], env)).code).toBe(0);
  });

  it('a live holder (another machine\'s apply) is never stolen: gaia waits its --lock-timeout, names the holder and exits 1', async () => {
    const url = await server.database();
    const env = { GAIA_STATE_URL: url };
    const p = project(manifest(0));
    const holder = await openPostgresStore(url);
    try {
      const held = await holder.acquireLock('gaia apply', 0);
      expect(held.kind).toBe('acquired');
      const refused = await p.gaia(['apply', '--auto-approve', '--lock-timeout', '1s'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`the state is locked by gaia apply \\(pid ${process.pid} on ${os.hostname()}, since .+\\), which is still running`));
      expect(p.sessions()).toEqual([]);
      if (held.kind === 'acquired') await held.release();
    } finally {
      await holder.close();
    }
    expect((await p.gaia(['apply', '--auto-approve'], env)).code).toBe(0);
  });

  it('a server that cannot be reached, or refuses the login, is a clear error naming the masked URL: exit 1, no stack trace', async () => {
    const p = project(manifest(0));
    const port = await freePort();
    const down = await p.gaia(['plan'], { GAIA_STATE_URL: `postgres://gaia:${PG_PASSWORD}@127.0.0.1:${port}/state` });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`Error: cannot open the state database postgres://gaia:***@127.0.0.1:${port}/state: connect ECONNREFUSED`);
    const url = await server.database();
    const badLogin = await p.gaia(['apply', '--auto-approve'], { GAIA_STATE_URL: url.replace(PG_PASSWORD, 'not-the-password') });
    expect(badLogin.code).toBe(1);
    expect(badLogin.stderr).toMatch(/password authentication failed for user "postgres"/);
    const notUrl = await p.gaia(['plan'], { GAIA_STATE_URL: 'mysql://gaia:secret@db/state' });
    expect(notUrl.code).toBe(1);
    expect(notUrl.stderr).toContain('mysql://gaia:***@db/state: it is not a PostgreSQL URL');
    for (const r of [down, badLogin, notUrl]) {
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).not.toContain(PG_PASSWORD);
      expect(r.stderr).not.toContain('secret');
    }
    expect(sqliteLeftovers(p)).toEqual([]);
    expect(p.sessions()).toEqual([]);
  });
});
