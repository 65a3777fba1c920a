/** Security: each attack of issue 18 run as a hostile user would, counted, and printed as a table
 *  `attack | attempts | blocked` when the file ends. Every row must be 100 % blocked. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { project, type Project } from './support.js';
import { createApp } from '../../src/server/app.js';
import { isLoopback } from '../../src/server/auth.js';
import { applyFiles } from '../../src/providers/file/apply.js';
import type { ApplyContext } from '../../src/providers/provider.js';
import type { Change } from '../../src/core/plan.js';
import type { DashboardData } from '../../src/server/data.js';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { keyedDigests, legacyDigest } from '../../src/core/digest.js';
import { hashOf } from '../../src/core/hash.js';
import type { Attributes, Json } from '../../src/core/resource.js';
import { sessionSpecHash } from '../../src/providers/tmux/spec.js';
import { sqliteProvider } from '../../src/providers/sqlite/index.js';
import { backupDatabase } from '../../src/providers/sqlite/backup.js';
import { backUpStore } from '../../src/state/sqlite-store.js';
import { writeCacheEntries } from '../../src/providers/cache-file.js';
import { localFiles, localHost } from '../../src/host/local/local-host.js';

type Row = { attempts: number; blocked: number };
const table = new Map<string, Row>();
/** One attempt of an attack; `blocked` says whether gaia stopped it. Returns `blocked` for expect(). */
function attempt(attack: string, blocked: boolean): boolean {
  const row = table.get(attack) ?? { attempts: 0, blocked: 0 };
  row.attempts++;
  if (blocked) row.blocked++;
  table.set(attack, row);
  return blocked;
}

afterAll(() => {
  const rows = [...table.entries()];
  const width = Math.max(6, ...rows.map(([a]) => a.length));
  const lines = [`${'attack'.padEnd(width)} | attempts | blocked`, `${'-'.repeat(width)}-|----------|--------`];
  for (const [a, r] of rows) lines.push(`${a.padEnd(width)} | ${String(r.attempts).padStart(8)} | ${String(r.blocked).padStart(7)}`);
  const text = lines.join('\n');
  console.log(`[security]\n${text}`);
  const out = process.env.GAIA_SECURITY_TABLE;
  if (out) writeFileSync(out, `${text}\n`);
});

const outsideDir = () => mkdtempSync(path.join(os.tmpdir(), 'gaia-victim-'));
const sqlite = (file: string, sql: string) => execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();

function dbManifest(): string {
  return `
version: 1
project: sec
repository: { path: ., base: main }
environments:
  count: 1
  name: dev{n}
  stages:
    dev:
      database: { path: data/dev.db, migrations: db }
`;
}

describe('read-only commands run no migration SQL that reaches a file; apply keeps it inside the root', () => {
  let victimDir: string;
  let victim: string;
  beforeEach(() => {
    victimDir = outsideDir();
    victim = path.join(victimDir, 'victim.db');
    sqlite(victim, 'CREATE TABLE precious (x); INSERT INTO precious VALUES (1),(2),(3);');
  });
  afterEach(() => rmSync(victimDir, { recursive: true, force: true }));

  const attacks = (victimPath: string, created: string) => ({
    'ATTACH + DELETE': `CREATE TABLE t (x);\nATTACH DATABASE '${victimPath}' AS v;\nDELETE FROM v.precious;\n`,
    'ATTACH creating a file': `CREATE TABLE t (x);\nattach   '${created}' as w;\nCREATE TABLE w.planted (x);\n`,
    'ATTACH of an expression': `CREATE TABLE t (x);\nATTACH '${victimPath.slice(0, 5)}' || '${victimPath.slice(5)}' AS v;\nDELETE FROM v.precious;\n`,
    'VACUUM INTO': `CREATE TABLE t (x);\nVACUUM main INTO '${created}';\n`,
    'ATTACH behind a comment': `CREATE TABLE t (x); /* ' */ ATTACH/**/'${victimPath}' AS v; DELETE FROM v.precious;\n`,
  });

  // One project per command, its migration rewritten per attack: the loader hashes files, no commit needed.
  for (const command of ['plan', 'status', 'apply']) {
    it(`gaia ${command} with an existing database gaia does not own: the victim keeps its rows, no file appears outside`, async () => {
      const created = path.join(victimDir, 'created.db');
      const p: Project = project(dbManifest(), { 'db/001.sql': 'CREATE TABLE t (x);\n' });
      try {
        mkdirSync(path.join(p.root, 'data'));
        // A database gaia did not create, with a schema: plan must compare it with what the migrations build.
        sqlite(path.join(p.root, 'data/dev.db'), 'CREATE TABLE t (x);');
        for (const [name, sql] of Object.entries(attacks(victim, created))) {
          writeFileSync(path.join(p.root, 'db/001.sql'), sql);
          const r = await p.run(command === 'apply' ? ['apply', '--auto-approve'] : [command]);
          const blocked = sqlite(victim, 'SELECT count(*) FROM precious') === '3' && !existsSync(created) && !/internal error|\n\s+at /.test(r.stderr);
          expect({ name, blocked: attempt(`migration SQL outside the root (${command})`, blocked) }).toEqual({ name, blocked: true });
          rmSync(created, { force: true });
        }
      } finally {
        p.cleanup();
      }
    });
  }

  it('gaia apply creating a database refuses ATTACH/VACUUM INTO outside the root and creates nothing', async () => {
    const created = path.join(victimDir, 'created.db');
    const p = project(dbManifest(), { 'db/001.sql': 'CREATE TABLE t (x);\n' });
    try {
      for (const [name, sql] of Object.entries(attacks(victim, created))) {
        writeFileSync(path.join(p.root, 'db/001.sql'), sql);
        const r = await p.run(['apply', '--auto-approve']);
        const blocked = r.code === 1 && sqlite(victim, 'SELECT count(*) FROM precious') === '3' && !existsSync(created) && !existsSync(path.join(p.root, 'data/dev.db'));
        expect({ name, out: blocked ? '' : r.stdout + r.stderr, blocked: attempt('migration SQL outside the root (apply, new database)', blocked) }).toEqual({ name, out: '', blocked: true });
      }
    } finally {
      p.cleanup();
    }
  });

  it('a migration file that is a symlink leading outside the root is neither read nor run', async () => {
    const secret = path.join(victimDir, 'secret.sql');
    writeFileSync(secret, `CREATE TABLE leaked_${'x'.repeat(8)} (x);\n`);
    for (const command of ['plan', 'apply']) {
      const p = project(dbManifest(), { 'db/000.sql': 'CREATE TABLE t (x);\n' });
      try {
        symlinkSync(secret, path.join(p.root, 'db/001.sql'));
        const r = await p.run(command === 'apply' ? ['apply', '--auto-approve'] : [command]);
        const blocked = r.code === 1 && /001\.sql is a symlink that leads outside the project root/.test(r.stdout + r.stderr) && !existsSync(path.join(p.root, 'data/dev.db'));
        expect({ command, out: blocked ? '' : r.stdout + r.stderr, blocked: attempt('migration file symlinked outside the root', blocked) }).toEqual({ command, out: '', blocked: true });
      } finally {
        p.cleanup();
      }
    }
  });
});

const HOSTILE_NAMES = ['dev\u202e1', 'dev\u200b1', 'a\u2066b\u2069', 'x\ufeffy', 'p\u200fq', 'soft\u00adhyphen'];

describe('names are what they show', () => {
  it('the validator refuses bidi controls and zero-width characters in every kind of name, with file:line:col', async () => {
    const places = (n: string) => [
      `groups:\n  g:\n    names: [${JSON.stringify(n)}]\n    command: "sleep 1"\n`,
      `groups:\n  g:\n    count: 1\n    name: ${JSON.stringify(n + '{n}')}\n    command: "sleep 1"\n`,
      `environments:\n  names: [${JSON.stringify(n)}]\n`,
      `environments:\n  count: 1\n  name: "e{n}"\n  branch: ${JSON.stringify('env/' + n)}\n`,
      `environments:\n  count: 1\n  name: "e{n}"\n  path: ${JSON.stringify('envs/' + n)}\n`,
      `groups:\n  ${JSON.stringify(n)}:\n    names: [ok]\n    command: "sleep 1"\n`,
    ];
    const p = project('version: 1\nproject: sec\n');
    try {
      // Each place with two of the names (every name in two places): a CLI run costs ~0.4 s here.
      for (const [i, n] of HOSTILE_NAMES.entries()) {
        for (const body of places(n).filter((_, k) => k % 3 === i % 3)) {
          writeFileSync(path.join(p.root, 'orchestration.yaml'), `version: 1\nproject: sec\nrepository: { path: ., base: main }\n${body}`);
          const r = await p.run(['validate']);
          const out = r.stdout + r.stderr;
          // Refused at its place, and the message itself shows the character escaped, never raw.
          const blocked = r.code === 1 && /orchestration\.yaml:\d+:\d+ /.test(out) && !/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]/.test(out);
          expect({ body, out: blocked ? '' : out, blocked: attempt('hidden characters in a name (validate)', blocked) }).toEqual({ body, out: '', blocked: true });
        }
      }
    } finally {
      p.cleanup();
    }
  });

  it('gaia import leaves out what the validator would refuse; its output validates and --adopt round-trips', async () => {
    const p = project('version: 1\nproject: unused\n');
    try {
      const hostile = [...HOSTILE_NAMES, 'nl\nname', '$(touch pwned)', 'a.b', 'back\\slash'];
      for (const n of ['fine1', ...hostile]) p.tmux(['new-session', '-d', '-s', n, '-c', p.root, '--', 'sleep', '100000']);
      const made = p.sessions().length;
      const r = await p.run(['import', '-o', 'imported.yaml', '--adopt']);
      const imported = readFileSync(path.join(p.root, 'imported.yaml'), 'utf8');
      const valid = await p.run(['validate', '-f', 'imported.yaml']);
      const plan = await p.run(['plan', '-f', 'imported.yaml', '--detailed-exitcode']);
      const ok = r.code === 0 && valid.code === 0 && plan.code === 0 && plan.stdout.includes('No changes.') && imported.includes('fine1') && !existsSync(path.join(p.root, 'pwned'));
      const raw = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]/.test(r.stdout + r.stderr + imported);
      expect({ made, out: ok && !raw ? '' : `${r.stdout}${r.stderr}\n${valid.stdout}${valid.stderr}\n${plan.stdout}`, blocked: attempt('hostile tmux names through import --adopt', ok && !raw) }).toEqual({ made, out: '', blocked: true });
      for (let i = 1; i < hostile.length; i++) attempt('hostile tmux names through import --adopt', ok && !raw);
    } finally {
      p.cleanup();
    }
  });
});

describe('secrets stay secret', () => {
  it('no sensitive value on any command line during or after an apply; secret files 0600, .gaia/ 0700, the store 0600', async () => {
    const tag = Math.random().toString(36).slice(2, 10);
    const secrets = [`SECa-${tag}`, `SECb-${tag}`, `SECc-${tag}`];
    const p = project(`
version: 1
project: sec
repository: { path: ., base: main }
environments:
  count: 2
  name: dev{n}
  stages:
    dev:
      vars: { DB_PASSWORD: { value: "${secrets[2]}", sensitive: true } }
groups:
  agents:
    count: 3
    name: "agent{n}"
    command: ["sleep", "3600"]
    vars:
      API_KEY: { value: "${secrets[0]}", sensitive: true }
      OTHER: { fromEnv: GAIA_SEC_TEST, sensitive: true }
files:
  env:
    perStage: true
    path: "{env.path}/.env.{stage.name}"
    content: "PASSWORD={stage.vars.DB_PASSWORD}\\n"
`);
    let snapshots = 0;
    const seen: string[] = [];
    const scan = () => {
      snapshots++;
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        let cmd: string;
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        } catch {
          continue;
        }
        if (secrets.some((x) => cmd.includes(x))) seen.push(cmd.replace(/\0/g, ' '));
      }
    };
    try {
      // The scanner sees a secret on a command line when there is one.
      const control = spawn('sh', ['-c', 'sleep 5', secrets[0]!]);
      await new Promise((r) => setTimeout(r, 100));
      scan();
      control.kill();
      expect(seen.length).toBe(1);
      seen.length = 0;
      snapshots = 0;
      const run = p.start(['apply', '--auto-approve'], { GAIA_SEC_TEST: secrets[1]! });
      let finished = false;
      void run.then(() => (finished = true));
      while (!finished) {
        scan();
        await new Promise((r) => setImmediate(r));
      }
      const r = await run;
      expect(r.exitCode).toBe(0);
      for (let i = 0; i < 5; i++) scan();
      expect(p.tmux(['show-environment', '-t', '=agent1', 'API_KEY']).trim()).toBe(`API_KEY=${secrets[0]}`);
      expect({ snapshots: snapshots > 10, seen, blocked: attempt('secret on a command line (/proc/*/cmdline snapshots)', seen.length === 0) }).toEqual({ snapshots: true, seen: [], blocked: true });
      for (let i = 1; i < snapshots; i++) attempt('secret on a command line (/proc/*/cmdline snapshots)', seen.length === 0);
      const mode = (f: string) => statSync(path.join(p.root, f)).mode & 0o777;
      const modes = { env1: mode('envs/dev1/.env.dev'), env2: mode('envs/dev2/.env.dev'), dir: mode('.gaia'), store: mode('.gaia/state.db') };
      for (const [k, m] of Object.entries(modes)) attempt('secret files readable by others', k === 'dir' ? m === 0o700 : m === 0o600);
      expect(modes).toEqual({ env1: 0o600, env2: 0o600, dir: 0o700, store: 0o600 });
    } finally {
      p.cleanup();
    }
  });
});

describe('stored digests of sensitive values are keyed', () => {
  const manifest = (secret: string, command = 'sleep') => `
version: 1
project: sec
repository: { path: ., base: main }
environments:
  count: 1
  name: dev{n}
  stages:
    dev:
      vars: { DB_PASSWORD: { value: "${secret}-db", sensitive: true } }
groups:
  agents:
    count: 2
    name: "agent{n}"
    command: ["${command}", "3600"]
    vars:
      API_KEY: { value: "${secret}", sensitive: true }
files:
  env:
    perStage: true
    path: "{env.path}/.env.{stage.name}"
    content: "PASSWORD={stage.vars.DB_PASSWORD}\\n"
`;
  type Row = { address: string; kind: string; attributes: string; spec_hash: string };
  const rows = (root: string): Row[] => {
    const db = new Database(path.join(root, '.gaia/state.db'), { readonly: true });
    try {
      return db.prepare('SELECT address, kind, attributes, spec_hash FROM resources ORDER BY address').all() as Row[];
    } finally {
      db.close();
    }
  };
  const digestsIn = (text: string): string[] => text.match(/sensitive:[0-9a-z:]+/g) ?? [];

  it('key file 0600 made once (two first runs agree), another project digests the same value otherwise, no sha256 of a secret is in the store', async () => {
    const secret = `sk-${Math.random().toString(36).slice(2, 10)}`;
    const a = project(manifest(secret));
    const b = project(manifest(secret));
    try {
      // Two first runs at once: one key, both plans made with it.
      const [p1, p2] = await Promise.all([a.run(['plan']), a.run(['plan'])]);
      expect([p1.code, p2.code, p1.stderr + p2.stderr]).toEqual([0, 0, '']);
      const keyFile = path.join(a.root, '.gaia/digest.key');
      const key = readFileSync(keyFile, 'latin1');
      expect(key).toMatch(/^[0-9a-f]{64}\n$/);
      expect(readdirSync(path.join(a.root, '.gaia')).filter((f) => f.includes('digest.key'))).toEqual(['digest.key']);
      expect(attempt('digest key readable by others', (statSync(keyFile).mode & 0o777) === 0o600)).toBe(true);
      for (const q of [a, b]) expect((await q.run(['apply', '--auto-approve'])).code).toBe(0);
      expect(readFileSync(keyFile, 'latin1')).toBe(key);

      const store = readFileSync(path.join(a.root, '.gaia/state.db'), 'latin1') + (existsSync(path.join(a.root, '.gaia/state.db-wal')) ? readFileSync(path.join(a.root, '.gaia/state.db-wal'), 'latin1') : '');
      const recordedA = rows(a.root).map((r) => r.attributes).join('\n');
      const recordedB = rows(b.root).map((r) => r.attributes).join('\n');
      const dA = digestsIn(recordedA);
      const dB = digestsIn(recordedB);
      expect(dA.length).toBe(3); // two sessions' API_KEY, one file
      expect(dA.every((d) => /^sensitive:hmac:[0-9a-f]{8}:[0-9a-f]{32}$/.test(d))).toBe(true);
      expect(attempt('same secret, same digest in two projects', dA.every((d) => !dB.includes(d)))).toBe(true);
      // The attacker's dictionary: the secret among likely values, in every form an unkeyed digest could take.
      const guesses = [secret, `${secret}-db`, `PASSWORD=${secret}-db\n`, 'password', 'changeme', 'sk-test'];
      for (const g of guesses) {
        for (const text of [JSON.stringify(g), g]) {
          const sha = createHash('sha256').update(text).digest('hex');
          const found = store.includes(sha.slice(0, 16)) || dA.some((d) => d.includes(sha.slice(0, 12)));
          expect({ g, text, blocked: attempt('dictionary attack on stored digests', !found && !store.includes(g)) }).toEqual({ g, text, blocked: true });
        }
      }
      expect(store.includes(key.trim())).toBe(false);

      // A lost key file: a new key, and the plan says the recorded digests cannot be checked (no replace).
      rmSync(path.join(b.root, '.gaia/digest.key'));
      const lost = await b.run(['plan', '--detailed-exitcode']);
      expect([lost.code, /another digest key/.test(lost.stdout + lost.stderr)]).toEqual([0, true]);
      expect(lost.stdout + lost.stderr).not.toContain(secret);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('a store made before keyed digests plans no change (no session replaced), and a replace records the new keyed form', async () => {
    const secret = `sk-${Math.random().toString(36).slice(2, 10)}`;
    const p = project(manifest(secret));
    try {
      expect((await p.run(['apply', '--auto-approve'])).code).toBe(0);
      // Turn the store into one made before keys: unkeyed digests, spec hashes and session marks from them, no key file.
      const digests = keyedDigests(Buffer.from(readFileSync(path.join(p.root, '.gaia/digest.key'), 'latin1').trim(), 'hex'));
      const clear = [secret, `${secret}-db`, `PASSWORD=${secret}-db\n`];
      const old = new Map(clear.map((v) => [digests.digest(v), legacyDigest(v)]));
      const unkey = (v: Json): Json => (typeof v === 'string' ? old.get(v) ?? v : Array.isArray(v) ? v.map(unkey) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unkey(x)])) : v);
      const db = new Database(path.join(p.root, '.gaia/state.db'));
      for (const r of rows(p.root)) {
        const attributes = unkey(JSON.parse(r.attributes) as Json) as Attributes;
        const spec = r.kind === 'tmux_session' ? sessionSpecHash(attributes) : r.kind === 'file' ? hashOf({ kind: r.kind, attributes }) : r.spec_hash;
        db.prepare('UPDATE resources SET attributes = ?, spec_hash = ? WHERE address = ?').run(JSON.stringify(attributes), spec, r.address);
        if (r.kind === 'tmux_session') p.tmux(['set-environment', '-t', `=${String(attributes.name)}`, 'GAIA_SPEC', spec]);
      }
      db.close();
      rmSync(path.join(p.root, '.gaia/digest.key'));
      const legacy = rows(p.root).flatMap((r) => digestsIn(r.attributes));
      expect(legacy.length).toBe(3);
      expect(legacy.every((d) => /^sensitive:[0-9a-f]{16}$/.test(d))).toBe(true);
      const pids = p.tmux(['list-sessions', '-F', '#{session_name} #{pane_pid}']);

      const plan = await p.run(['plan', '--detailed-exitcode']);
      expect(attempt('old unkeyed store made to look changed', plan.code === 0 && /No changes/.test(plan.stdout))).toBe(true);
      expect((await p.run(['apply', '--auto-approve'])).code).toBe(0);
      expect(p.tmux(['list-sessions', '-F', '#{session_name} #{pane_pid}'])).toBe(pids);
      // Such a store lost as well: rebuilt from the sessions' (unkeyed) marks, still nothing to replace.
      for (const f of ['state.db', 'state.db-wal', 'state.db-shm']) rmSync(path.join(p.root, '.gaia', f), { force: true });
      expect((await p.run(['state', 'rebuild'])).code).toBe(0);
      const rebuilt = await p.run(['plan', '--detailed-exitcode']);
      expect(attempt('old unkeyed store made to look changed', rebuilt.code === 0 && /No changes/.test(rebuilt.stdout))).toBe(true);
      expect((await p.run(['apply', '--auto-approve'])).code).toBe(0);
      expect(p.tmux(['list-sessions', '-F', '#{session_name} #{pane_pid}'])).toBe(pids);

      // The next replace of a session records its secret keyed, and then plans no change again.
      writeFileSync(path.join(p.root, 'orchestration.yaml'), manifest(secret).replace('"3600"', '"3601"'));
      expect((await p.run(['apply', '--auto-approve'])).code).toBe(0);
      const after = rows(p.root);
      const sessions = after.filter((r) => r.kind === 'tmux_session').flatMap((r) => digestsIn(r.attributes));
      expect(sessions.every((d) => d.startsWith('sensitive:hmac:'))).toBe(true);
      expect(sessions.length).toBe(2);
      const again = await p.run(['plan', '--detailed-exitcode']);
      expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/No changes/)]);
    } finally {
      p.cleanup();
    }
  });
});

describe('dashboard edges', () => {
  const TOKEN = 'sec-token-0123456789abcdef';
  // The middleware answers before any data is read: no project is needed for these.
  const app = createApp({ data: {} as DashboardData, token: TOKEN });

  it('no cookie is ever set or honoured (a browser would send it to every port of the host); malformed cookies are no 500', async () => {
    for (const route of ['/', `/?token=${TOKEN}`, '/app.js']) {
      const r = await app.request(route);
      attempt('token cookie reaching other ports', r.status === 200 && r.headers.get('set-cookie') === null);
    }
    for (const cookie of [`gaia_token=${TOKEN}`, 'gaia_token=%E0%A4%A', '%', '=;=;%zz=%', 'gaia_token="\u00ff"']) {
      const r = await app.request('/api/plan', { headers: { Cookie: cookie } });
      expect({ cookie, status: attempt('malformed or replayed cookie', r.status === 401) ? 401 : r.status }).toEqual({ cookie, status: 401 });
    }
    const bearer = await app.request('/api', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
  });

  it('malformed percent-encoding anywhere in the path or query is a 400 with a short message, token or not; a cookie that does not decode changes nothing', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const bad = ['/api/multi-env/status?group=%E0%A4%A', '/api/multi-env/status?env=%zz', '/api/tasks?all=%', '/api/plan?%zz=1', '/api/plan%E0', '/%', '/app.js?v=%C0%AF', '/api/multi-env/status?group=a&env=%'];
    for (const url of bad) {
      for (const headers of [auth, {}]) {
        const r = await app.request(`http://127.0.0.1${url}`, { headers });
        const body = await r.text();
        const ok = r.status === 400 && /^\{"error":"malformed percent-encoding in the request's (path|query)","status":400\}$/.test(body);
        expect({ url, status: r.status, body: attempt('malformed percent-encoding in a request', ok) ? 'short' : body }).toEqual({ url, status: 400, body: 'short' });
      }
    }
    for (const cookie of ['%E0%A4%A=%', 'gaia_token=%zz', '%']) {
      const r = await app.request('http://127.0.0.1/api', { headers: { ...auth, Cookie: cookie } });
      expect({ cookie, status: attempt('malformed percent-encoding in a request', r.status === 200) ? 200 : r.status }).toEqual({ cookie, status: 200 });
    }
    // Well-formed encodings still work.
    expect((await app.request('http://127.0.0.1/api?x=%C3%A9%20a+b', { headers: auth })).status).toBe(200);
  });

  it('every spelling of a loopback address is loopback, and nothing else is', () => {
    const loop = ['127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '[::1]', '0:0:0:0:0:0:0:1', '0000:0000:0000:0000:0000:0000:0000:0001', '::ffff:127.0.0.1', '[::ffff:127.0.0.1]', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:0001', 'localhost'];
    const not = ['0.0.0.0', '::', '128.0.0.1', '10.0.0.1', '::2', '::ffff:10.0.0.1', '::ffff:8.8.8.8', 'example.com', '127.0.0.1.nip.io'];
    for (const h of loop) expect({ h, blocked: attempt('loopback spelling misjudged', isLoopback(h)) }).toEqual({ h, blocked: true });
    for (const h of not) expect({ h, blocked: attempt('loopback spelling misjudged', !isLoopback(h)) }).toEqual({ h, blocked: true });
  });
});

/** A loop swapping a real folder and a symlink to a folder outside (renameat2 RENAME_EXCHANGE, through
 *  python3's ctypes: present on every Debian machine gaia runs on) for as long as it runs. */
const SWAPPER = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b, stop = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3]
n = 0
while not os.path.exists(stop):
    if libc.renameat2(-100, a, -100, b, 2) == 0: n += 1
print(n)
`;

/** A project root with `out/` (a real folder) and `swap` (a symlink outside) exchanged by SWAPPER while
 *  `body` runs; afterwards nothing may be outside and no temp file anywhere. Returns the swap count. */
async function underSwaps(body: (root: string, outside: string) => Promise<void>): Promise<number> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gaia-race-'));
  const outside = outsideDir();
  const stop = path.join(root, 'stop');
  try {
    mkdirSync(path.join(root, 'out'));
    symlinkSync(outside, path.join(root, 'swap'));
    const swapper = spawn('python3', ['-c', SWAPPER, path.join(root, 'out'), path.join(root, 'swap'), stop], { stdio: ['ignore', 'pipe', 'inherit'] });
    let swaps = '';
    swapper.stdout.on('data', (d: Buffer) => (swaps += d.toString()));
    const ended = new Promise((r) => swapper.on('exit', r));
    await new Promise((r) => setTimeout(r, 200));
    try {
      await body(root, outside);
    } finally {
      writeFileSync(stop, '');
      await ended;
    }
    const real = readdirSync(path.join(root, 'out')).concat(readdirSync(path.join(root, 'swap')));
    expect(real.filter((f) => f.endsWith('.tmp') || f.includes('.gaia-'))).toEqual([]);
    expect(readdirSync(outside)).toEqual([]);
    return Number(swaps);
  } finally {
    writeFileSync(stop, '');
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
}

describe('no path race can redirect a write', () => {
  const ATTEMPTS = 200;
  const leakCheck = (attack: string, outside: string, i: number) => {
    const leaked = readdirSync(outside).length > 0;
    expect({ i, leaked: !attempt(attack, !leaked) }).toEqual({ i, leaked: false });
  };

  it('200 file writes while a folder on the way is swapped for a symlink: nothing written outside, no stray temp file', async () => {
    let done = 0;
    const swaps = await underSwaps(async (root, outside) => {
      for (let i = 0; i < ATTEMPTS; i++) {
        const change = { kind: 'file', address: `file.f${i}`, action: 'update', reasons: [], diffs: [], dependsOn: [], hazards: [], after: { path: `out/f${i % 5}.txt`, content: `write ${i}\n`, mode: '0644' } };
        const [outcome] = await applyFiles([change as unknown as Change], { root, host: localHost() } as ApplyContext);
        if (outcome?.status === 'done') done++;
        leakCheck('write redirected by a folder↔symlink swap', outside, i);
        await new Promise((r) => setImmediate(r));
      }
    });
    expect(swaps).toBeGreaterThan(100);
    expect(done).toBeGreaterThan(0);
    console.log(`[security] race: ${swaps} swaps, ${ATTEMPTS} writes, ${done} done, ${ATTEMPTS - done} refused`);
  });

  it(`${ATTEMPTS} stage databases created while their folder is swapped for a symlink: none outside, no journal or temp outside`, async () => {
    let done = 0;
    const swaps = await underSwaps(async (root, outside) => {
      writeFileSync(path.join(root, 'm.sql'), 'CREATE TABLE t (x);\nINSERT INTO t VALUES (1);\n');
      const sha = createHash('sha256').update(readFileSync(path.join(root, 'm.sql'))).digest('hex');
      const ctx = { root, host: localHost(), allowDataLoss: false, force: false, backupDir: path.join(root, 'out'), log: () => {} } as unknown as ApplyContext;
      for (let i = 0; i < ATTEMPTS; i++) {
        const change = { kind: 'sqlite_database', address: `sqlite_database.d${i}`, action: 'create', reasons: [], diffs: [], dependsOn: [], hazards: [], after: { path: `out/d${i}.db`, migrations: [{ name: 'm', file: 'm.sql', sha256: sha }] } };
        const [outcome] = await sqliteProvider.apply([change as unknown as Change], ctx);
        if (outcome?.status === 'done') done++;
        leakCheck('stage database redirected by a folder↔symlink swap', outside, i);
        await new Promise((r) => setImmediate(r));
      }
    });
    expect(swaps).toBeGreaterThan(100);
    expect(done).toBeGreaterThan(0);
    console.log(`[security] database race: ${swaps} swaps, ${ATTEMPTS} creates, ${done} done, ${ATTEMPTS - done} refused`);
  });

  it(`${ATTEMPTS} database backups, ${ATTEMPTS} state-store backups and ${ATTEMPTS} cache writes into a swapped folder: none outside`, async () => {
    let done = 0;
    const swaps = await underSwaps(async (root, outside) => {
      const source = path.join(root, 'live.db');
      const live = new Database(source);
      live.pragma('journal_mode = WAL');
      live.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);');
      const store = path.join(root, 'st', 'state.db');
      mkdirSync(path.dirname(store));
      const storeDb = new Database(store);
      storeDb.exec('CREATE TABLE r (x)');
      // The store's backups go to <store folder>/backups: make that the swapped folder.
      symlinkSync(path.join(root, 'out'), path.join(root, 'st', 'backups'));
      const realRoot = realpathSync(root);
      try {
        for (let i = 0; i < ATTEMPTS; i++) {
          const at = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i));
          for (const [attack, write] of [
            ['database backup redirected by a folder↔symlink swap', () => backupDatabase(localHost(), realRoot, source, path.join(root, 'out'), `sqlite_database.d${i}`, at)],
            ['state-store backup redirected by a folder↔symlink swap', () => backUpStore(storeDb as never, store, at, root)],
            ['cache write redirected by a folder↔symlink swap', () => writeCacheEntries(localFiles, path.join(root, 'out', `cache-${i}.json`), 1, { i }, root)],
          ] as const) {
            try {
              write();
              done++;
            } catch (e) {
              expect(String(e)).toMatch(/outside the project root/);
            }
            leakCheck(attack, outside, i);
          }
          await new Promise((r) => setImmediate(r));
        }
      } finally {
        live.close();
        storeDb.close();
      }
    });
    expect(swaps).toBeGreaterThan(100);
    expect(done).toBeGreaterThan(0);
    console.log(`[security] backup/cache race: ${swaps} swaps, ${3 * ATTEMPTS} writes, ${done} done`);
  });
});
