#!/usr/bin/env node
/** Bundle the CLI into one CommonJS file, dist/gaia.cjs, which bin/gaia.js loads with a V8 code
 *  cache. Why this shape: loading ~300 separate ESM modules cost more than gaia's whole plan of the
 *  reference system, and compiling one big ESM file still cost ~50 ms a run; Node 20 can cache
 *  compiled code only for scripts (vm.Script), not for ES modules.
 *  The V8 code cache is not made here: bin/gaia.js keeps it in the user's cache folder, where a
 *  package install (read-only, shared, built with another node) does not matter.
 *  better-sqlite3's JavaScript is bundled too (~10 ms to load its 14 files otherwise); its native
 *  addon is named directly (src/host/local/sqlite-driver.ts), so `bindings` stays outside, unused.
 *  Modules reached only through `await import()` (the dashboard's HTTP stack, the PostgreSQL store and
 *  `pg`) are evaluated only when a command asks for them. */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** pg asks at load whether it runs on Cloudflare Workers by making a `Response`, which makes node load
 *  its fetch implementation (undici): ~10 ms of every command on a PostgreSQL store. gaia runs on node. */
const pgOnNode = {
  name: 'pg-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      const patched = text.replace('function isCloudflareRuntime() {', 'function isCloudflareRuntime() {\n  return false');
      if (patched === text) throw new Error(`${args.path}: isCloudflareRuntime not found (pg changed): update scripts/bundle.mjs`);
      return { contents: patched, loader: 'js' };
    });
  },
};

await build({
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outfile: path.join(root, 'dist/gaia.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // pg-native (libpq bindings, which pg loads only when asked for pg.native) is never installed nor bundled.
  external: ['bindings', 'pg-native'],
  logLevel: 'warning',
  plugins: [pgOnNode],
  // GAIA_BUNDLE_PLAIN=1 keeps names for profiling; whitespace (and with it comments) always goes.
  ...(process.env.GAIA_BUNDLE_PLAIN === '1' ? { minifyWhitespace: true } : { minify: true }),
  sourcemap: true, // GAIA_DEBUG stacks name the TypeScript sources (in a clone; the package ships no map)
  // The sources are ES modules that find files next to themselves through import.meta.url.
  define: { 'import.meta.url': '__gaiaModuleUrl' },
  banner: { js: "const __gaiaModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  charset: 'ascii',
  // bin/gaia.js runs the bundle as a vm.Script, which has no module loader: an `import()` left in it
  // throws "A dynamic import callback was not specified" (the prompt's readline did, in a terminal).
  // Lazy loads become lazy require()s instead.
  supported: { 'dynamic-import': false },
});

// bin/gaia.js reads the bundle as latin1, which for ASCII is exact and quicker than decoding UTF-8
// (and gives V8 a one-byte source). esbuild escapes everything but raw template strings: refuse those.
const bundled = fs.readFileSync(path.join(root, 'dist/gaia.cjs'), 'latin1');
const wide = /[^\x00-\x7f]/.exec(bundled);
if (wide) {
  console.error(`dist/gaia.cjs is not ASCII: ${JSON.stringify(bundled.slice(Math.max(0, wide.index - 60), wide.index + 20))}\nwrite the character as a \\u escape in the source (String.raw cannot be escaped by esbuild)`);
  process.exit(1);
}

// Where earlier builds kept the code cache (bin/gaia.js no longer reads it).
for (const old of ['dist/gaia.cjs.v8cache', 'dist/gaia.cjs.v8cache.json']) fs.rmSync(path.join(root, old), { force: true });
