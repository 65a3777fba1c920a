#!/usr/bin/env node
/** The state store at scale: open + recorded() of 9,000 resources (the figure test/integration/state.test.ts
 *  used to bound at 2 s; the test now checks only that they all come back). Run `npm run build` first:
 *  it imports the build output. Usage: node bench/state-store.mjs [resources] [runs] */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const count = Number(process.argv[2] ?? 9000);
const runs = Number(process.argv[3] ?? 5);
const { openSqliteStore } = await import(path.join(root, 'dist/state/sqlite-store.js'));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-state-'));
try {
  const file = path.join(dir, '.gaia', 'state.db');
  const seed = await openSqliteStore(file);
  await seed.recordMany(Array.from({ length: count }, (_, i) => ({
    kind: 'tmux_session', address: `tmux_session.dev${i}`, specHash: `hash-${i}`, dependsOn: [`git_worktree.dev${i}`],
    attributes: { command: 'claude', cwd: `worktrees/dev${i}`, env: { PORT: String(8000 + i) }, lines: [1, 2, 3] },
  })));
  await seed.close();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const store = await openSqliteStore(file);
    const all = await store.recorded();
    times.push(performance.now() - started);
    await store.close();
    if (all.length !== count) throw new Error(`read ${all.length} of ${count}`);
  }
  times.sort((a, b) => a - b);
  console.log(`state store: open + recorded() of ${count} resources: median ${times[Math.floor(runs / 2)].toFixed(1)} ms, min ${times[0].toFixed(1)}, max ${times[runs - 1].toFixed(1)} (${runs} runs; node ${process.version})`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
