#!/usr/bin/env node
/** Bundle the CLI into one CommonJS file, dist/gaia.cjs, which bin/gaia.js loads with a V8 code
 *  cache. Why this shape: loading ~300 separate ESM modules cost more than gaia's whole plan of the
 *  reference system, and compiling one big ESM file still cost ~50 ms a run; Node 20 can cache
 *  compiled code only for scripts (vm.Script), not for ES modules.
 *  better-sqlite3's JavaScript is bundled too (~10 ms to load its 14 files otherwise); its native
 *  addon is named directly (src/providers/sqlite/driver.ts), so `bindings` stays outside, unused.
 *  Modules reached only through `await import()` (the dashboard's HTTP stack) are evaluated only
 *  when a command asks for them. */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outfile: path.join(root, 'dist/gaia.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['bindings'],
  logLevel: 'warning',
  // GAIA_BUNDLE_PLAIN=1 keeps names for profiling; whitespace (and with it comments) always goes.
  ...(process.env.GAIA_BUNDLE_PLAIN === '1' ? { minifyWhitespace: true } : { minify: true }),
  sourcemap: true, // GAIA_DEBUG stacks name the TypeScript sources
  // The sources are ES modules that find files next to themselves through import.meta.url.
  define: { 'import.meta.url': '__gaiaModuleUrl' },
  banner: { js: "const __gaiaModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  charset: 'ascii',
});

// bin/gaia.js reads the bundle as latin1, which for ASCII is exact and quicker than decoding UTF-8
// (and gives V8 a one-byte source). esbuild escapes everything but raw template strings: refuse those.
const bundled = fs.readFileSync(path.join(root, 'dist/gaia.cjs'), 'latin1');
const wide = /[^\x00-\x7f]/.exec(bundled);
if (wide) {
  console.error(`dist/gaia.cjs is not ASCII: ${JSON.stringify(bundled.slice(Math.max(0, wide.index - 60), wide.index + 20))}\nwrite the character as a \\u escape in the source (String.raw cannot be escaped by esbuild)`);
  process.exit(1);
}

// A fresh code cache, written by a run that compiles what most commands use (loading, checking
// and expanding a manifest): later runs of any command start from it.
const cache = path.join(root, 'dist/gaia.cjs.v8cache');
fs.rmSync(cache, { force: true });
fs.rmSync(`${cache}.json`, { force: true });
execFileSync(process.execPath, [path.join(root, 'bin/gaia.js'), 'validate', '--print-resources', '-f', path.join(root, 'orchestration.yaml')], { stdio: 'ignore' });
if (!fs.existsSync(cache)) console.warn(`warning: ${path.relative(root, cache)} was not written; the CLI will start slower`);
