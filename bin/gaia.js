#!/usr/bin/env node
// Start-up is most of a small command's time, so the bundled CLI (dist/gaia.cjs, see
// scripts/bundle.mjs) is compiled with a V8 code cache kept beside it. V8 compiles functions
// when they first run, and a cache holds what was compiled before it was written: so the cache
// is rewritten after the first run of each command (plan, status, …) and grows to cover them
// all (the commands covered are listed beside it). A cache V8 rejects (another Node version,
// other flags) is rewritten; one that cannot be written (read-only install) only costs the
// speed. GAIA_DEBUG loads the bundle plainly instead, so stack traces are mapped back to the
// TypeScript sources.
//
// CommonJS (bin/package.json), not an ES module: entering through the ESM loader cost ~10 ms.
'use strict';
// bin/gaia starts node without NODE_EXTRA_CA_CERTS (see there): hand it back to what gaia runs.
if (process.env.GAIA_NODE_EXTRA_CA_CERTS !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.GAIA_NODE_EXTRA_CA_CERTS;
  delete process.env.GAIA_NODE_EXTRA_CA_CERTS;
}
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const bundle = path.join(__dirname, '..', 'dist', 'gaia.cjs');
const cacheFile = `${bundle}.v8cache`;
const coveredFile = `${cacheFile}.json`;
const requireFromBundle = Module.createRequire(bundle);
const argv = process.argv.slice(2);

if (process.env.GAIA_DEBUG) {
  process.setSourceMapsEnabled(true);
  requireFromBundle(bundle).main(argv).then((code) => (process.exitCode = code));
} else {
  runCached();
}

async function runCached() {
  const cachedData = read(cacheFile);
  const covered = cachedData ? coveredCommands() : [];
  // latin1: the bundle is ASCII (scripts/bundle.mjs checks), and this skips decoding UTF-8.
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'latin1')), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, requireFromBundle, module, bundle, path.dirname(bundle));
  process.exitCode = await module.exports.main(argv);
  const command = argv.find((a) => !a.startsWith('-')) ?? argv[0] ?? '';
  if (cachedData === undefined || script.cachedDataRejected || !covered.includes(command)) {
    const now = script.cachedDataRejected ? [command] : [...covered, command];
    if (write(cacheFile, script.createCachedData())) write(coveredFile, JSON.stringify(now));
  }
}

/** The commands the cache was written after; a damaged list only means rewriting the cache. */
function coveredCommands() {
  try {
    const list = JSON.parse(read(coveredFile)?.toString() ?? '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
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
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
    return true;
  } catch {
    fs.rmSync(temp, { force: true });
    return false;
  }
}
