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
 *  Prints median/min/max wall time of `gaia plan` and `gaia reconcile --once`, run alternately. */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repoRoot, 'bin', 'gaia.js');
const runs = Number(process.argv[2] ?? 11);
const socket = `gaia-bench-${randomBytes(4).toString('hex')}`;
const top = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-reconcile-')));
const remote = path.join(top, 'remote.git');
const dev = path.join(top, 'dev');
const machine = path.join(top, 'machine');
const env = { ...process.env, GAIA_TMUX_SOCKET: socket, NO_COLOR: '1' };

const git = (args, cwd) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const gaia = (args) => spawnSync(process.execPath, [bin, ...args], { cwd: machine, env, encoding: 'utf8' });
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

function once(args) {
  const t = performance.now();
  const r = gaia(args);
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`gaia ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return ms;
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
  for (const args of Object.values(commands)) once(args); // warm the file cache
  // Alternate, so a slow moment of the machine hits both alike.
  for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(commands)) samples[name].push(once(args));
  const plan = stats(samples.plan);
  const round = stats(samples.reconcile);
  console.log(`gaia reconcile bench: reference system (5 environments, 26 sessions) applied; remote is a local bare repository; ${runs} runs each`);
  console.log(`  gaia --version                                          ${fmt(stats(samples.version))}`);
  console.log(`  gaia plan (no changes)                                  ${fmt(plan)}`);
  console.log(`  gaia reconcile --once --ref origin/main (nothing to do) ${fmt(round)}`);
  console.log(`  round / plan: ${(round.median / plan.median).toFixed(2)}× — ${round.median <= plan.median * 1.05 ? 'target met (no more than a plan, within 5%)' : 'TARGET MISSED'}`);
  console.log(`  load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
} finally {
  spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  fs.rmSync(top, { recursive: true, force: true });
}
