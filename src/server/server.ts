/** Start and stop the dashboard: Node's http server running the hono app through @hono/node-server's
 *  request listener, so binding errors and shutdown stay in our hands. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.js';
import { checkBind } from './auth.js';
import { dashboardData, type DataOptions } from './data.js';

export interface ServeOptions extends DataOptions {
  /** The manifest, absolute or relative to the current directory. */
  readonly file: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly token?: string;
  readonly logError?: (message: string) => void;
}

export interface RunningServer {
  /** http://host:port/ as a browser would use it. */
  readonly url: string;
  readonly port: number;
  /** Stop accepting, drop idle keep-alive connections, wait for the rest. */
  close(): Promise<void>;
}

export class ServeRefused extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const bind = checkBind(options.host, options.token);
  if (!bind.ok) throw new ServeRefused(bind.error, bind.hint);
  const app = createApp({
    data: dashboardData(options.file, options),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.logError ? { logError: options.logError } : {}),
  });
  const server = createServer(getRequestListener(app.fetch));
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${urlHost(options.host)}:${port}/`,
    port,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeIdleConnections();
    }),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const why = e.code === 'EADDRINUSE' ? `port ${port} is already in use` : e.code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine` : e.code === 'EACCES' ? `not allowed to bind port ${port}` : e.message;
      reject(new ServeRefused(`cannot listen on ${host}:${port}: ${why}`, e.code === 'EADDRINUSE' ? 'choose another with --port (0 picks a free one)' : undefined));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** IPv6 literals go in brackets; 0.0.0.0 and :: are reachable locally as the loopback address. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
