#!/usr/bin/env node
/** What honouring NODE_EXTRA_CA_CERTS costs gaia when it opens a connection (src/net/tls-trust.ts):
 *  reading the file into the trust list once, and a TLS handshake with that list against one with
 *  node's defaults, to a local server. (The cost node would pay at every start instead is a
 *  whole-process figure: compare `node bin/gaia.js --version` with `bin/gaia --version` with the
 *  variable set.) Usage: node bench/tls-trust.mjs [CA-FILE] (default: the system's bundle). */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? '/etc/ssl/certs/ca-certificates.crt';
const fixture = path.join(root, 'test/fixtures/tls');
const { tlsTrust } = await import(pathToFileURL(path.join(root, 'dist/net/tls-trust.js')).href);

const t0 = process.hrtime.bigint();
const trust = tlsTrust({ NODE_EXTRA_CA_CERTS: file });
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
if (!trust.ca) throw new Error(trust.warning);

const server = tls.createServer({ cert: fs.readFileSync(path.join(fixture, 'localhost.crt')), key: fs.readFileSync(path.join(fixture, 'localhost.key')) }, (s) => s.end());
await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
const handshake = (secureContext) => new Promise((resolve) => {
  const t = process.hrtime.bigint();
  const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...(secureContext ? { secureContext } : {}) }, () => {
    s.destroy();
    resolve(Number(process.hrtime.bigint() - t) / 1e6);
  });
});
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const runs = 21;
const plain = [], extra = [];
for (let i = 0; i < runs; i++) {
  plain.push(await handshake(undefined));
  extra.push(await handshake(trust.secureContext));
}
server.close();
console.log(`${file}: ${trust.ca.length - tls.rootCertificates.length} extra certificates`);
console.log(`load into the trust list and its secure context (once, at the first connection): ${loadMs.toFixed(1)} ms`);
console.log(`handshake, node's defaults: median ${median(plain).toFixed(1)} ms; with the list: median ${median(extra).toFixed(1)} ms (${runs} each)`);
