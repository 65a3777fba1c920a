#!/usr/bin/env node
/** How long `gaia status` takes for the reference system (5 environments × 3 stages, 26 sessions),
 *  end to end: the built CLI spawned as a user runs it, against an applied copy of
 *  orchestration.yaml in a temporary git repository, on a private tmux server.
 *
 *  The agents' commands are replaced by `sleep` (the real ones are not installed here); two
 *  environments get commits and one gets uncommitted files, so ahead/behind and dirty counts
 *  take their real paths (merge-base + rev-list, not the "all equal" shortcut).
 *
 *  Usage: npm run build && node bench/status.mjs [runs=11] [--keep]
 *  --keep leaves the project and its tmux server running (printed) for profiling by hand.
 *  Prints the median, min and max wall time of `gaia status` and `gaia status --json`, and the
 *  median CPU time of the CLI with its git/tmux children, next to `gaia --version` (what starting
 *  node and loading the CLI costs by itself), and the load average: on a busy machine wall time
 *  says more about the neighbours than about gaia. */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repoRoot, 'bin', 'gaia'); // the installed command
const keep = process.argv.includes('--keep');
const runs = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 11);
const socket = `gaia-bench-${randomBytes(4).toString('hex')}`;
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-status-')));
const env = { ...process.env, GAIA_TMUX_SOCKET: socket, NO_COLOR: '1' };

const git = (args, cwd = dir) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const gaia = (args) => spawnSync(bin, args, { cwd: dir, env, encoding: 'utf8' });

function setup() {
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'gaia bench']);
  git(['config', 'user.email', 'bench@example.invalid']);
  git(['config', 'commit.gpgsign', 'false']);
  fs.cpSync(path.join(repoRoot, 'db'), path.join(dir, 'db'), { recursive: true });
  const manifest = fs.readFileSync(path.join(repoRoot, 'orchestration.yaml'), 'utf8')
    .replace(/command: claude\b/, 'command: "sleep 1000000"')
    .replace(/command: codex\b/, 'command: "sleep 1000000"')
    .replace(/command: ollama run qwen2\.5-coder/, 'command: "sleep 1000000"');
  fs.writeFileSync(path.join(dir, 'orchestration.yaml'), manifest);
  fs.writeFileSync(path.join(dir, '.gitignore'), 'envs/\n.gaia/\n');
  fs.writeFileSync(path.join(dir, 'README.md'), 'bench\n');
  git(['add', '.']);
  git(['commit', '-q', '-m', 'initial']);
  const applied = gaia(['apply', '--auto-approve']);
  if (applied.status !== 0) throw new Error(`gaia apply failed:\n${applied.stdout}\n${applied.stderr}`);
  // Some history that differs: dev1 ahead, main ahead of everyone, dev2 with uncommitted work.
  fs.writeFileSync(path.join(dir, 'envs/dev1/feature.txt'), 'work\n');
  git(['add', 'feature.txt'], path.join(dir, 'envs/dev1'));
  git(['commit', '-q', '-m', 'dev1 work'], path.join(dir, 'envs/dev1'));
  fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), 'main moved\n');
  git(['add', 'CHANGELOG.md']);
  git(['commit', '-q', '-m', 'main work']);
  fs.writeFileSync(path.join(dir, 'envs/dev2/scratch.txt'), 'uncommitted\n');
}

/** CPU time (user + system, ms) of every child this process has waited for, from /proc (Linux):
 *  the CLI and the git/tmux processes it ran. Less sensitive to a busy machine than wall time. */
function childCpuMs() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime + cstime, in 1/100 s
  } catch {
    return NaN;
  }
}

function time(args) {
  const wall = [];
  const cpu = [];
  gaia(args); // warm the file cache
  for (let i = 0; i < runs; i++) {
    const c = childCpuMs();
    const t = performance.now();
    const r = gaia(args);
    wall.push(performance.now() - t);
    cpu.push(childCpuMs() - c);
    if (r.status !== 0) throw new Error(`gaia ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const sorted = [...wall].sort((a, b) => a - b);
  return { median: median(wall), min: sorted[0], max: sorted.at(-1), cpu: median(cpu) };
}

const fmt = (s) => `median ${s.median.toFixed(0)} ms  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}; CPU ${Number.isNaN(s.cpu) ? '?' : s.cpu.toFixed(0)} ms)`;

try {
  setup();
  const check = JSON.parse(gaia(['status', '--json']).stdout);
  const up = check.totals.sessions.up;
  const dev1 = check.environments.find((e) => e.name === 'dev1');
  console.log(`gaia status bench: ${check.environments.length} environments, ${check.totals.sessions.expected} sessions (${up} up); dev1 ↑${dev1.ahead} ↓${dev1.behind}; ${runs} runs each`);
  console.log(`  gaia --version        ${fmt(time(['--version']))}`);
  console.log(`  gaia status           ${fmt(time(['status']))}`);
  console.log(`  gaia status --json    ${fmt(time(['status', '--json']))}`);
  console.log(`  load average          ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
} finally {
  if (keep) {
    console.log(`  kept: cd ${dir} && GAIA_TMUX_SOCKET=${socket} gaia status   (clean up: tmux -L ${socket} kill-server; rm -rf ${dir})`);
  } else {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    // kill-server leaves its socket file behind.
    fs.rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
