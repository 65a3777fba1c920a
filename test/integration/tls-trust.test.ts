/** gaia's own TLS connections trust NODE_EXTRA_CA_CERTS although bin/gaia starts node without it:
 *  a real TLS server on 127.0.0.1 with a certificate only the extra file vouches for. */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { connectTls, tlsTrust } from '../../src/net/tls-trust.js';

const FIXTURE = path.resolve('test/fixtures/tls');
const CERT = path.join(FIXTURE, 'localhost.crt');

let server: tls.Server;
let port: number;
const saved = process.env.NODE_EXTRA_CA_CERTS;

beforeAll(async () => {
  server = tls.createServer({ cert: fs.readFileSync(CERT), key: fs.readFileSync(path.join(FIXTURE, 'localhost.key')) }, (s) => s.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
  else process.env.NODE_EXTRA_CA_CERTS = saved;
});

function handshake(): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTls({ host: '127.0.0.1', port, servername: 'localhost' });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve('trusted');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

test('a server whose CA is only in NODE_EXTRA_CA_CERTS is trusted; without it, refused', async () => {
  // The test's own node may have loaded some NODE_EXTRA_CA_CERTS at start; what counts is gaia's option.
  process.env.NODE_EXTRA_CA_CERTS = CERT;
  expect(tlsTrust().ca).toContain(fs.readFileSync(CERT, 'latin1').trim());
  expect(tlsTrust().ca!.length).toBe(tls.rootCertificates.length + 1);
  expect(await handshake()).toBe('trusted');
  delete process.env.NODE_EXTRA_CA_CERTS;
  expect(tlsTrust()).toEqual({});

  expect(await handshake()).toMatch(/SELF_SIGNED|UNABLE_TO|self.signed/i);
});

test('an unreadable file is a warning and node\'s defaults, as node itself treats it', () => {
  expect(tlsTrust({ NODE_EXTRA_CA_CERTS: '/nonexistent/gaia-ca.pem' })).toEqual({ warning: expect.stringMatching(/^Ignoring extra certs from `\/nonexistent\/gaia-ca.pem`, load failed/) });
});
