/** A real PostgreSQL server of a test file's own: a temporary data folder (owned by `postgres` when the
 *  tests run as root, since the server refuses to run as root), initdb, a free port on 127.0.0.1 and a
 *  socket folder inside the data folder. One database per call of `database()`. `stop()` ends the
 *  server and removes the folder; a test run that dies first kills the server on exit. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const PG_PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

export interface PgServer {
  readonly port: number;
  /** With `startPostgres({ tls: true })`: the PEM file of the CA that signed the server's certificate (for 127.0.0.1). */
  readonly caFile?: string;
  /** A new, empty database; its URL (user postgres, password PG_PASSWORD, over TCP). */
  database(name?: string): Promise<string>;
  /** Run one statement in the database of `url` (test assertions: the lock row, connections). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values?: readonly unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** initdb's folder: on PATH, else the newest /usr/lib/postgresql/<version>/bin (Debian's packages). */
export function postgresBin(): string | undefined {
  try {
    const found = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    if (found) return path.dirname(fs.realpathSync(found));
  } catch {
    // not on PATH
  }
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin/initdb'))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  return newest ? path.join(base, newest, 'bin') : undefined;
}

const asRoot = process.getuid?.() === 0;

/** argv run as the server's owner: `postgres` under root, else the current user. */
function owned(argv: readonly string[]): string[] {
  return asRoot ? ['runuser', '-u', 'postgres', '--', ...argv] : [...argv];
}

/** A CA and a certificate it signs for 127.0.0.1, made with openssl; the key readable by the server only. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string) => path.join(dir, name);
  const ssl = (args: readonly string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=gaia test CA']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(f('ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('ext')]);
  fs.chmodSync(f('server.key'), 0o600);
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

export async function startPostgres(options: { readonly tls?: boolean } = {}): Promise<PgServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb on PATH nor in /usr/lib/postgresql/*/bin): .ci/run installs it');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, PG_PASSWORD);
  const certs = options.tls ? makeCertificates(dir) : undefined;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:', dir]);
  let child: ChildProcess | undefined;
  const postmaster = (): number | undefined => {
    try {
      return Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  };
  // A run that dies before stop(): an immediate shutdown of the postmaster itself (under root, runuser's
  // child), and the folder goes.
  const kill = () => {
    const pid = postmaster();
    try {
      if (pid) process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [cmd, ...args] = owned([path.join(bin, 'initdb'), '-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8']);
    execFileSync(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const port = await freePort();
    const [pcmd, ...pargs] = owned([path.join(bin, 'postgres'), '-D', data, '-k', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off',
      ...(certs ? ['-c', 'ssl=on', '-c', `ssl_cert_file=${certs.cert}`, '-c', `ssl_key_file=${certs.key}`] : [])]);
    let log = '';
    child = spawn(pcmd!, pargs, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    process.once('exit', kill);
    const admin = `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${port}/postgres`;
    await ready(admin, child, () => log);
    const query = async <T extends pg.QueryResultRow>(url: string, text: string, values: readonly unknown[] = []): Promise<T[]> => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<T>(text, [...values])).rows;
      } finally {
        await client.end();
      }
    };
    const server: PgServer = {
      port,
      ...(certs ? { caFile: certs.ca } : {}),
      async database(name = `gaia_${randomBytes(4).toString('hex')}`) {
        await query(admin, `CREATE DATABASE "${name}"`);
        return `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${port}/${name}`;
      },
      query,
      async stop() {
        process.removeListener('exit', kill);
        if (child?.exitCode === null) {
          const exited = new Promise((resolve) => child!.once('exit', resolve));
          // SIGINT to the postmaster itself: a fast shutdown (runuser may not pass signals on).
          const pid = postmaster();
          if (pid) process.kill(pid, 'SIGINT');
          await exited;
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    return server;
  } catch (error) {
    process.removeListener('exit', kill);
    kill();
    throw error;
  }
}

async function ready(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not start: ${(error as Error).message}\n${log()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A port nothing listens on now (the kernel's pick, closed again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
