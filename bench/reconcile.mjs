#!/usr/bin/env node
/** Does a reconcile round with nothing to do cost more than a plan? Both run as a user (or a systemd
 *  timer) would run them: the built CLI spawned, against the reference system (5 environments × 3
 *  stages, 26 sessions) applied on a private tmux server, in a clone of a bare "remote" repository.
 *
 *  A round does everything a plan does (open the state, observe tmux/git/SQLite/ports, plan) plus
 *  the GitOps work: take and release the lock, `git fetch` from the remote, resolve the followed
 *  ref, read the back-off state and record the round. The fetch runs beside the observation.
 *
 *  Usage: npm run build && node bench/reconcile.mjs [runs=11]
 *  Prints median/min/max wall time of `gaia plan` and `gaia reconcile --once`, run alternately (and
 *  their CPU time, children included, where GNU time is installed), and the duration of each round
 *  of one long-running `gaia reconcile --watch` — the way the reconciler runs as a service. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repoRoot, 'bin', 'gaia'); // the installed command
const runs = Number(process.argv[2] ?? 11);
const socket = `gaia-bench-${randomBytes(4).toString('hex')}`;
const top = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-reconcile-')));
const remote = path.join(top, 'remote.git');
const dev = path.join(top, 'dev');
const machine = path.join(top, 'machine');
const env = { ...process.env, GAIA_TMUX_SOCKET: socket, NO_COLOR: '1' };

const git = (args, cwd) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const gaia = (args) => spawnSync(bin, args, { cwd: machine, env, encoding: 'utf8' });
const identity = (cwd) => {
  git(['config', 'user.name', 'gaia bench'], cwd);
  git(['config', 'user.email', 'bench@example.invalid'], cwd);
  git(['config', 'commit.gpgsign', 'false'], cwd);
};

function setup() {
  git(['init', '-q', '--bare', '-b', 'main', remote], top);
  git(['init', '-q', '-b', 'main', dev], top);
  identity(dev);
  fs.cpSync(path.join(repoRoot, 'db'), path.join(dev, 'db'), { recursive: true });
  const manifest = fs.readFileSync(path.join(repoRoot, 'orchestration.yaml'), 'utf8')
    .replace(/command: claude\b/, 'command: "sleep 1000000"')
    .replace(/command: codex\b/, 'command: "sleep 1000000"')
    .replace(/command: ollama run qwen2\.5-coder/, 'command: "sleep 1000000"')
    .replace(/^project: .*$/m, (line) => `${line}\nsync: { mode: auto, prune: true, selfHeal: true }`);
  fs.writeFileSync(path.join(dev, 'orchestration.yaml'), manifest);
  fs.writeFileSync(path.join(dev, '.gitignore'), 'envs/\n.gaia/\n');
  git(['add', '.'], dev);
  git(['commit', '-q', '-m', 'initial'], dev);
  git(['remote', 'add', 'origin', remote], dev);
  git(['push', '-q', '-u', 'origin', 'main'], dev);
  git(['clone', '-q', remote, machine], top);
  identity(machine);
  const first = gaia(['reconcile', '--once']);
  if (first.status !== 0 || !/: applied/.test(first.stdout)) throw new Error(`first round did not apply:\n${first.stdout}\n${first.stderr}`);
  const second = gaia(['reconcile', '--once']);
  if (!/: synced — No changes\./.test(second.stdout)) throw new Error(`second round was not a no-op:\n${second.stdout}\n${second.stderr}`);
  const plan = gaia(['plan']);
  if (!/No changes\./.test(plan.stdout)) throw new Error(`plan is not empty:\n${plan.stdout}`);
}

/** GNU time, when installed, adds the CPU time of the command and every process it waited for
 *  (git, tmux): a figure the load of a busy machine does not distort the way wall time is. */
const TIME = ['/usr/bin/time', '/bin/time'].find((t) => fs.existsSync(t));
const CPU_MARK = 'gaia-bench-cpu';

function once(args) {
  const t = performance.now();
  const r = TIME
    ? spawnSync(TIME, ['-f', `${CPU_MARK} %U %S`, bin, ...args], { cwd: machine, env, encoding: 'utf8' })
    : gaia(args);
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`gaia ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const cpu = new RegExp(`${CPU_MARK} ([\\d.]+) ([\\d.]+)`).exec(r.stderr);
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined };
}

function watchRounds(count) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['reconcile', '--watch', '--interval', '1s', '--json', '--ref', 'origin/main'], { cwd: machine, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const durations = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      buffer += d;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const round = JSON.parse(line);
        if (round.result !== 'synced') return reject(new Error(`a watch round did something: ${line}`));
        durations.push(Date.parse(round.finishedAt) - Date.parse(round.startedAt));
        // The first round pays for the JIT warming up, as `--once` does every time; count the rest.
        if (durations.length === count + 1) child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => (code === 0 && durations.length > count ? resolve(stats(durations.slice(1))) : reject(new Error(`watch exited ${code} after ${durations.length} rounds: ${stderr}`))));
  });
}

const stats = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1) };
};
const fmt = (s) => `median ${s.median.toFixed(0)} ms  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`;

try {
  setup();
  const commands = { plan: ['plan'], reconcile: ['reconcile', '--once', '--ref', 'origin/main'], version: ['--version'] };
  const samples = { plan: [], reconcile: [], version: [] };
  const cpu = { plan: [], reconcile: [], version: [] };
  for (const args of Object.values(commands)) once(args); // warm the file cache
  // Alternate, so a slow moment of the machine hits both alike.
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const r = once(args);
      samples[name].push(r.ms);
      if (r.cpuMs !== undefined) cpu[name].push(r.cpuMs);
    }
  }
  const plan = stats(samples.plan);
  const round = stats(samples.reconcile);
  console.log(`gaia reconcile bench: reference system (5 environments, 26 sessions) applied; remote is a local bare repository; ${runs} runs each`);
  console.log(`  gaia --version                                          ${fmt(stats(samples.version))}`);
  console.log(`  gaia plan (no changes)                                  ${fmt(plan)}`);
  console.log(`  gaia reconcile --once --ref origin/main (nothing to do) ${fmt(round)}`);
  console.log(`  wall time, round / plan: ${(round.median / plan.median).toFixed(2)}×`);
  if (cpu.plan.length) {
    const [p, r] = [stats(cpu.plan), stats(cpu.reconcile)];
    console.log(`  CPU time (user+sys, with git/tmux children): version ${stats(cpu.version).median.toFixed(0)} ms, plan ${fmt(p)}, round ${fmt(r)}`);
    console.log(`  CPU time, round / plan: ${(r.median / p.median).toFixed(2)}×`);
  }
  // The production shape: one long-running `--watch` process, a round every interval. Each round's
  // own duration comes from the JSON line it prints (finishedAt − startedAt); the sleep is not counted.
  const watch = await watchRounds(runs);
  console.log(`  gaia reconcile --watch, per round (in one process)        ${fmt(watch)}`);
  console.log(watch.median <= plan.median
    ? `  target met: a --watch round with nothing to do takes ${(watch.median / plan.median * 100).toFixed(0)}% of a \`gaia plan\``
    : '  TARGET MISSED: a --watch round costs more than a `gaia plan`');
  const pct = Math.round((round.median / plan.median - 1) * 100);
  console.log(`  a --once round is a plan plus the fetch and the round's bookkeeping: ${pct >= 0 ? `${pct}% more` : `${-pct}% less`} wall time than the plan here`);
  console.log(`  load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
} finally {
  if (process.env.GAIA_BENCH_KEEP) {
    console.log(`kept for inspection: ${machine} (GAIA_TMUX_SOCKET=${socket})`);
  } else {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    fs.rmSync(top, { recursive: true, force: true });
  }
}
