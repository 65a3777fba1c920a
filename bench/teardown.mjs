#!/usr/bin/env node
/** What ending whole programs costs `gaia destroy`: N sessions, each running a program with a child
 *  and a daemon re-parented to init (as gemini's and codex's helpers are), applied on a private tmux
 *  server and destroyed; prints the destroy's wall time and the processes still carrying the
 *  project's marks afterwards. Give another gaia (e.g. main's bin/gaia) to compare with.
 *
 *  Usage: npm run prepare && node bench/teardown.mjs [sessions=50] [gaia=bin/gaia] */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const n = Number(process.argv[2] ?? 50);
const bin = path.resolve(process.argv[3] ?? path.join(repoRoot, 'bin', 'gaia'));
const socket = `gaia-bench-${randomBytes(4).toString('hex')}`;
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-teardown-')));
const env = { ...process.env, GAIA_TMUX_SOCKET: socket, NO_COLOR: '1' };
const gaia = (args) => spawnSync(bin, args, { cwd: dir, env, encoding: 'utf8' });

/** Live processes whose environment says they belong to this project (the bench's own marks). */
function marked() {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /s, '')[0] === 'Z') continue;
      if (fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').some((e) => e === `BENCH_TEARDOWN=${dir}`)) out.push(Number(d));
    } catch {
      /* ended, or not ours */
    }
  }
  return out;
}

execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
fs.writeFileSync(path.join(dir, 'orchestration.yaml'), `version: 1
project: teardownbench
groups:
  work:
    count: ${n}
    name: "w{n}"
    command: "sleep 600 & ( setsid sleep 600 & ) ; exec sleep 600"
    vars: { BENCH_TEARDOWN: "${dir}" }
`);
try {
  const applied = gaia(['apply', '--auto-approve']);
  if (applied.status !== 0) throw new Error(`gaia apply failed:\n${applied.stdout}\n${applied.stderr}`);
  for (let i = 0; i < 200 && marked().length < 3 * n; i++) spawnSync('sleep', ['0.05']);
  const before = marked().length;
  const t = performance.now();
  const destroyed = gaia(['destroy', '--auto-approve']);
  const ms = performance.now() - t;
  if (destroyed.status !== 0) throw new Error(`gaia destroy failed:\n${destroyed.stdout}\n${destroyed.stderr}`);
  const left = marked();
  console.log(`${path.relative(process.cwd(), bin) || bin}: destroy of ${n} sessions (${before} processes): ${(ms / 1000).toFixed(2)} s; processes left: ${left.length}`);
  for (const pid of left) process.kill(pid, 'SIGKILL');
} finally {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  fs.rmSync(dir, { recursive: true, force: true });
}
