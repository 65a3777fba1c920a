#!/usr/bin/env node
/** A no-op `gaia plan` (everything applied, "No changes.") with the state on SQLite and on a local
 *  PostgreSQL server (over TCP to 127.0.0.1), and `gaia validate` (which opens no store) as the start-up
 *  floor. The server is this bench's own: initdb into a temporary folder (owned by `postgres` under
 *  root), stopped and removed afterwards. Run `npm run build` (or `npm run prepare`) first: it times
 *  bin/gaia. Usage: node bench/state-postgres.mjs [files=200] [runs=11] */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const gaia = path.join(root, 'bin/gaia');
const count = Number(process.argv[2] ?? 200);
const runs = Number(process.argv[3] ?? 11);
const asRoot = process.getuid?.() === 0;
const owned = (argv) => (asRoot ? ['runuser', '-u', 'postgres', '--', ...argv] : argv);

function postgresBin() {
  try {
    return path.dirname(fs.realpathSync(execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim()));
  } catch {
    const base = '/usr/lib/postgresql';
    const v = fs.readdirSync(base).sort((a, b) => Number(a) - Number(b)).at(-1);
    return path.join(base, v, 'bin');
  }
}

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = /** @type {net.AddressInfo} */ (s.address());
    s.close(() => resolve(port));
  });
});

function run(args, env) {
  const started = performance.now();
  execFileSync(gaia, args, { cwd: project, env: { ...process.env, NO_COLOR: '1', GAIA_TMUX_SOCKET: 'gaia-bench-pg', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return performance.now() - started;
}

function median(args, env) {
  run(args, env); // warm: the V8 code cache, the page cache
  const times = Array.from({ length: runs }, () => run(args, env)).sort((a, b) => a - b);
  return `median ${times[Math.floor(runs / 2)].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times.at(-1).toFixed(0)})`;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-pg-'));
const project = path.join(dir, 'project');
const data = path.join(dir, 'pg', 'data');
let server;
try {
  fs.mkdirSync(path.dirname(data), { recursive: true });
  fs.writeFileSync(path.join(dir, 'pg', 'pw'), 'bench');
  if (asRoot) {
    fs.chmodSync(dir, 0o711); // the server's user passes through to its own folder
    execFileSync('chown', ['-R', 'postgres:', path.join(dir, 'pg')]);
  }
  const bin = postgresBin();
  const [init, ...initArgs] = owned([path.join(bin, 'initdb'), '-D', data, '-U', 'postgres', `--pwfile=${path.join(dir, 'pg', 'pw')}`, '--auth-host=scram-sha-256', '--no-sync']);
  execFileSync(init, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [pg, ...pgArgs] = owned([path.join(bin, 'postgres'), '-D', data, '-k', path.join(dir, 'pg'), '-p', String(port), '-c', 'listen_addresses=127.0.0.1']);
  server = spawn(pg, pgArgs, { stdio: 'ignore' });
  for (let i = 0; i < 200 && !fs.existsSync(path.join(dir, 'pg', `.s.PGSQL.${port}`)); i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200));
  const url = `postgres://postgres:bench@127.0.0.1:${port}/postgres`;

  fs.mkdirSync(project);
  const files = Array.from({ length: count }, (_, i) => `  f${i}: { path: out/f${i}.txt, content: "file ${i}" }`).join('\n');
  fs.writeFileSync(path.join(project, 'orchestration.yaml'), `version: 1\nproject: bench\nfiles:\n${files}\n`);
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: project });
  for (const env of [{}, { GAIA_STATE_URL: url }]) run(['apply', '--auto-approve'], env);

  console.log(`no-op gaia plan of ${count} files, ${runs} runs (node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}):`);
  console.log(`  gaia validate (no store)        ${median(['validate'], {})}`);
  console.log(`  plan, state on SQLite           ${median(['plan'], {})}`);
  console.log(`  plan, state on PostgreSQL (TCP) ${median(['plan'], { GAIA_STATE_URL: url })}`);
} finally {
  const pidFile = path.join(data, 'postmaster.pid');
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
  if (pid) process.kill(pid, 'SIGINT'); // a fast shutdown of the postmaster itself
  if (server && server.exitCode === null) await new Promise((r) => server.once('exit', r));
  fs.rmSync(dir, { recursive: true, force: true });
}
