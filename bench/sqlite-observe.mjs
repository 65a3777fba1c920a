#!/usr/bin/env node
/** How long observing SQLite databases takes, in-process (issue 4: 1,500 databases under 500 ms,
 *  no process per database): `sqliteProvider.observe` from the build output, on 15 and 1,500
 *  databases in a temporary folder (one made by the provider's own apply, the rest copies of it),
 *  owned (recorded) as after an apply. Prints the first (cold) run and the median of the next runs.
 *
 *  Usage: npx tsc -p tsconfig.build.json && node bench/sqlite-observe.mjs [counts=15,1500] [runs=7] */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const counts = (process.argv[2] ?? '15,1500').split(',').map(Number);
const runs = Number(process.argv[3] ?? 7);

const { sqliteProvider, SQLITE_KIND } = await import(path.join(repoRoot, 'dist/providers/sqlite/index.js'));
const { localExecutor } = await import(path.join(repoRoot, 'dist/host/exec.js'));
const { localHost } = await import(path.join(repoRoot, 'dist/host/local/local-host.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench(n) {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-sqlite-')));
  try {
    fs.cpSync(path.join(repoRoot, 'examples', 'db'), path.join(root, 'db'), { recursive: true });
    const file = 'db/migrations/001_init.sql';
    const sha256 = createHash('sha256').update(fs.readFileSync(path.join(root, file))).digest('hex');
    const exec = localExecutor();
    const attrs = (i) => ({ path: `envs/e${Math.floor(i / 3) + 1}/data/${['dev', 'qa', 'staging'][i % 3]}.db`, migrations: [{ name: '001_init.sql', file, sha256 }], preventDestroy: false });
    const desired = Array.from({ length: n }, (_, i) => ({ kind: SQLITE_KIND, address: `${SQLITE_KIND}.e${Math.floor(i / 3) + 1}.${['dev', 'qa', 'staging'][i % 3]}`, attributes: attrs(i), dependsOn: [] }));
    const recorded = desired.map((d) => ({ ...d, specHash: 'bench' }));

    // One database made the way apply makes it, then copied into every other place.
    const host = localHost(exec);
    const settings = { tmux: {}, sqlite: {} };
    const ctx = { root, host, settings, allowDataLoss: false, force: false, backupDir: path.join(root, '.gaia', 'backups'), log: () => {} };
    const [made] = await sqliteProvider.apply([{ kind: SQLITE_KIND, address: desired[0].address, action: 'create', after: desired[0].attributes, dependsOn: [], reasons: [], diffs: [], hazards: [] }], ctx);
    if (made.status !== 'done') throw new Error(`could not create a database: ${made.error}`);
    const first = path.join(root, desired[0].attributes.path);
    for (const d of desired.slice(1)) {
      fs.mkdirSync(path.dirname(path.join(root, d.attributes.path)), { recursive: true });
      fs.copyFileSync(first, path.join(root, d.attributes.path));
    }

    const once = async () => {
      const t = performance.now();
      const result = await sqliteProvider.observe({ desired, recorded }, { root, host, settings });
      const ms = performance.now() - t;
      if (result.observed.length !== n) throw new Error(`observed ${result.observed.length} of ${n} databases`);
      return ms;
    };
    const cold = await once();
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    return { n, cold, median: median(times), min: Math.min(...times), spawned: exec.spawned };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

console.log(`sqliteProvider.observe, in-process; ${runs} runs after a first (cold) one; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const n of counts) {
  const r = await bench(n);
  const verdict = n >= 1500 ? (r.median < 500 ? '  (target < 500 ms: met)' : '  (target < 500 ms: MISSED)') : '';
  console.log(`  ${String(r.n).padStart(5)} databases: median ${r.median.toFixed(0)} ms (min ${r.min.toFixed(0)}, first ${r.cold.toFixed(0)}), ${(r.median / r.n * 1000).toFixed(0)} µs each, ${r.spawned} processes${verdict}`);
}
