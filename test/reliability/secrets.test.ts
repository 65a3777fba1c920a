/** Secrets: values the manifest marks `sensitive` (a literal value, one from gaia's environment, and a stage
 *  variable rendered into files, with quotes and a backslash) never appear in what gaia prints or keeps:
 *  plan (terminal, --json, --markdown, the plan file), the apply log (also when a step fails and its
 *  command line is shown), the state store's bytes (database, WAL, shared memory), state list/show/history. */
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { project, recorded, report, type Project } from './support.js';

const tag = randomBytes(6).toString('hex');
const SECRETS = {
  value: `S1-apikey-${tag}`,
  fromEnv: `S2-fromenv-${tag}`,
  // Quotes and a backslash: written into JSON it is escaped, which must not hide it from the masking.
  stage: `S3-pa"ss\\wo'rd-${tag}`,
  // Carried by a session whose command is longer than tmux accepts on a command line (16 KB): sent
  // on stdin with its secrets, it starts.
  failing: `S4-longtoken-${tag}`,
};

/** Every form a secret could be printed in: as is, JSON-escaped, shell-quoted. */
const forms = Object.values(SECRETS).flatMap((s) => [s, JSON.stringify(s).slice(1, -1), s.replace(/'/g, `'\\''`)]);
const leaks = (text: string | Buffer): string[] => {
  const t = Buffer.isBuffer(text) ? text.toString('latin1') : text;
  return forms.filter((f) => t.includes(f));
};

const manifest = `
version: 1
project: secrets
repository: { path: ., base: main }
providers:
  agent:
    command: ["sleep", "3600"]
    vars:
      API_KEY: { value: ${JSON.stringify(SECRETS.value)}, sensitive: true }
      FROM_ENV_KEY: { fromEnv: GAIA_TEST_TOKEN, sensitive: true }
environments:
  count: 1
  name: dev{n}
  stages:
    dev:
      database: { path: data/dev.db, migrations: db }
      port: { range: [28300, 28309] }
      vars:
        DB_PASSWORD: { value: ${JSON.stringify(SECRETS.stage)}, sensitive: true }
groups:
  agents: { count: 2, name: "agent{n}", provider: agent }
  long:
    count: 1
    command: "sleep 3600 # ${'x'.repeat(17_000)}"
    vars: { LONG_TOKEN: { value: ${JSON.stringify(SECRETS.failing)}, sensitive: true } }
files:
  env:
    perStage: true
    path: "{env.path}/.env.{stage.name}"
    content: "PASSWORD={stage.vars.DB_PASSWORD}\\n"
  all: { path: envs/environments.json, json: "{environments}" }
`;

describe('values marked sensitive never leave gaia', () => {
  let p: Project;
  /** A reader kept open (the sqlite3 shell, waiting on its stdin), so the WAL gaia writes stays on disk:
   *  the last connection to close would fold it into the database and delete it. */
  let reader: ChildProcess | undefined;
  const env = { GAIA_TEST_TOKEN: SECRETS.fromEnv };
  const outputs: { readonly what: string; readonly text: string | Buffer }[] = [];
  const gaia = async (args: string[]) => {
    const r = await p.run(args, env);
    outputs.push({ what: `gaia ${args.join(' ')}`, text: `${r.stdout}\n${r.stderr}` });
    return r;
  };

  beforeAll(() => {
    p = project(manifest, { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
  });
  afterAll(() => {
    const checked = outputs.length;
    const leaked = outputs.filter((o) => leaks(o.text).length > 0).length;
    reader?.stdin?.end();
    report({ area: 'secrets', measure: 'outputs and files checked', tried: checked, okLabel: 'holding a secret', ok: leaked, notes: `${Object.keys(SECRETS).length} secrets × 3 printed forms` });
    p.cleanup();
  });

  it('plan in every format and the saved plan file hold no secret', async () => {
    expect((await gaia(['plan'])).code).toBe(0);
    const json = await gaia(['plan', '--json']);
    expect(JSON.parse(json.stdout).summary.add).toBeGreaterThan(5);
    expect((await gaia(['plan', '--markdown'])).code).toBe(0);
    expect((await gaia(['plan', '-o', 'saved.plan'])).code).toBe(0);
    outputs.push({ what: 'the plan file', text: readFileSync(path.join(p.root, 'saved.plan')) });
    expect((await gaia(['apply', '--dry-run'])).code).toBe(0);
    for (const o of outputs) expect({ what: o.what, leaks: leaks(o.text) }).toEqual({ what: o.what, leaks: [] });
  });

  it('the apply log holds no secret; sessions carrying one start (sent to tmux on stdin, also a command over 16 KB)', async () => {
    reader = spawn('sqlite3', [path.join(p.root, '.gaia/state.db')], { stdio: ['pipe', 'pipe', 'ignore'] });
    // Its answer says it has the database open (it keeps it open while its stdin is).
    const answered = new Promise((resolve) => reader!.stdout!.once('data', resolve));
    reader.stdin?.write('SELECT count(*) FROM sqlite_master;\n');
    await answered;
    reader.stdout?.resume();
    const applied = await gaia(['apply', '--auto-approve']);
    expect(applied.code).toBe(0);
    expect(p.sessions()).toEqual(['agent1', 'agent2', 'long']);
    expect(p.tmux(['show-environment', '-t', '=long', 'LONG_TOKEN']).trim()).toBe(`LONG_TOKEN=${SECRETS.failing}`);
    // The secrets did reach where they are meant to go: the session's environment and the generated file.
    expect(p.tmux(['show-environment', '-t', '=agent1', 'API_KEY']).trim()).toBe(`API_KEY=${SECRETS.value}`);
    expect(p.tmux(['show-environment', '-t', '=agent1', 'FROM_ENV_KEY']).trim()).toBe(`FROM_ENV_KEY=${SECRETS.fromEnv}`);
    expect(readFileSync(path.join(p.root, 'envs/dev1/.env.dev'), 'utf8')).toBe(`PASSWORD=${SECRETS.stage}\n`);
    expect(leaks(applied.stdout + applied.stderr)).toEqual([]);
  });

  it('a file holding a secret is compared by digest: the next plan changes nothing (no endless drift, no digest written)', async () => {
    const next = await gaia(['plan', '--detailed-exitcode']);
    const changed = next.stdout.split('\n').filter((l) => /^\s+# /.test(l));
    expect(changed).toEqual([]);
    // A hand edit is drift: shown without the file's lines.
    appendFileSync(path.join(p.root, 'envs/dev1/.env.dev'), 'EDITED=1\n');
    const drifted = await gaia(['plan']);
    expect(drifted.stdout).toMatch(/file\.dev1\.dev\.env will be updated in place \(file was edited outside gaia/);
    expect(drifted.stdout).not.toMatch(/^\s+[-+]PASSWORD=/m);
    await gaia(['drift']);
    await gaia(['plan', '--markdown']);
    expect(leaks(drifted.stdout)).toEqual([]);
  });

  it('the state store (database, WAL and shared memory bytes), the observation cache, state list/show/history and status hold no secret', async () => {
    const rows = await recorded(p, env);
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) await gaia(['state', 'show', r.address]);
    await gaia(['state', 'list', '--json']);
    await gaia(['state', 'history', '--json']);
    await gaia(['status', '--json']);
    const dir = path.join(p.root, '.gaia');
    const files = (readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile());
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['state.db', 'state.db-wal', 'state.db-shm', 'sqlite-inspections.json']));
    // The WAL holds what the apply wrote (the apply history, every record): it must not be empty to prove anything.
    expect(readFileSync(path.join(dir, 'state.db-wal')).length).toBeGreaterThan(4096);
    for (const f of files) outputs.push({ what: f, text: readFileSync(f) });
    for (const o of outputs) expect({ what: o.what, leaks: leaks(o.text) }).toEqual({ what: o.what, leaks: [] });
  });
});
