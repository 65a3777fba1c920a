#!/usr/bin/env node
/** Environments on other hosts: what a project spread over 1, 3 and 10 hosts costs the built CLI,
 *  beside the same environments all on this machine. Each host is a real OpenSSH server on a loopback
 *  address of its own (test/helpers/sshd.ts, bundled here with esbuild: its own keys, home folder and
 *  client config), so every host's work goes through gaia's worker (dist/gaia.cjs copied there; the
 *  first command starts one over ssh and has it keep one running, which the commands after it reach
 *  through the ssh master's forwarded socket) exactly as on another machine — but all the hosts share
 *  this machine's cores, which a real fleet would not.
 *
 *  The project: E environments per host (default 5), each a clone on its host with one stage SQLite
 *  database (a migrations folder with one .sql file) and one perEnvironment tmux session (`sleep 3600`),
 *  each host with a tmux socket of its own. Per host count it measures
 *    - `gaia apply --auto-approve` from nothing (once),
 *    - a no-op `gaia plan` ("No changes.": median and min of N runs, after one untimed plan and status
 *      so the V8 code cache covers both and the databases' stamps are cached),
 *    - `gaia status` (median of N),
 *    - at 3 hosts, the no-op plan right after the hosts' ssh masters ended (median of N),
 *    - the processes gaia spawned on this machine per plan (GAIA_STATS=1); at 3 hosts also with 2 × E
 *      environments per host, to show the count is per host, not per environment.
 *  The reference is the same manifest with the environments all here (no `hosts:`, worktrees of the
 *  project): its no-op plan at E environments, "the slowest single host's local plan" — a host's
 *  observation can never be cheaper than observing it where it is. Its runs alternate with the host
 *  runs (plan there, plan here, …), so a neighbour's load hits both alike; the ratio is the 3-host plan
 *  over it (target ≤ 1.5×).
 *
 *  Last, what a command that finds no kept worker pays per host: a command over the open ssh master,
 *  node starting there, node loading the worker's bundle there (with no code cache), beside loading
 *  it here without and with the V8 code cache bin/gaia.js keeps.
 *
 *  Before all of it one plan reaches every host once, copying the worker there (first contact, printed),
 *  so no apply pays for that; ssh masters persist 60 s between runs, so the timed plans find them open.
 *
 *  Everything is private: temporary folders, tmux servers by socket name (`gaia-bench-<random>-…`), ssh
 *  masters in a short XDG_RUNTIME_DIR of the bench's own, the V8 code cache in an XDG_CACHE_HOME of its
 *  own. All is removed at the end, also on failure: the tmux servers killed, the masters ended, the sshd
 *  hosts removed (each `remove()` also ends its connections), the folders deleted.
 *
 *  Usage: npm run prepare && node bench/hosts.mjs [envsPerHost=5] [runs=7] [hostCounts=1,3,10] */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repoRoot, 'bin', 'gaia'); // the installed command
const envsPerHost = Number(process.argv[2] ?? 5);
const runs = Number(process.argv[3] ?? 7);
const hostCounts = (process.argv[4] ?? '1,3,10').split(',').map(Number);
if (![envsPerHost, runs, ...hostCounts].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('usage: node bench/hosts.mjs [envsPerHost=5] [runs=7] [hostCounts=1,3,10]');
  process.exit(1);
}

const tag = randomBytes(4).toString('hex');
const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-hosts-')));
// ssh's ControlPath must fit a unix socket's 108 bytes: a short folder straight under /tmp.
const runtime = fs.mkdtempSync('/tmp/gbh-');
fs.chmodSync(runtime, 0o700);
const cache = path.join(work, 'xdg-cache');
const sshConfig = path.join(runtime, 'ssh_config');
/** Every tmux socket the bench may have started a server on; each is killed at the end. */
const sockets = [];
/** The hosts' tmux runs under sshd's environment, which has no TMUX_TMPDIR: kill theirs likewise. */
const tmuxEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'TMUX' && k !== 'TMUX_TMPDIR'));
/** @type {Record<string, string>} */
const baseEnv = { ...tmuxEnv, NO_COLOR: '1', XDG_RUNTIME_DIR: runtime, XDG_CACHE_HOME: cache, GAIA_STATS: '1' };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms === undefined ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function git(args, cwd) {
  execFileSync('git', ['-c', 'user.name=gaia bench', '-c', 'user.email=bench@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** One run of the CLI in `project`, timed; throws on an unexpected exit. */
function gaia(project, args, expect = 0) {
  const t = process.hrtime.bigint();
  const r = spawnSync(bin, args, { cwd: project.dir, env: { ...baseEnv, GAIA_TMUX_SOCKET: project.localSocket }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== expect) throw new Error(`gaia ${args.join(' ')} in ${project.label} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  const spawned = Number(/gaia-stats spawned=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, spawned, stdout: r.stdout, stderr: r.stderr };
}

/** A no-op plan: "No changes." and nothing on stderr but the stats line, or it is not the figure we want. */
function noopPlan(project) {
  const r = gaia(project, ['plan', '--detailed-exitcode']);
  const noise = r.stderr.split('\n').filter((l) => l && !l.startsWith('gaia-stats')).join('\n');
  if (!r.stdout.includes('No changes.') || noise) throw new Error(`gaia plan in ${project.label} is not a no-op:\n${r.stdout}\n${noise}`);
  return r;
}

function tmuxSessions(socket) {
  try {
    return execFileSync('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}'], { env: tmuxEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** A project in a temporary git repository: E environments on each of `hosts`, or `envs` here.
 *  @param {string} label
 *  @param {{ hosts: readonly any[], perHost?: number, envs?: number }} shape */
function project(label, { hosts, perHost, envs }) {
  const dir = fs.mkdtempSync(path.join(work, 'p-'));
  const name = `bench-${path.basename(dir).slice(2).toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  const localSocket = `gaia-bench-${tag}-${name}-local`;
  sockets.push(localSocket);
  const hostSockets = hosts.map((_, i) => `gaia-bench-${tag}-${name}-${i + 1}`);
  sockets.push(...hostSockets);
  const count = hosts.length ? perHost * hosts.length : envs;
  const manifest = [
    'version: 1',
    `project: ${name}`,
    ...(hosts.length ? [
      `settings: { ssh: { config: ${sshConfig} } }`,
      `repository: { path: ., url: ${dir}, base: main }`,
      'hosts:',
      ...hosts.map((h, i) => `  h${i + 1}: { ssh: ${h.name}, root: ~/gaia/${name}, tmux: { socket: ${hostSockets[i]} } }`),
    ] : ['repository: { path: ., base: main }']),
    'environments:',
    `  count: ${count}`,
    '  name: dev{n}',
    ...(hosts.length ? [`  hosts: [${hosts.map((_, i) => `h${i + 1}`).join(', ')}]`] : []),
    '  stages:',
    '    qa: { database: { path: data/qa.db, migrations: db } }',
    'groups:',
    '  workers: { perEnvironment: true, name: "{env}_worker", command: ["sleep", "3600"] }',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'orchestration.yaml'), manifest);
  fs.writeFileSync(path.join(dir, '.gitignore'), 'envs/\n.gaia/\n');
  fs.mkdirSync(path.join(dir, 'db'));
  fs.writeFileSync(path.join(dir, 'db', '001.sql'), 'CREATE TABLE t (x INTEGER);\n');
  git(['init', '-q', '-b', 'main'], dir);
  git(['add', '-A'], dir);
  git(['commit', '-q', '-m', 'bench project'], dir);
  return { label, dir, localSocket, hostSockets, count, perHost: hosts.length ? perHost : envs };
}

/** Apply from nothing (timed), check every session is where it belongs, then the untimed warm-up. */
function applyAndWarm(p) {
  const applied = gaia(p, ['apply', '--auto-approve']);
  const where = p.hostSockets.length ? p.hostSockets : [p.localSocket];
  for (const s of where) {
    const n = tmuxSessions(s).length;
    if (n !== p.perHost) throw new Error(`${p.label}: ${n} sessions on tmux socket ${s} after apply, not ${p.perHost}`);
  }
  // A database written less than 2 s before it is read is not kept in the stamp cache (racy-git's rule).
  if (spawnSync('sleep', ['2.5']).signal) throw new Error('interrupted');
  noopPlan(p);
  gaia(p, ['status']);
  return applied.ms;
}

/** N no-op plans of `p`, each followed by one of `reference` when given; then N statuses. */
function measure(p, reference) {
  const plans = [];
  const refPlans = [];
  const spawned = new Set();
  for (let i = 0; i < runs; i++) {
    const r = noopPlan(p);
    plans.push(r.ms);
    spawned.add(r.spawned);
    if (reference) refPlans.push(noopPlan(reference).ms);
  }
  const statuses = [];
  const statusSpawned = new Set();
  for (let i = 0; i < runs; i++) {
    const r = gaia(p, ['status']);
    statuses.push(r.ms);
    statusSpawned.add(r.spawned);
  }
  return {
    plan: median(plans), planMin: Math.min(...plans), status: median(statuses),
    spawned: `${[...spawned].join('/')} / ${[...statusSpawned].join('/')}`, ref: refPlans.length ? median(refPlans) : undefined,
  };
}

/** Ends what a project left running: its tmux servers (here and on its hosts). */
function killServers(p) {
  for (const s of [p.localSocket, ...p.hostSockets]) spawnSync('tmux', ['-L', s, 'kill-server'], { env: tmuxEnv, stdio: 'ignore' });
}

let hosts = [];
/** @type {number | undefined} */
let afterExpiry;
const endMaster = (h) => spawnSync('ssh', ['-F', sshConfig, '-o', `ControlPath=${path.join(runtime, 'gaia-ssh', '%C')}`, '-O', 'exit', h.name], { stdio: 'ignore', timeout: 5000 });

/** No-op plans each right after the hosts' ssh masters ended, as a command more than ControlPersist
 *  after the last finds them: a new connection, which forwards nothing yet to the kept workers. */
function planAfterMastersEnd(p, on) {
  const xs = [];
  for (let i = 0; i < runs; i++) {
    for (const h of on) endMaster(h);
    xs.push(noopPlan(p).ms);
  }
  return median(xs);
}
/** Where tmux keeps a `-L` socket without TMUX_TMPDIR (kill-server leaves the file behind). */
const socketFile = (s) => path.join('/tmp', `tmux-${process.getuid()}`, s);

function cleanupSync() {
  for (const s of sockets) {
    spawnSync('tmux', ['-L', s, 'kill-server'], { env: tmuxEnv, stdio: 'ignore' });
    fs.rmSync(socketFile(s), { force: true });
  }
  if (fs.existsSync(sshConfig)) {
    for (const h of hosts) endMaster(h);
  }
}
// Ctrl-C: the child running now dies of it and its run throws, so the finally below cleans up; this
// handler (run at the next await, the bench being in spawnSync meanwhile) keeps node from dying first.
process.once('SIGINT', () => {
  cleanupSync();
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(runtime, { recursive: true, force: true });
  process.exit(130); // the sshd helper's exit handlers stop the servers and remove their folders
});

const started = Date.now();
/** @type {Array<{ label: string, apply: number, plan: number, planMin: number, status: number, spawned: string, ref?: number, hosts?: number, perHost?: number }>} */
const rows = [];
try {
  console.log(`node bench/hosts.mjs ${envsPerHost} ${runs} ${hostCounts.join(',')}`);
  console.log(`gaia hosts bench: node ${process.version}, ${os.cpus().length} CPUs, ${bin}; load average ${load()}`);
  console.log(`${envsPerHost} environments per host (a clone, a stage database, a tmux session), ${runs} runs per figure; hosts are sshd on 127.0.0.x\n`);

  const helper = path.join(work, 'sshd.mjs');
  await build({ entryPoints: [path.join(repoRoot, 'test/helpers/sshd.ts')], bundle: true, platform: 'node', format: 'esm', outfile: helper, packages: 'external', logLevel: 'warning' });
  const { startSshd } = await import(pathToFileURL(helper).href);
  const maxHosts = Math.max(...hostCounts, hostCounts.includes(3) ? 3 : 0);
  process.setMaxListeners(maxHosts + 10); // each sshd host removes itself on exit: one listener each
  hosts = await Promise.all(Array.from({ length: maxHosts }, () => startSshd()));
  fs.writeFileSync(sshConfig, hosts.map((h) => fs.readFileSync(h.clientConfig, 'utf8')).join('\n'));

  // First contact: each host gets gaia's worker copied (once per build), so no apply below pays for it.
  const contact = project('first contact', { hosts, perHost: 1 });
  const first = gaia(contact, ['plan']);
  console.log(`first contact: gaia plan copying the worker to ${hosts.length} host${hosts.length > 1 ? 's' : ''} and opening their ssh masters: ${fmt(first.ms)}`);

  // The reference, all here, applied first and kept for the pairs.
  const reference = project(`${envsPerHost} local`, { hosts: [], envs: envsPerHost });
  const refApply = applyAndWarm(reference);
  rows.push({ label: `local (no hosts:), ${envsPerHost} environments`, apply: refApply, ...measure(reference) });

  const sizes = hostCounts.flatMap((n) => (n === 3 ? [[n, envsPerHost], [n, 2 * envsPerHost]] : [[n, envsPerHost]]));
  for (const [n, perHost] of sizes) {
    const t0 = Date.now();
    const p = project(`${n} hosts × ${perHost}`, { hosts: hosts.slice(0, n), perHost });
    try {
      const apply = applyAndWarm(p);
      const m = measure(p, reference);
      rows.push({ label: `${n} host${n > 1 ? 's' : ''} × ${perHost} = ${p.count} environments`, apply, ...m, hosts: n, perHost });
      if (n === 3 && perHost === envsPerHost) afterExpiry = planAfterMastersEnd(p, hosts.slice(0, n));
      console.log(`  ${rows.at(-1).label}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s (load average ${load()})`);
    } finally {
      killServers(p);
    }
  }
  killServers(reference);

  // Where a host's share of a plan goes: the ssh channel, node starting there, the worker's bundle loading.
  const workerDir = path.join(hosts[0].root, 'home', '.cache', 'gaia', 'worker');
  const bundle = path.join(workerDir, fs.readdirSync(workerDir)[0], 'dist', 'gaia.cjs');
  const ssh = ['-F', sshConfig, '-o', 'ControlMaster=auto', '-o', `ControlPath=${path.join(runtime, 'gaia-ssh', '%C')}`, '-o', 'ControlPersist=60s', '-T', hosts[0].name];
  // Here as the hosts' node starts (sshd passes no NODE_EXTRA_CA_CERTS) and as bin/gaia starts node.
  const { NODE_EXTRA_CA_CERTS: _ca, ...plainEnv } = baseEnv;
  const timed = (file, args) => {
    const xs = [];
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(file, args, { env: plainEnv, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
      xs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return median(xs);
  };
  const requireBundle = `require(${JSON.stringify(bundle)})`;
  const parts = [
    ['ssh host true (master open)', timed('ssh', [...ssh, 'true'])],
    ['ssh host node -e 0', timed('ssh', [...ssh, 'node', '-e', '0'])],
    ["ssh host node: load the worker's bundle", timed('ssh', [...ssh, `node -e '${requireBundle}'`])],
    ['here: node, load the bundle (no code cache)', timed('node', ['-e', requireBundle])],
    ['here: bin/gaia --version (V8 code cache)', timed(bin, ['--version'])],
  ];

  const w = Math.max(...rows.map((r) => r.label.length));
  console.log(`\n${''.padEnd(w)}  ${'apply'.padStart(8)}  ${'plan med'.padStart(8)}  ${'plan min'.padStart(8)}  ${'status'.padStart(8)}  ${'spawned'.padStart(9)}  ${'local plan'.padStart(10)}  ${'ratio'.padStart(5)}`);
  for (const r of rows) {
    const ratio = r.ref ? `${(r.plan / r.ref).toFixed(2)}×` : '';
    console.log(`${r.label.padEnd(w)}  ${fmt(r.apply).padStart(8)}  ${fmt(r.plan).padStart(8)}  ${fmt(r.planMin).padStart(8)}  ${fmt(r.status).padStart(8)}  ${r.spawned.padStart(9)}  ${(r.ref ? fmt(r.ref) : '').padStart(10)}  ${ratio.padStart(5)}`);
  }
  console.log(`\napply = gaia apply --auto-approve from nothing (once); plan = no-op gaia plan (median, min of ${runs});`);
  console.log(`status = gaia status (median of ${runs}); spawned = processes gaia started on this machine per plan / status (GAIA_STATS);`);
  console.log(`local plan = the reference's no-op plan (${envsPerHost} environments, all here), run after each plan of that row; ratio = plan ÷ it.`);
  console.log(`\nwhat a host costs a command that finds no kept worker (median of ${runs}, host 1):`);
  for (const [label, ms] of parts) console.log(`  ${label.padEnd(44)} ${fmt(ms).padStart(8)}`);
  const three = rows.find((r) => r.hosts === 3 && r.perHost === envsPerHost);
  if (three) console.log(`\ntarget: 3-host no-op plan ≤ 1.5 × the local plan of ${envsPerHost} environments: ${fmt(three.plan)} vs ${fmt(three.ref)} = ${(three.plan / three.ref).toFixed(2)}× (${three.plan / three.ref <= 1.5 ? 'met' : 'MISS'})`);
  if (afterExpiry !== undefined) console.log(`3-host no-op plan right after the ssh masters ended (a new connection each; the workers kept there): ${fmt(afterExpiry)} (median of ${runs})`);
  const spawns = rows.filter((r) => r.hosts === 3);
  if (spawns.length === 2) console.log(`spawned per plan / status at 3 hosts: ${spawns.map((r) => `${r.perHost} per host: ${r.spawned}`).join(', ')} (${spawns[0].spawned === spawns[1].spawned ? 'constant in environments' : 'NOT constant'})`);
  console.log(`(took ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${load()})`);
} finally {
  cleanupSync();
  await Promise.all(hosts.map((h) => h.remove()));
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(runtime, { recursive: true, force: true });
}
