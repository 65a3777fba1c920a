#!/usr/bin/env node
/** What reading agent states adds to `gaia status` for the reference system (5 environments,
 *  26 sessions of which 21 run agents): the built CLI against an applied copy of orchestration.yaml
 *  on a private tmux server, with and without agent states (GAIA_NO_AGENT_STATE=1). The agents are
 *  the fake agent CLI (test/fixtures/fake-agent), so their panes hold real prompts and output; each
 *  has an event log of 200 lines (what agents' hooks write), read as part of the agent states.
 *  The issue's bar: within 100 ms of `gaia status` without them.
 *
 *  Usage: npm run build && node bench/agent-status.mjs [runs=11] */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repoRoot, 'bin', 'gaia'); // the installed command
const fake = path.join(repoRoot, 'test', 'fixtures', 'fake-agent');
const runs = Number(process.argv[2] ?? 11);
const socket = `gaia-bench-${randomBytes(4).toString('hex')}`;
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-agents-')));
const env = { ...process.env, GAIA_TMUX_SOCKET: socket, NO_COLOR: '1', FAKE_AGENT_START_MS: '200' };

const git = (args, cwd = dir) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const gaia = (args, extra = {}) => spawnSync(bin, args, { cwd: dir, env: { ...env, ...extra }, encoding: 'utf8' });

function setup() {
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'gaia bench']);
  git(['config', 'user.email', 'bench@example.invalid']);
  git(['config', 'commit.gpgsign', 'false']);
  fs.cpSync(path.join(repoRoot, 'db'), path.join(dir, 'db'), { recursive: true });
  const manifest = fs.readFileSync(path.join(repoRoot, 'orchestration.yaml'), 'utf8')
    .replace(/command: claude\b/, `command: ${fake}`)
    .replace(/command: codex\b/, `command: ${fake}`)
    .replace(/command: ollama run qwen2\.5-coder/, `command: ${fake}`);
  fs.writeFileSync(path.join(dir, 'orchestration.yaml'), manifest);
  fs.writeFileSync(path.join(dir, '.gitignore'), 'envs/\n.gaia/\n');
  git(['add', '.']);
  git(['commit', '-q', '-m', 'initial']);
  const applied = gaia(['apply', '--auto-approve']);
  if (applied.status !== 0) throw new Error(`gaia apply failed:\n${applied.stdout}\n${applied.stderr}`);
  // Some agents busy, one waiting for permission, the rest idle at their prompts.
  spawnSync('sleep', ['0.5']);
  const send = (session, text) => {
    const r = gaia(['send', session, text]);
    if (r.status !== 0) throw new Error(`gaia send ${session} failed:\n${r.stdout}\n${r.stderr}`);
  };
  send('architect1', 'plan the next release');
  send('pr_impl1', 'this needs permission');
}

/** Both variants, alternating run by run, so a neighbour's load hits both alike. */
function timeBoth(variants) {
  const wall = variants.map(() => []);
  const spawned = variants.map(() => NaN);
  for (const extra of variants) gaia(['status'], extra); // warm the file cache
  for (let i = 0; i < runs; i++) {
    variants.forEach((extra, k) => {
      const t = performance.now();
      const r = gaia(['status'], { ...extra, GAIA_STATS: '1' });
      wall[k].push(performance.now() - t);
      if (r.status !== 0) throw new Error(`gaia status exited ${r.status}:\n${r.stderr}`);
      spawned[k] = Number(/spawned=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
    });
  }
  return wall.map((w, k) => {
    const sorted = [...w].sort((a, b) => a - b);
    return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), spawned: spawned[k] };
  });
}

const fmt = (s) => `median ${s.median.toFixed(0)} ms  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}; ${s.spawned} processes)`;

try {
  setup();
  const report = JSON.parse(gaia(['status', '--json']).stdout);
  const counts = report.totals.agents;
  console.log(`agent states in gaia status: ${report.totals.sessions.expected} sessions, ${Object.values(counts).reduce((a, b) => a + b, 0)} agents (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}); ${runs} runs each`);
  // Each agent's own event log, as its hooks leave it after a long day (200 events; status reads the
  // last few KB of each), so the figure includes reading them.
  const logs = path.join(dir, '.gaia', 'agent-events');
  fs.mkdirSync(logs, { recursive: true });
  const old = Date.now() - 3_600_000; // an hour ago: older than the screens, so the screens decide as before
  const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ at: old + i, source: 'claude', kind: i % 2 ? 'Stop' : 'UserPromptSubmit', sessionId: '6ab4e0b2-5f0c-4a53-9d43-9f1a2a7c0d11' })).join('\n') + '\n';
  for (const s of report.groups.flatMap((g) => g.sessions).filter((x) => x.agent)) fs.writeFileSync(path.join(logs, `${s.name}.jsonl`), lines);
  const [off, on] = timeBoth([{ GAIA_NO_AGENT_STATE: '1' }, {}]);
  console.log(`  gaia status without agent states   ${fmt(off)}`);
  console.log(`  gaia status with agent states      ${fmt(on)}`);
  console.log(`  difference of medians              ${(on.median - off.median).toFixed(0)} ms (bar: 100 ms)`);
  console.log(`  load average                       ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
} finally {
  spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
}
