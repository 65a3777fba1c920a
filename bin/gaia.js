#!/usr/bin/env node
// Start-up is most of a small command's time, so the bundled CLI (dist/gaia.cjs, see
// scripts/bundle.mjs) is compiled with a V8 code cache. V8 compiles functions when they first run,
// and a cache holds what was compiled before it was written: so the cache is rewritten after the
// first run of each command (plan, status, state list, …) and grows to cover them all (the commands
// covered are listed beside it; only commands that ran, never other arguments).
//
// The cache is the user's, not the installation's: it lives in $XDG_CACHE_HOME/gaia (default
// ~/.cache/gaia), never in the installed package, and its name holds gaia's version, node's version
// and the bundle's size and time, so another gaia or node never reads it. Writing one removes the
// others there (one cache at a time, ~1–2 MB). A cache V8 rejects is rewritten; one that cannot be
// written (no home, read-only) only costs the speed. GAIA_DEBUG loads the bundle plainly instead, so
// stack traces are mapped back to the TypeScript sources (where dist/gaia.cjs.map exists).
//
// CommonJS (bin/package.json), not an ES module: entering through the ESM loader cost ~10 ms.
'use strict';
// apply, destroy and reconcile treat SIGINT, SIGTERM and SIGHUP as an outcome (src/cli/interrupt.ts).
// One that arrives while the bundle is still loading (~100 ms; more on a busy machine) is held for
// that handling instead of ending gaia half-started.
const held = { signals: [], listeners: [] };
if (['apply', 'destroy', 'reconcile'].includes(process.argv.slice(2).find((a) => !a.startsWith('-')))) {
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    const hold = () => held.signals.push(name);
    process.on(name, hold);
    held.listeners.push([name, hold]);
  }
  globalThis.__gaiaHeldSignals = held;
}
// bin/gaia starts node without NODE_EXTRA_CA_CERTS (see there): hand it back to what gaia runs, and
// to gaia's own TLS connections, which read it when they open (src/net/tls-trust.ts).
if (process.env.GAIA_NODE_EXTRA_CA_CERTS !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.GAIA_NODE_EXTRA_CA_CERTS;
  delete process.env.GAIA_NODE_EXTRA_CA_CERTS;
}
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const bundle = path.join(__dirname, '..', 'dist', 'gaia.cjs');
const requireFromBundle = Module.createRequire(bundle);
const argv = process.argv.slice(2);
/** A cache larger than this is not written: a bound on what gaia leaves in the user's cache folder. */
const MAX_CACHE_BYTES = 16 * 1024 * 1024;

if (!fs.existsSync(bundle)) {
  // A checkout that was never built (an install from git runs `prepare`, which builds it).
  console.error(`gaia: ${bundle} is missing: this copy of gaia is not built; run \`npm install\` (its prepare builds it) in ${path.dirname(__dirname)}`);
  process.exit(1);
}
if (process.env.GAIA_DEBUG) {
  process.setSourceMapsEnabled(true);
  requireFromBundle(bundle).main(argv).then((code) => (process.exitCode = code));
} else {
  runCached();
}

async function runCached() {
  const where = cachePlace();
  const cachedData = where && read(where.file);
  const covered = cachedData ? coveredCommands(where.list) : [];
  // latin1: the bundle is ASCII (scripts/bundle.mjs checks), and this skips decoding UTF-8.
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'latin1')), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, requireFromBundle, module, bundle, path.dirname(bundle));
  process.exitCode = await module.exports.main(argv);
  const command = module.exports.ranCommand(); // the command whose action ran; undefined for --help, typos, …
  if (!where || command === undefined) return;
  if (cachedData === undefined || script.cachedDataRejected || !covered.includes(command)) {
    const data = script.createCachedData();
    if (data.length > MAX_CACHE_BYTES) return;
    const now = script.cachedDataRejected || cachedData === undefined ? [command] : [...covered, command];
    if (cachedData === undefined) removeOthers(where);
    if (write(where.file, data)) write(where.list, JSON.stringify(now));
  }
}

/** The cache file for this gaia, node and bundle, or undefined when there is no cache folder. */
function cachePlace() {
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : '');
  if (!path.isAbsolute(base)) return undefined; // the XDG rule: a relative path is ignored
  try {
    const { size, mtimeMs } = fs.statSync(bundle);
    const dir = path.join(base, 'gaia');
    const name = `v8-${version()}-node${process.versions.node}-${size.toString(36)}${Math.trunc(mtimeMs).toString(36)}`;
    return { dir, name, file: path.join(dir, `${name}.cache`), list: path.join(dir, `${name}.json`) };
  } catch {
    return undefined;
  }
}

function version() {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version);
  } catch {
    return 'unknown';
  }
}

/** The commands the cache was written after; a damaged list only means rewriting the cache. */
function coveredCommands(file) {
  try {
    const list = JSON.parse(read(file)?.toString() ?? '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/** Caches of other versions (of gaia, node or the bundle) are of no more use: only one is kept. */
function removeOthers(where) {
  let names;
  try {
    names = fs.readdirSync(where.dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (/^v8-.*\.(cache|json)$/.test(n) && !n.startsWith(`${where.name}.`)) fs.rmSync(path.join(where.dir, n), { force: true });
  }
}

function read(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Atomically (temp file + rename), so a concurrent run never reads half a cache. */
function write(file, data) {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
    return true;
  } catch {
    fs.rmSync(temp, { force: true });
    return false;
  }
}
