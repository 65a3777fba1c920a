/** A team on shared hosts: two clones of one project (two folders) with their state on one real
 *  PostgreSQL server (test/helpers/postgres.ts), applying to the same real sshd host
 *  (test/helpers/hosts.ts). Each owns what the other made there, sees the other's last apply as
 *  "No changes.", and two applies at once take turns. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { testProject, type TestProject } from '../helpers/cli.js';
import { hostsWorld, type HostsWorld } from '../helpers/hosts.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { haveSshd } from '../helpers/sshd.js';

const suite = haveSshd() ? describe : describe.skip;

suite('two clones sharing a PostgreSQL state and a host', () => {
  let world: HostsWorld;
  let server: PgServer;
  const projects: TestProject[] = [];

  beforeAll(async () => {
    [world, server] = await Promise.all([hostsWorld(['alpha']), startPostgres()]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([world?.close(), server?.stop()]);
  });
  afterEach(() => {
    for (const p of projects.splice(0)) p.cleanup();
  });

  it('each clone owns what the other made there: "No changes." after the other\'s apply, and two applies at once take turns', async () => {
    const url = await server.database();
    const env = { ...world.env, GAIA_STATE_URL: url };
    const manifest = (count: number, repo: string) => `version: 1
project: team
${world.yaml()}
repository: { path: ., url: ${repo}, base: main }
environments:
  count: ${count}
  name: dev{n}
  hosts: [alpha]
  stages:
    qa: { database: { path: data/qa.db, migrations: db } }
groups:
  workers: { perEnvironment: true, name: "{env}_worker", command: ["sleep", "3600"] }
`;
    const clone = (): TestProject => {
      const p = testProject('version: 1\nproject: placeholder\n', { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
      projects.push(p);
      return p;
    };
    const [a, b] = [clone(), clone()];
    // One manifest, as both clones would have it from the repository.
    const write = (count: number) => {
      for (const p of [a, b]) p.write('orchestration.yaml', manifest(count, a.root));
    };
    write(2);
    const first = await a.gaia(['apply', '--auto-approve'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const host = world.hosts[0]!;
    expect(host.sessions()).toEqual(['dev1_worker', 'dev2_worker']);
    // A row the app wrote in a stage database there: the other clone must not see it as someone else's.
    const db = new Database(path.join(host.projectRoot, 'envs/dev1/data/qa.db'));
    db.exec('INSERT INTO t VALUES (1)');
    db.close();

    const seen = await b.gaia(['plan', '--detailed-exitcode'], env);
    expect(seen.stdout).toContain('No changes.');
    expect(seen.code).toBe(0);

    // A session marked by the other clone's own folder, as a clone made things before the clones of
    // a shared store had one identity: it is still this project's, since the store records it.
    host.tmux(['set-environment', '-t', '=dev2_worker', 'GAIA_PROJECT', `team@${b.root}`]);
    const legacy = await a.gaia(['plan', '--detailed-exitcode'], env);
    expect(legacy.stdout).toContain('No changes.');
    expect(legacy.code).toBe(0);

    // The other clone grows it; the first then has nothing to do.
    write(3);
    const grown = await b.gaia(['apply', '--auto-approve'], env);
    expect(grown.stderr).toBe('');
    expect(grown.stdout).toContain('tmux_session.dev3_worker');
    expect(grown.stdout).not.toMatch(/dev[12]_worker/);
    const back = await a.gaia(['plan', '--detailed-exitcode'], env);
    expect(back.stdout).toContain('No changes.');
    expect(back.code).toBe(0);

    // Both at once: one waits for the other's lock; together they make dev4 once.
    write(4);
    const runs = await Promise.all([a, b].map((p) => p.spawn(['apply', '--auto-approve', '--lock-timeout', '60s'], env)));
    expect(runs.map((r) => `${r.exitCode} ${String(r.stderr)}`)).toEqual(['0 ', '0 ']);
    expect(runs.filter((r) => String(r.stdout).includes('No changes.'))).toHaveLength(1);
    expect(host.sessions()).toEqual(['dev1_worker', 'dev2_worker', 'dev3_worker', 'dev4_worker']);
    for (const p of [a, b]) {
      const after = await p.gaia(['plan', '--detailed-exitcode'], env);
      expect(after.stdout).toContain('No changes.');
      expect(after.code).toBe(0);
    }
    // The row is still there, and nothing was made in either clone's own folder.
    const kept = new Database(path.join(host.projectRoot, 'envs/dev1/data/qa.db'), { readonly: true });
    expect(kept.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    kept.close();
    expect([a, b].map((p) => fs.existsSync(path.join(p.root, 'envs')))).toEqual([false, false]);

    // Either clone's destroy removes it all there.
    const destroyed = await b.gaia(['destroy', '--auto-approve', '--allow-data-loss'], env);
    expect(destroyed.code).toBe(0);
    expect(host.sessions()).toEqual([]);
  }, 180_000);
});
