#!/usr/bin/env node
/** The reliability report: runs the suite in test/reliability/ at a larger scale than CI does and prints
 *  one table — kill points tried / converged, concurrent applies / correct, fuzz cases / crashes,
 *  injection attempts / executed, fault scenarios / repaired, secret checks / leaks.
 *
 *  `npm test` runs the same files at a small scale that still proves each property (a few kill points,
 *  a few hundred fuzz cases) and without time bounds; the scale and the bounds are this script's.
 *
 *  The suite itself is the measurement: each test appends its figures to a report file (the
 *  GAIA_RELIABILITY_REPORT variable) and this script scales it through variables the tests read.
 *  It uses the built CLI: run `npm run build` first.
 *
 *  Usage: node bench/reliability.mjs [options]
 *    --kills N          kill points after a step boundary (default 24; npm test runs 3)
 *    --random N         kill points at random times (default 8; npm test 1)
 *    --fuzz N           manifests through the loader in-process (default 20000; npm test 400)
 *    --fuzz-cli N       through the CLI's main() in-process (default 1000; npm test 50)
 *    --fuzz-spawned N   through real CLI runs (default 60; npm test 20: the 16 pathological cases and 4 more)
 *    --concurrent N     parallel applies per round (default 8; npm test 4)
 *    --interrupts N     interruptions per signal (SIGKILL, SIGTERM, SIGINT, SIGHUP) × apply/destroy (default 20; npm test 1)
 *    --fuzz-bound MS    each fuzz case's time bound (default 2000; npm test has none)
 *    --seed N           replay a run's random choices
 *    --only a,b         only these test files (crash, interrupt, store, concurrency, faults, fuzz, injection, secrets)
 *    --ci               the scale `npm test` runs (its defaults), with the time bound */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const ci = process.argv.includes('--ci');
const scale = {
  GAIA_KILL_BOUNDARIES: option('kills', ci ? '3' : '24'),
  GAIA_KILL_RANDOM: option('random', ci ? '1' : '8'),
  GAIA_FUZZ_CASES: option('fuzz', ci ? '400' : '20000'),
  GAIA_FUZZ_CLI_CASES: option('fuzz-cli', ci ? '50' : '1000'),
  GAIA_FUZZ_SPAWNED: option('fuzz-spawned', ci ? '20' : '60'),
  GAIA_CONCURRENT_APPLIES: option('concurrent', ci ? '4' : '8'),
  GAIA_INTERRUPT_POINTS: option('interrupts', ci ? '1' : '20'),
  GAIA_FUZZ_TIME_BOUND_MS: option('fuzz-bound', '2000'),
  ...(option('seed') ? { GAIA_RELIABILITY_SEED: option('seed') } : {}),
};
const only = option('only', '').split(',').map((s) => s.trim()).filter(Boolean);

if (!existsSync(path.join(root, 'dist', 'gaia.cjs'))) {
  console.error('dist/gaia.cjs is missing: run `npm run build` first');
  process.exit(1);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'gaia-reliability-'));
const reportFile = path.join(dir, 'report.jsonl');
const files = only.length ? only.map((o) => `test/reliability/${o}.test.ts`) : ['test/reliability/'];
console.log(`gaia reliability: ${Object.entries(scale).map(([k, v]) => `${k}=${v}`).join(' ')}`);
const t0 = Date.now();
// jest reports on stderr: shown as it runs (a large run takes minutes) and kept for the summary.
const child = spawn(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--runInBand', ...files], {
  cwd: root,
  env: { ...process.env, ...scale, GAIA_RELIABILITY_REPORT: reportFile, NODE_NO_WARNINGS: '1' },
  stdio: ['ignore', 'inherit', 'pipe'],
});
let stderr = '';
child.stderr.on('data', (d) => {
  stderr += d;
  process.stderr.write(d);
});
const status = await new Promise((resolve) => child.on('close', (code) => resolve(code)));
const run = { status, stderr };
const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
const jestSummary = (run.stderr ?? '').split('\n').filter((l) => /^(Tests|Test Suites):/.test(l));
const failed = (run.stderr ?? '').split('\n').filter((l) => /^\s+✕/.test(l));

const rows = existsSync(reportFile) ? readFileSync(reportFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
rmSync(dir, { recursive: true, force: true });

const header = ['area', 'measure', 'tried', 'result', 'notes'];
const table = rows.map((r) => [r.area, r.measure, String(r.tried), `${r.ok} ${r.okLabel}`, r.notes ?? '']);
const width = (i) => Math.max(header[i].length, ...table.map((t) => Math.min(t[i].length, i === 4 ? 90 : 200)));
const cell = (s, i) => (i === 2 ? s.padStart(width(i)) : (s.length > width(i) ? `${s.slice(0, width(i) - 1)}…` : s.padEnd(width(i))));
console.log(`\ngaia reliability report (${new Date().toISOString().slice(0, 10)}, ${minutes} min${scale.GAIA_RELIABILITY_SEED ? `, seed ${scale.GAIA_RELIABILITY_SEED}` : ''})\n`);
console.log(`| ${header.map(cell).join(' | ')} |`);
console.log(`|${header.map((_, i) => `${i === 2 ? '-'.repeat(width(i) + 1) : '-'.repeat(width(i) + 2)}${i === 2 ? ':' : ''}`).join('|')}|`);
for (const t of table) console.log(`| ${t.map(cell).join(' | ')} |`);
console.log('');
for (const l of jestSummary) console.log(l);
if (failed.length) console.log(`failed:\n${failed.join('\n')}`);
if (run.status !== 0) {
  console.log((run.stderr ?? '').split('\n').filter((l) => /●|Expected|Received|^\s+[-+] /.test(l)).slice(0, 60).join('\n'));
}
process.exitCode = run.status ?? 1;
