#!/usr/bin/env node
// Start-up is most of a small command's time, so the bundled CLI (dist/gaia.cjs, see
// scripts/bundle.mjs) is compiled with a V8 code cache kept beside it: the first run after a
// build writes it, later runs skip parsing and compiling ~1 MB of JavaScript. A cache V8
// rejects (another Node version, other flags) is rewritten; one that cannot be written
// (read-only install) only costs the speed. GAIA_DEBUG loads the bundle plainly instead, so
// stack traces are mapped back to the TypeScript sources.
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'gaia.cjs');
const cacheFile = `${bundle}.v8cache`;
const require = createRequire(bundle);

if (process.env.GAIA_DEBUG) {
  process.setSourceMapsEnabled(true);
  process.exitCode = await require(bundle).main(process.argv.slice(2));
} else {
  await runCached();
}

async function runCached() {
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // First run after a build.
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, bundle, path.dirname(bundle));
  process.exitCode = await module.exports.main(process.argv.slice(2));
  // After the run, so the cache also holds the functions this command compiled.
  if (cachedData === undefined || script.cachedDataRejected) save(script.createCachedData());
}

function save(data) {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, cacheFile);
  } catch {
    fs.rmSync(temp, { force: true });
  }
}
