/** The dashboard API against a real server on a random loopback port, over a real applied project:
 *  a temporary git repository, SQLite stages and tmux sessions on a private socket. */
import fs from 'node:fs';
import { makePlan } from '../../src/engine/plan.js';
import { applyPlan } from '../../src/engine/apply.js';
import { openProject, type Project } from '../../src/engine/project.js';
import { buildStatus } from '../../src/ops/status.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { createApp } from '../../src/server/app.js';
import { checkBind, isLoopback } from '../../src/server/auth.js';
import type { DashboardData } from '../../src/server/data.js';
import { ServeRefused, startServer, type RunningServer } from '../../src/server/server.js';
import { tempRepo, type TempRepo } from '../helpers/git.js';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';

const TOKEN = 'test-token-0123456789abcdef';

let repo: TempRepo;
let tmux: PrivateTmux;
let manifest: string;
let open: RunningServer;
let guarded: RunningServer;
const savedSocket = process.env.GAIA_TMUX_SOCKET;

function manifestText(socket: string): string {
  return `version: 1
project: served
settings:
  tmux: { socket: ${socket} }
  state: .gaia/state.db
repository: { path: ., base: HEAD }
providers:
  sleeper: { command: ["sleep", "600"] }
environments:
  count: 1
  name: sv{n}
  path: envs/{env}
  branch: env/{env}
  stages:
    dev:
      database: { path: data/dev.db, migrations: db/migrations }
      port: { range: [18391, 18399] }
groups:
  workers:
    perEnvironment: true
    name: "{env}_worker"
    provider: sleeper
  pr_review:
    description: Reviewers of pull requests
    count: 2
    name: pr_review{n}
    provider: sleeper
`;
}

async function withProject<T>(fn: (p: Project) => Promise<T>): Promise<T> {
  const opened = await openProject(manifest);
  if (!opened.ok) throw new Error(opened.errors.map((e) => e.message).join('; '));
  try {
    return await fn(opened.project);
  } finally {
    await opened.project.close();
  }
}

async function get(server: RunningServer, route: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(new URL(route, server.url), init);
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json') && text !== '') body = JSON.parse(text);
  return { status: res.status, body, headers: res.headers };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  repo = tempRepo('gaia-serve-');
  tmux = privateTmux();
  process.env.GAIA_TMUX_SOCKET = tmux.socket;
  repo.write('.gitignore', 'envs/\n.gaia/\n');
  repo.write('db/migrations/001_init.sql', 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n');
  manifest = repo.write('orchestration.yaml', manifestText(tmux.socket));
  repo.git(['add', '-A']);
  repo.git(['commit', '-q', '-m', 'project']);
  await withProject(async (p) => {
    const { plan } = await makePlan(p);
    const result = await applyPlan(plan, p.store, p.ctx, {
      allowDataLoss: false, force: false, backupDir: p.backupDir, command: 'test apply', manifestHash: p.model.manifestHash, log: () => {},
    });
    if (!result.ok) throw new Error(`apply failed: ${JSON.stringify(result.results.filter((r) => r.status !== 'done'))}`);
    await p.store.addTask({ text: 'review #12', type: 'review', session: 'pr_review1' });
    const done = await p.store.addTask({ text: 'old work', session: 'pr_review2' });
    await p.store.completeTask(done.id);
  });
  open = await startServer({ file: manifest, host: '127.0.0.1', port: 0 });
  guarded = await startServer({ file: manifest, host: '127.0.0.1', port: 0, token: TOKEN });
});

afterAll(async () => {
  await open?.close();
  await guarded?.close();
  await tmux?.kill();
  repo?.cleanup();
  if (savedSocket === undefined) delete process.env.GAIA_TMUX_SOCKET;
  else process.env.GAIA_TMUX_SOCKET = savedSocket;
});

describe('routes', () => {
  test('every API route answers 200 JSON with the shape of the CLI output it mirrors', async () => {
    const status = await get(open, '/api/multi-env/status');
    expect(status.status).toBe(200);
    expect(status.headers.get('content-type')).toMatch(/^application\/json/);
    expect(status.headers.get('cache-control')).toBe('no-store');
    expect(status.body).toMatchObject({ formatVersion: 1, project: 'served', totals: { environments: 1, sessions: { expected: 3, up: 3, down: 0 } }, sync: { sync: 'Unknown' } });
    expect(status.body.environments[0]).toMatchObject({ name: 'sv1', branch: 'env/sv1', onBranch: true, stages: [{ name: 'dev', database: { exists: true, migrations: { applied: 1, wanted: 1 } }, port: { port: expect.any(Number), listening: false } }] });

    const directories = await get(open, '/api/multi-env/directories');
    expect(directories.status).toBe(200);
    expect(directories.body.directories).toEqual([expect.objectContaining({ name: 'sv1', path: 'envs/sv1', exists: true, branch: 'env/sv1', head: 'env/sv1' })]);

    const environments = await get(open, '/api/multi-env/environments');
    expect(environments.status).toBe(200);
    expect(environments.body.environments).toEqual([expect.objectContaining({ env: 'sv1', stage: 'dev', databaseExists: true, rows: 0, migrationsApplied: 1, port: status.body.environments[0].stages[0].port.port })]);

    const prGroups = await get(open, '/api/multi-env/pr-groups');
    expect(prGroups.status).toBe(200);
    expect(prGroups.body.pr_groups).toHaveLength(1);
    expect(prGroups.body.pr_groups[0]).toMatchObject({ name: 'pr_review', expected: 2, up: 2, sessions: [{ name: 'pr_review1', state: 'up', openTasks: 1 }, { name: 'pr_review2', state: 'up', openTasks: 0 }] });

    const health = await get(open, '/api/multi-env/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ project: 'served', verdict: 'healthy' });
    expect(health.body.environments[0].checks.map((c: { kind: string }) => c.kind)).toEqual(expect.arrayContaining(['directory', 'branch', 'database']));

    const plan = await get(open, '/api/plan');
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ formatVersion: 1, summary: { add: 0, change: 0, replace: 0, destroy: 0 } });

    const tasks = await get(open, '/api/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.body.map((t: { text: string }) => t.text)).toEqual(['review #12']);
    const all = await get(open, '/api/tasks?all=1');
    expect(all.body.map((t: { text: string; status: string }) => `${t.text}:${t.status}`)).toEqual(['review #12:open', 'old work:done']);

    const index = await get(open, '/api');
    expect(index.body.routes.map((r: { path: string }) => r.path)).toEqual(expect.arrayContaining(['/api/multi-env/status', '/api/plan', '/api/tasks']));
  });

  test('/api/plan is what `gaia plan --json` prints: the same renderer over the same plan', async () => {
    const served = (await get(open, '/api/plan')).body;
    const cli = JSON.parse(await withProject(async (p) => renderPlanJson((await makePlan(p)).plan)));
    expect({ ...served, createdAt: 0 }).toEqual({ ...cli, createdAt: 0 });
  });

  test('/api/multi-env/status is `gaia status --json` plus the reconcile sync axis', async () => {
    await sleep(1100);
    const served = (await get(open, '/api/multi-env/status')).body;
    const cli = JSON.parse(JSON.stringify(await withProject((p) => buildStatus(p))));
    const comparable = (s: any) => ({ ...s, generatedAt: 0, groups: s.groups.map((g: any) => ({ ...g, sessions: g.sessions.map((x: any) => ({ ...x, uptimeSeconds: 0 })) })) });
    const { sync, ...rest } = served;
    expect(comparable(rest)).toEqual(comparable(cli));
    expect(sync).toEqual({ sync: 'Unknown', crashLooping: [] });
  });

  test('the status filters of `gaia status` work as query parameters; an unknown name is a 400 naming the valid ones', async () => {
    const group = await get(open, '/api/multi-env/status?group=pr_review');
    expect(group.status).toBe(200);
    expect(group.body.groups.map((g: { name: string }) => g.name)).toEqual(['pr_review']);
    expect(group.body.environments).toEqual([]);
    const bad = await get(open, '/api/multi-env/status?group=nope');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'unknown group "nope"', status: 400, details: ['groups: workers, pr_review'] });
  });

  test('the page and its script are served with a strict content security policy', async () => {
    const page = await get(open, '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('<script src="/app.js" defer></script>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = await get(open, '/app.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.body).toContain('/api/multi-env/status');
    expect(() => new Function(script.body)).not.toThrow(); // it parses
  });
});

describe('errors are JSON with proper status codes', () => {
  test('an unknown route is a 404 JSON listing the routes', async () => {
    const r = await get(open, '/api/multi-env/nope');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: 'no such route: GET /api/multi-env/nope', status: 404 });
    expect(r.body.routes).toContain('/api/multi-env/health');
  });

  test.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s on a route is a 405 JSON with Allow: GET, HEAD', async (method) => {
    const r = await get(open, '/api/plan', { method });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect(r.body).toEqual({ error: `${method} is not allowed: the dashboard is read-only`, status: 405 });
  });

  test('HEAD is answered like GET, without a body', async () => {
    const r = await get(open, '/api/tasks', { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });

  test('a failure inside a route is a 500 JSON with its message and no stack trace', async () => {
    const failing: DashboardData = {
      status: () => Promise.reject(new Error('tmux exploded')),
      table: () => Promise.reject(new Error('unused')),
      health: () => Promise.reject(new Error('unused')),
      plan: () => Promise.reject(new Error('unused')),
      tasks: () => Promise.reject(new Error('unused')),
    };
    const logged: string[] = [];
    const app = createApp({ data: failing, logError: (m) => logged.push(m) });
    const res = await app.request('http://127.0.0.1/api/multi-env/status');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'tmux exploded', status: 500 });
    expect(text).not.toMatch(/\n\s+at /);
    expect(logged).toEqual(['/api/multi-env/status: tmux exploded']);
  });

  test('a manifest broken while serving is a 500 JSON with the located errors', async () => {
    const good = fs.readFileSync(manifest, 'utf8');
    const server = await startServer({ file: manifest, host: '127.0.0.1', port: 0, logError: () => {} });
    try {
      fs.writeFileSync(manifest, good.replace('count: 1', 'count: "one"'));
      const r = await get(server, '/api/multi-env/health');
      expect(r.status).toBe(500);
      expect(r.body.error).toBe(`the manifest ${manifest} is invalid`);
      expect(r.body.details.join('\n')).toMatch(/orchestration\.yaml:\d+:\d+ +environments\.count/);
    } finally {
      fs.writeFileSync(manifest, good);
      await server.close();
    }
  });

  test('a foreign Host header is refused with 403 when there is no token (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL('/api/tasks', open.url), { headers: { Host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('observation', () => {
  test('answers are shared for about a second, then a killed session shows down', async () => {
    const first = (await get(open, '/api/multi-env/status')).body;
    const again = (await get(open, '/api/multi-env/status')).body;
    expect(again.generatedAt).toBe(first.generatedAt);
    await tmux.run(['kill-session', '-t', '=pr_review2']);
    await sleep(1100);
    const after = (await get(open, '/api/multi-env/status')).body;
    expect(after.generatedAt).not.toBe(first.generatedAt);
    const session = after.groups.find((g: { name: string }) => g.name === 'pr_review').sessions.find((s: { name: string }) => s.name === 'pr_review2');
    expect(session.state).toBe('down');
    const plan = (await get(open, '/api/plan')).body;
    expect(plan.changes.find((c: { address: string }) => c.address === 'tmux_session.pr_review2').action).toBe('create');
  });
});

describe('token', () => {
  test('without a token, or with a wrong one, every route but the page\'s own files is 401 JSON', async () => {
    for (const route of ['/api', '/api/multi-env/status', '/api/plan', '/nope']) {
      const none = await get(guarded, route);
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ status: 401 });
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="gaia"');
    }
    const wrong = await get(guarded, '/api/plan', { headers: { Authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    // A cookie is never a credential, and a malformed one is no crash.
    for (const cookie of [`gaia_token=${TOKEN}`, 'gaia_token=%E0%A4%A', 'a=%', '=;;=%zz']) {
      const r = await get(guarded, '/api/plan', { headers: { Cookie: cookie } });
      expect({ cookie, status: r.status }).toEqual({ cookie, status: 401 });
      expect((await get(guarded, '/', { headers: { Cookie: cookie } })).status).toBe(200);
    }
  });

  test('the right bearer token is accepted on every route', async () => {
    const ok = await get(guarded, '/api/multi-env/pr-groups', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.body.pr_groups[0].name).toBe('pr_review');
    const page = await get(guarded, '/', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
  });

  test('a browser opening /#token=T gets the page (no data in it) and no cookie: the token stays on this port', async () => {
    for (const route of ['/', '/app.js', '/app.css', `/?token=${TOKEN}`]) {
      const res = await fetch(new URL(route, guarded.url), { redirect: 'manual' });
      expect({ route, status: res.status, cookie: res.headers.get('set-cookie') }).toEqual({ route, status: 200, cookie: null });
    }
    const js = await (await fetch(new URL('/app.js', guarded.url))).text();
    expect(js).toMatch(/sessionStorage/);
    expect(js).not.toMatch(/document\.cookie/);
  });

  test('binding a non-loopback address without a token is refused before anything listens', async () => {
    await expect(startServer({ file: manifest, host: '0.0.0.0', port: 0 })).rejects.toThrow(ServeRefused);
    await expect(startServer({ file: manifest, host: '0.0.0.0', port: 0 })).rejects.toThrow(/without a token/);
    for (const host of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', 'example.com', '::ffff:10.0.0.1', '::2', '128.0.0.1']) {
      expect(isLoopback(host)).toBe(false);
      expect(checkBind(host, undefined).ok).toBe(false);
      expect(checkBind(host, TOKEN).ok).toBe(true);
    }
    for (const host of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '[::ffff:127.1.2.3]', '::ffff:7f00:1', 'localhost']) {
      expect(isLoopback(host)).toBe(true);
      expect(checkBind(host, undefined).ok).toBe(true);
    }
    expect(checkBind('0.0.0.0', 'short')).toMatchObject({ ok: false, error: expect.stringMatching(/too short/) });
  });

  test('a port in use is refused with a message, not a crash', async () => {
    const port = open.port;
    await expect(startServer({ file: manifest, host: '127.0.0.1', port })).rejects.toThrow(`port ${port} is already in use`);
  });
});

test('close stops listening', async () => {
  const server = await startServer({ file: manifest, host: '127.0.0.1', port: 0 });
  expect((await get(server, '/api')).status).toBe(200);
  await server.close();
  await expect(fetch(new URL('/api', server.url))).rejects.toThrow();
});
