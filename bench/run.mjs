#!/usr/bin/env node
/** `npm run bench`: gaia at 5 / 50 / 500 environments against the floor (bench/floor.mjs).
 *
 *  For each size a throw-away git repository in the temp folder gets a generated manifest
 *  (bench/generate.mjs: 3 stages and 5 sessions per environment) and its own tmux server
 *  (a private socket). Each figure is the median of several runs of the built CLI as a user
 *  runs it (`bin/gaia …`, the installed command): wall time, peak memory (GNU time's %M: the maximum resident
 *  set of the largest process of the run, i.e. node) and child processes spawned (the
 *  CLI's `GAIA_STATS` line). One cycle is: apply from nothing → plan (no changes) → the same plan
 *  again (databases now from the observation cache) → status →
 *  apply of a 10 % change (every session of a tenth of the environments gets another command:
 *  replaced) → destroy; `plan` with everything to create runs before the first cycle.
 *  Everything is removed afterwards (tmux server killed, folders deleted), also on failure.
 *
 *  Usage: npm run bench  (builds first), or node bench/run.mjs [options]
 *    --sizes 5,50,500    environment counts (also: ref = the reference orchestration.yaml)
 *    --runs N            runs per figure (default 5); --runs-large N for sizes ≥ 200 (default 3)
 *    --bin PATH          the CLI to time (default bin/gaia; a .js file is run with node)
 *    --json FILE         also write every sample as JSON
 *  Figures are noisy on a shared 2-core machine: the load average is printed with the table. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { changedCount, generateManifest } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const sizes = option('sizes', 'ref,5,50,100,500').split(',').map((s) => s.trim()).filter(Boolean);
const runs = Number(option('runs', '5'));
const runsLarge = Number(option('runs-large', '3'));
const bin = path.resolve(option('bin', path.join(repoRoot, 'bin', 'gaia')));
const cli = bin.endsWith('.js') ? [process.execPath, bin] : [bin];
const jsonOut = option('json', undefined);
const TIME = '/usr/bin/time';
if (!fs.existsSync(TIME)) throw new Error('needs GNU time at /usr/bin/time (apt-get install time) for peak memory');

const cleanups = [];
function cleanupAll() {
  while (cleanups.length) {
    try {
      cleanups.pop()();
    } catch {
      /* best effort: keep cleaning */
    }
  }
}
process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

/** One process, timed from here; peak memory and spawns from GNU time and GAIA_STATS. */
function measure(argv, { cwd, env }) {
  const timeFile = path.join(os.tmpdir(), `gaia-bench-time-${process.pid}-${randomBytes(3).toString('hex')}`);
  const start = performance.now();
  const r = spawnSync(TIME, ['-f', '%M', '-o', timeFile, ...argv], {
    cwd, env: { ...env, GAIA_STATS: '1', NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 1 << 30,
  });
  const ms = performance.now() - start;
  const kb = Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  fs.rmSync(timeFile, { force: true });
  const stats = /gaia-stats spawned=(\d+)/.exec(r.stderr ?? '');
  return { ms, mb: kb / 1024, spawned: stats ? Number(stats[1]) : NaN, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function git(args, cwd) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The reference system with stand-ins for agents that are not installed. */
function referenceManifest() {
  return fs.readFileSync(path.join(repoRoot, 'orchestration.yaml'), 'utf8')
    .replace(/command: claude\b/, 'command: "sleep 86400"')
    .replace(/command: codex\b/, 'command: "sleep 86400"')
    .replace(/command: ollama run qwen2\.5-coder/, 'command: "sleep 86401"');
}
/** Its 10 % change: 3 of the 26 sessions (pr_integ, via ollama's command) get another command… */
const referenceChanged = (text) => text.replace(/(count: 3\n\s+name: pr_integ\{n\}\n\s+provider:) ollama/, '$1 codex');

function project(size) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `gaia-bench-${size}-`)));
  const socket = `gaia-bench-${size}-${randomBytes(4).toString('hex')}`;
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    // kill-server leaves its socket file behind.
    fs.rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  });
  git(['init', '-q', '-b', 'main'], dir);
  git(['config', 'user.name', 'gaia bench'], dir);
  git(['config', 'user.email', 'bench@example.invalid'], dir);
  git(['config', 'commit.gpgsign', 'false'], dir);
  fs.cpSync(path.join(repoRoot, 'examples', 'db'), path.join(dir, 'db'), { recursive: true });
  const base = size === 'ref' ? referenceManifest() : generateManifest(Number(size), { socket });
  const changed = size === 'ref' ? referenceChanged(base) : generateManifest(Number(size), { socket, changed: true });
  if (changed === base) throw new Error('the 10 % change did not change the manifest');
  fs.writeFileSync(path.join(dir, 'orchestration.yaml'), base);
  fs.writeFileSync(path.join(dir, '.gitignore'), 'envs/\n.gaia/\n*.db\n');
  fs.writeFileSync(path.join(dir, 'README.md'), 'gaia bench\n');
  git(['add', '-A'], dir);
  git(['commit', '-q', '-m', 'bench project'], dir);
  const env = { ...process.env, GAIA_TMUX_SOCKET: socket };
  return { dir, socket, env, base, changed };
}

function floor(p) {
  // Without NODE_EXTRA_CA_CERTS, as bin/gaia starts node: what any node program could spare itself.
  const { NODE_EXTRA_CA_CERTS: _, ...env } = p.env;
  return expectOk('floor', measure([process.execPath, path.join(here, 'floor.mjs'), p.dir, p.socket], { cwd: p.dir, env }));
}

/** A gaia run, with a floor run on the same world just before it: machines drift, pairs do not. */
function gaia(p, args) {
  const before = floor(p);
  const r = measure([...cli, ...args], { cwd: p.dir, env: p.env });
  return { ...r, floor: before };
}

function expectOk(label, r, ok = [0]) {
  if (!ok.includes(r.status)) throw new Error(`${label} exited ${r.status}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

function planSummary(p) {
  const r = spawnSync(cli[0], [...cli.slice(1), 'plan', '--json'], { cwd: p.dir, env: { ...p.env, NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 1 << 30 });
  const plan = JSON.parse(r.stdout);
  const counts = {};
  for (const c of plan.changes ?? []) counts[c.action] = (counts[c.action] ?? 0) + 1;
  return counts;
}

function sessionsUp(p) {
  const r = spawnSync('tmux', ['-L', p.socket, 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean).length : 0;
}

const hasStatus = () => spawnSync(cli[0], [...cli.slice(1), 'status', '--help'], { encoding: 'utf8' }).status === 0;

function benchSize(size) {
  const n = size === 'ref' ? runs : Number(size) >= 200 ? runsLarge : runs;
  const p = project(size);
  const samples = { floor: [], planNoop: [], planAgain: [], planCreate: [], apply: [], change: [], status: [], destroy: [] };
  const manifestPath = path.join(p.dir, 'orchestration.yaml');
  const withStatus = hasStatus();

  const result = { size, runs: n, resources: 0, sessions: 0, samples, withStatus, changed: size === 'ref' ? 3 : changedCount(Number(size)) * 5, error: undefined };
  try {
    gaia(p, ['plan']); // warm the file cache
    result.resources = planSummary(p).create ?? 0;
    for (let i = 0; i < n; i++) samples.planCreate.push(expectOk('plan (create)', gaia(p, ['plan', '--detailed-exitcode']), [2]));

    for (let cycle = 0; cycle < n; cycle++) {
      fs.writeFileSync(manifestPath, p.base);
      samples.apply.push(expectOk('apply', gaia(p, ['apply', '--auto-approve'])));
      // Let the new sessions' programs start before timing anything else: the reference world's
      // five bash sessions run the user's ~/.bashrc right now, and the floor would pay for it.
      spawnSync('sleep', ['1.5']);
      if (cycle === 0) result.sessions = sessionsUp(p);
      samples.floor.push(floor(p));
      samples.planNoop.push(expectOk('plan (no changes)', gaia(p, ['plan', '--detailed-exitcode'])));
      // The first plan after an apply reads every database; the next ones find them in .gaia/cache.
      samples.planAgain.push(expectOk('plan (no changes, again)', gaia(p, ['plan', '--detailed-exitcode'])));
      if (withStatus) samples.status.push(expectOk('status', gaia(p, ['status'])));
      fs.writeFileSync(manifestPath, p.changed);
      samples.change.push(expectOk('apply (10 % change)', gaia(p, ['apply', '--auto-approve'])));
      samples.destroy.push(expectOk('destroy', gaia(p, ['destroy', '--auto-approve'])));
      if (sessionsUp(p) !== 0) throw new Error(`destroy left ${sessionsUp(p)} sessions`);
    }
  } catch (e) {
    // Keep what was measured (a shared machine can run out of pseudo-terminals, for one).
    result.error = e instanceof Error ? e.message.split('\n').slice(0, 4).join(' | ') : String(e);
  }
  return result;
}

const pad = (s, w) => String(s).padStart(w);
const fmtMs = (ms) => (Number.isNaN(ms) ? 'n/a' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

function rows(result) {
  const s = result.samples;
  const lines = [];
  const row = (label, xs, ratios = true) => {
    if (!xs.length) return lines.push(`  ${label.padEnd(32)}${pad('n/a', 10)}`);
    const ms = median(xs.map((x) => x.ms));
    const mb = median(xs.map((x) => x.mb));
    const sp = median(xs.map((x) => x.spawned));
    // Each run over the floor run made just before it, on the same world; the median of those.
    const msRatio = ratios ? `${median(xs.map((x) => x.ms / x.floor.ms)).toFixed(1)}×` : '';
    const mbRatio = ratios ? `${median(xs.map((x) => x.mb / x.floor.mb)).toFixed(1)}×` : '';
    lines.push(`  ${label.padEnd(32)}${pad(fmtMs(ms), 10)}${pad(msRatio, 8)}${pad(`${mb.toFixed(0)} MB`, 9)}${pad(mbRatio, 7)}${pad(sp, 8)}${pad(xs.length, 6)}`);
  };
  const what = result.size === 'ref' ? 'reference orchestration.yaml (5 environments, 26 sessions)' : `${result.size} environments (${result.sessions} sessions)`;
  lines.push(`${what}: ${result.resources} resources`);
  lines.push(`  ${''.padEnd(32)}${pad('wall', 10)}${pad('/floor', 8)}${pad('peak', 9)}${pad('/floor', 7)}${pad('spawned', 8)}${pad('runs', 6)}`);
  row('floor (applied world)', s.floor, false);
  row('gaia plan (no changes)', s.planNoop);
  row('gaia plan (no changes, again)', s.planAgain);
  row('gaia plan (all to create)', s.planCreate);
  row('gaia apply (from nothing)', s.apply);
  row(`gaia apply (10 %: ${result.changed} replaced)`, s.change);
  row('gaia status', result.withStatus ? s.status : []);
  row('gaia destroy', s.destroy);
  if (result.error) lines.push(`  STOPPED EARLY: ${result.error}`);
  return lines.join('\n');
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`gaia bench: node ${process.version}, ${os.cpus().length} CPUs, ${bin.replace(`${repoRoot}/`, '')}; load average ${load()}`);
const results = [];
for (const size of sizes) {
  const started = performance.now();
  const result = benchSize(size);
  results.push(result);
  console.log(`\n${rows(result)}\n  (took ${fmtMs(performance.now() - started)}; load average ${load()})`);
  cleanupAll();
}
console.log(`\nwall = median wall time; peak = median of each run's peak resident memory (GNU time %M: the largest
process, node); spawned = child processes the run started (GAIA_STATS); /floor = median over the runs of
(the run ÷ a floor run made just before it on the same world: empty before "all to create" and "from
nothing", applied otherwise); floor = bench/floor.mjs (node + tmux list-sessions + git for-each-ref +
git worktree list + every database read with better-sqlite3, in one process).`);

console.log(`\ntargets (issues 3 and 7; reported, not enforced):`);
const bySize = new Map(results.map((r) => [r.size, r]));
const fig = (size, key, f = (x) => x.ms) => {
  const xs = bySize.get(size)?.samples[key] ?? [];
  return xs.length ? median(xs.map(f)) : NaN;
};
const verdict = (label, value, limit, unit = 'ms') => {
  const shown = Number.isNaN(value) ? 'not measured' : unit === 'ms' ? fmtMs(value) : `${value.toFixed(unit === '×' ? 2 : 0)}${unit === '×' ? '×' : ` ${unit}`}`;
  console.log(`  ${Number.isNaN(value) ? '?   ' : value < limit || (unit === '×' && value <= limit) ? 'met ' : 'MISS'} ${label}: ${shown}`);
};
verdict('plan, no changes, 5 environments ≤ 1.5 × floor', fig('5', 'planNoop', (x) => x.ms / x.floor.ms), 1.5, '×');
verdict('  the same, planned again', fig('5', 'planAgain', (x) => x.ms / x.floor.ms), 1.5, '×');
verdict('plan, no changes, 500 environments < 1 s (first plan after the apply: every database read)', fig('500', 'planNoop'), 1000);
verdict('  the same, planned again (unchanged databases from .gaia/cache)', fig('500', 'planAgain'), 1000);
verdict('apply from nothing, 500 environments (2,500 sessions) < 15 s', fig('500', 'apply'), 15000);
const peak500 = Math.max(...Object.values(bySize.get('500')?.samples ?? {}).flat().filter((x) => x.ms !== undefined && x.floor).map((x) => x.mb));
verdict('peak memory, 500 environments < 200 MB (largest run)', Number.isFinite(peak500) ? peak500 : NaN, 200, 'MB');
const planSpawns = results.filter((r) => r.samples.planNoop.length).map((r) => `${r.size}: ${median(r.samples.planNoop.map((x) => x.spawned))}`);
const constant = new Set(results.filter((r) => r.samples.planNoop.length).map((r) => median(r.samples.planNoop.map((x) => x.spawned)))).size === 1;
console.log(`  ${constant ? 'met ' : 'MISS'} child processes per plan constant in sessions and databases: ${planSpawns.join(', ')}`);
verdict('reference manifest, plan with no changes < 400 ms', fig('ref', 'planNoop'), 400);
verdict('100 environments / 500 sessions, plan with no changes < 1 s', fig('100', 'planNoop'), 1000);
verdict('100 environments / 500 sessions, apply from nothing < 5 s', fig('100', 'apply'), 5000);

// Issue 4: observing the databases in-process.
const sqliteBench = spawnSync(process.execPath, [path.join(here, 'sqlite-observe.mjs')], { encoding: 'utf8' });
console.log(`\n${(sqliteBench.stdout || sqliteBench.stderr).trimEnd()}`);
console.log(`\nload average at the end: ${load()}`);
if (jsonOut) {
  fs.writeFileSync(jsonOut, JSON.stringify(results.map((r) => ({ ...r, samples: Object.fromEntries(Object.entries(r.samples).map(([k, v]) => [k, v.map(({ ms, mb, spawned }) => ({ ms, mb, spawned }))])) })), null, 2));
}
