import { execFileSync } from 'node:child_process';
import fs, { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv';

// ajv is CommonJS; under NodeNext its class is the default export's default.
type AjvClass = new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as unknown as AjvClass;
import { testProject, type TestProject } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';

const sqlite = (file: string, statement: string) => execFileSync('sqlite3', [file, statement], { encoding: 'utf8' }).trim();

const manifest = (workerCommand = 'sleep 3600', withReviewers = true) => `
version: 1
project: e2e
repository: { path: ., base: main }
providers:
  sleeper: { command: "${workerCommand}", costPerMonth: 1 }
environments:
  count: 2
  name: dev{n}
  stages:
    dev: { database: { path: data/dev.db, migrations: db }, port: { range: [28100, 28109] } }
groups:
  workers: { perEnvironment: true, name: "{env}_worker", provider: sleeper }
${withReviewers ? '  reviewers: { count: 2, name: "review{n}", command: ["sleep", "3600"] }' : ''}
files:
  envs_json: { path: envs/environments.json, json: "{environments}" }
`;

describe('gaia plan / apply / destroy on real tmux, git and SQLite', () => {
  let p: TestProject;
  beforeEach(() => {
    p = testProject(manifest(), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
  });
  afterEach(() => p.cleanup());

  it('creates everything, then plans "No changes." with exit 0; a changed command is a replace; a removed group deletes only owned sessions', async () => {
    const first = await p.gaia(['plan', '--detailed-exitcode']);
    expect(first.code).toBe(2);
    expect(first.stdout).toContain('Plan: 13 to add, 0 to change, 0 to destroy.');

    const applied = await p.gaia(['apply', '--auto-approve']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(p.sessions()).toEqual(['dev1_worker', 'dev2_worker', 'review1', 'review2']);
    expect(p.git(['worktree', 'list'])).toContain('envs/dev1');

    const again = await p.gaia(['plan', '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');

    p.write('orchestration.yaml', manifest('sleep 7200'));
    const changed = await p.gaia(['plan', '--detailed-exitcode']);
    expect(changed.code).toBe(2);
    expect(changed.stdout).toMatch(/tmux_session\.dev1_worker must be replaced \(command changed\)/);
    expect(changed.stdout).toContain('Plan: 0 to add, 0 to change, 2 to replace, 0 to destroy.');
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
    expect(p.tmux(['display-message', '-p', '-t', '=dev1_worker:', '#{pane_start_command}'])).toContain('7200');

    // A session gaia did not make, next to the group that is about to go.
    p.tmux(['new-session', '-d', '-s', 'review9', 'sleep 3600']);
    p.write('orchestration.yaml', manifest('sleep 7200', false));
    const removed = await p.gaia(['plan']);
    expect(removed.stdout).toContain('Plan: 0 to add, 0 to change, 2 to destroy.');
    expect(removed.stdout).not.toContain('review9');
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
    expect(p.sessions()).toEqual(['dev1_worker', 'dev2_worker', 'review9']);
  });

  it('reports an unmanaged session with a manifest name as a conflict and never touches it', async () => {
    p.tmux(['new-session', '-d', '-s', 'review1', 'sleep 3600']);
    const pid = p.tmux(['display-message', '-p', '-t', '=review1:', '#{pane_pid}']).trim();
    const planned = await p.gaia(['plan']);
    expect(planned.stdout).toContain('Conflicts');
    expect(planned.stdout).toMatch(/tmux_session\.review1: .*gaia did not create it/);
    // The rest is applied, but the world does not match the manifest while the conflict stays: exit 1.
    const applied = await p.gaia(['apply', '--auto-approve']);
    expect(applied.code).toBe(1);
    expect(applied.stdout).toContain('1 conflict remains unresolved');
    expect((await p.gaia(['destroy', '--auto-approve'])).code).toBe(0);
    expect(p.sessions()).toEqual(['review1']);
    expect(p.tmux(['display-message', '-p', '-t', '=review1:', '#{pane_pid}']).trim()).toBe(pid);
  });

  it('prints JSON that matches schemas/plan.schema.json', async () => {
    const r = await p.gaia(['plan', '--json']);
    const plan = JSON.parse(r.stdout);
    const schema = JSON.parse(readFileSync(path.resolve('schemas/plan.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    const valid = validate(plan);
    expect(valid ? [] : validate.errors).toEqual([]);
    expect(plan.summary.add).toBe(13);
  });

  it('refuses a saved plan once the world has moved, and applies a fresh one', async () => {
    expect((await p.gaia(['apply', '--auto-approve', '--target', 'tmux_session.review1'])).code).toBe(0);
    expect((await p.gaia(['plan', '-o', 'plan.json'])).code).toBe(0);
    p.tmux(['kill-session', '-t', '=review1']);
    const stale = await p.gaia(['apply', 'plan.json']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/saved plan plan\.json is stale/);
    expect((await p.gaia(['plan', '-o', 'plan.json'])).code).toBe(0);
    const ok = await p.gaia(['apply', 'plan.json']);
    expect(ok.code).toBe(0);
    expect(p.sessions()).toHaveLength(4);
  });

  it('--dry-run prints the exact commands and changes nothing', async () => {
    const r = await p.gaia(['apply', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\$ tmux -L gaia-test-\w+ -u new-session -d -s review1/);
    expect(r.stdout).toMatch(/\$ git -C \S+ worktree add/);
    expect(p.sessions()).toEqual([]);
    expect(p.git(['branch', '--list', 'env/*'])).toBe('');
  });

  it('refuses to apply without --auto-approve when not in a terminal', async () => {
    const r = await p.gaia(['apply']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to apply without confirmation');
    expect(p.sessions()).toEqual([]);
  });

  it('lets one of two concurrent applies work; the other waits or names the holder; the end state is right', async () => {
    const [a, b] = await Promise.all([p.spawn(['apply', '--auto-approve', '--lock-timeout', '20s']), p.spawn(['apply', '--auto-approve', '--lock-timeout', '20s'])]);
    expect([a, b].map((r) => `${r.exitCode} ${String(r.stderr)}`)).toEqual(['0 ', '0 ']);
    const outputs = [String(a.stdout), String(b.stdout)];
    expect(outputs.filter((o) => o.includes('Apply complete!'))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes('No changes.'))).toHaveLength(1);
    expect(p.sessions()).toHaveLength(4);
    const busy = await Promise.all([p.spawn(['apply', '--auto-approve']), p.spawn(['destroy', '--auto-approve'])]);
    const refused = busy.filter((r) => r.exitCode === 1);
    for (const r of refused) expect(String(r.stderr)).toMatch(/locked by gaia (apply|destroy) \(pid \d+ on .+, since/);
  });

  it('recovers from kill -9 during apply with no manual step: the next apply takes over the dead lock, names it and converges', async () => {
    const child = p.spawn(['apply', '--auto-approve']);
    // Killed once it holds the lock (polled, not a fixed sleep: on a loaded machine 700 ms may not reach it).
    const db = path.join(p.root, '.gaia/state.db');
    const locked = () => {
      try {
        return fs.existsSync(db) && sqlite(db, 'SELECT count(*) FROM lock') === '1';
      } catch {
        return false; // not migrated yet
      }
    };
    await until(() => locked() || child.exitCode !== null);
    child.kill('SIGKILL');
    await child;
    const heldLock = fs.existsSync(path.join(p.root, '.gaia/state.db')) && sqlite(path.join(p.root, '.gaia/state.db'), 'SELECT count(*) FROM lock') === '1';
    const next = await p.gaia(['apply', '--auto-approve']);
    expect(next.code).toBe(0);
    if (heldLock) expect(next.stdout).toMatch(/Took over the lock of gaia apply \(pid \d+ on .+\), which died/);
    const final = await p.gaia(['plan', '--detailed-exitcode']);
    expect(final.stdout).not.toContain('Conflicts');
    expect(final.code).toBe(0);
    expect(p.sessions()).toEqual(['dev1_worker', 'dev2_worker', 'review1', 'review2']);
  });

  it('rejects a bad manifest with its location and exit 1, never a stack trace', async () => {
    p.write('orchestration.yaml', manifest().replace('count: 2', 'count: 0'));
    const r = await p.gaia(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/orchestration\.yaml:\d+:\d+ {2}environments\.count: /);
    expect(r.stderr).not.toMatch(/\bat .+\.(m?js|ts):\d+/);
  });
});
