#!/usr/bin/env node
/** What reading the agents' own events costs `gaia status`: the newest event of each of the
 *  reference system's 21 agent sessions, read from logs of 200 lines each with the code status uses
 *  (src/agents/event-files.ts, bundled here by esbuild), in-process, no process per session.
 *  bench/agent-status.mjs times the whole `gaia status` with these logs in place.
 *
 *  Usage: node bench/agent-events.mjs [rounds=200] */
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 200);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-events-'));
try {
  const out = path.join(dir, 'event-files.mjs');
  await build({ entryPoints: [path.join(repoRoot, 'src/agents/event-files.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
  const { readLatestEvent } = await import(pathToFileURL(out).href);
  const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ at: Date.now() + i, source: 'claude', kind: i % 2 ? 'Stop' : 'UserPromptSubmit', sessionId: '6ab4e0b2-5f0c-4a53-9d43-9f1a2a7c0d11' })).join('\n') + '\n';
  const files = Array.from({ length: 21 }, (_, i) => {
    const f = path.join(dir, `s${i}.jsonl`);
    fs.writeFileSync(f, lines);
    return f;
  });
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (const f of files) readLatestEvent(f);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`newest event of 21 agent logs (200 lines each), in-process: median ${times[Math.floor(rounds / 2)].toFixed(3)} ms, min ${times[0].toFixed(3)} ms (${rounds} rounds)`);
  console.log(`  load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
