#!/usr/bin/env node
/** The ssh transport's cost (issue 21): a trivial command (`true`) through the local executor and
 *  through `sshExecutor` to an OpenSSH server on loopback — the first command of a host (TCP, key
 *  exchange, login, and the ControlMaster it leaves) and then with the master warm (one channel) — and
 *  20 commands at once with the default cap of 8 channels, beside 20 local ones.
 *
 *  The server is test/helpers/sshd.ts's (its own config, keys and folder; stopped and removed
 *  afterwards); the executor and the helper are bundled from source with esbuild into a temporary folder,
 *  so no build is needed. /usr/sbin/sshd must be installed (Debian's openssh-server).
 *  Usage: node bench/ssh-transport.mjs [runs=51] */
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 51);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-ssh-'));
const controlFolder = fs.mkdtempSync('/tmp/gaia-ssh-b-');

const bundle = path.join(work, 'ssh.mjs');
fs.writeFileSync(path.join(work, 'entry.ts'), [
  `export * from ${JSON.stringify(path.join(root, 'src/host/ssh/ssh-executor.ts'))};`,
  `export { localExecutor } from ${JSON.stringify(path.join(root, 'src/host/exec.ts'))};`,
  `export { startSshd } from ${JSON.stringify(path.join(root, 'test/helpers/sshd.ts'))};`,
].join('\n'));
await build({ entryPoints: [path.join(work, 'entry.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' });
const { sshExecutor, closeMasters, localExecutor, startSshd } = await import(pathToFileURL(bundle).href);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;
async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
async function samples(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await time(fn));
  return out;
}
const ok = (r) => {
  if (r.exitCode !== 0) throw new Error(`${r.argv.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
};
const report = (label, xs) => console.log(`${label.padEnd(44)} median ${ms(median(xs)).padStart(9)}   min ${ms(Math.min(...xs)).padStart(9)}   max ${ms(Math.max(...xs)).padStart(9)}   (${xs.length} runs)`);

const host = await startSshd();
try {
  const local = localExecutor();
  const ssh = sshExecutor({ host: host.name }, { config: host.clientConfig, controlFolder });
  await local.run(['true']);

  const cold = [];
  for (let i = 0; i < Math.min(runs, 11); i++) {
    await ssh.closeMaster();
    cold.push(await time(async () => ok(await ssh.run(['true']))));
  }
  report('local: true', await samples(runs, async () => ok(await local.run(['true']))));
  report('ssh, first command (connects, leaves master)', cold);
  report('ssh, warm master: true', await samples(runs, async () => ok(await ssh.run(['true']))));
  const parallel = (exec) => async () => (await Promise.all(Array.from({ length: 20 }, () => exec.run(['true'])))).forEach(ok);
  const batches = Math.max(5, Math.floor(runs / 5));
  report('local: 20 × true at once', await samples(batches, parallel(local)));
  report('ssh, warm: 20 × true at once (cap 8)', await samples(batches, parallel(ssh)));
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
} finally {
  await closeMasters();
  await host.remove();
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(controlFolder, { recursive: true, force: true });
}
