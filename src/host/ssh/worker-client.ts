/** gaia's worker on another host, reached over that host's ssh connection: the same bundle this gaia
 *  runs (dist/gaia.cjs) and its SQLite addon, copied once per version into the remote user's
 *  ~/.cache/gaia/worker/<id>/ (the id is a digest of both, so a host never runs another gaia's code),
 *  started with the host's own `node` for each request. Checked and started in one round trip; copied
 *  only when the host says it lacks that version, as editors' remote servers are.
 *
 *  Why a worker and not a command per file: SQLite files are read in-process, folders and ports from
 *  /proc, all in one go where they are (DESIGN: observe in bulk). */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAddon } from '../local/sqlite-driver.js';
import type { SshCommandResult, SshExecutor, SshStream } from './ssh-executor.js';
import { WORKER_PROTOCOL, isHello, keptSocketName, workerTuning, type ServeRequest, type ServeResponse, type WorkerRequest, type WorkerResponse } from '../../engine/worker-protocol.js';

/** The host could not be reached, or the connection ended under the request: nothing can be said of it. */
export class HostUnreachable extends Error {
  constructor(readonly host: string, readonly reason: string) {
    super(`host ${host} cannot be reached: ${reason}`);
  }
}

/** `p`'s answer, or undefined when its host went away or its worker failed: for reads whose host is
 *  then shown unknown anyway (status, health), never for changes. */
export async function unlessHostGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof HostUnreachable || e instanceof WorkerFailed) return undefined;
    throw e;
  }
}

/** The host answered, but its worker could not do what was asked (no node there, a broken bundle). */
export class WorkerFailed extends Error {
  constructor(readonly host: string, message: string) {
    super(`host ${host}: ${message}`);
  }
}

interface WorkerFiles {
  readonly id: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly bytes: Buffer }>;
}

let cached: WorkerFiles | undefined;

/** What the bundle reads at run time, by its path in the package. */
const PACKAGE_FILES = ['dist/gaia.cjs', 'schemas/orchestration.schema.json', 'schemas/plan.schema.json', 'bin/gaia-agent-event.js'];

/** The package's folder: dist/gaia.cjs's parent when bundled, the clone when run from the sources. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('gaia\'s package folder was not found');
    dir = up;
  }
  return dir;
}

/** A launcher of the bundle that refuses a node whose addon ABI or platform differ from this one's
 *  (the addon would not load), saying which node it needs (on stderr, which the client reports). It compiles the bundle with a V8
 *  code cache of its own beside it (as bin/gaia.js does in the user's cache folder; here nothing of
 *  the worker leaves its folder): loading the bundle is most of a request's time on the host. */
function launcher(): string {
  const want = { modules: process.versions.modules, platform: process.platform, arch: process.arch };
  return `'use strict';
const want = ${JSON.stringify(want)};
const have = { modules: process.versions.modules, platform: process.platform, arch: process.arch };
if (have.modules !== want.modules || have.platform !== want.platform || have.arch !== want.arch) {
  process.stderr.write('node ' + process.version + ' (' + have.platform + '-' + have.arch + ', ABI ' + have.modules + ') cannot run this gaia, built for ABI ' + want.modules + ' on ' + want.platform + '-' + want.arch + ': install node ' + ${JSON.stringify(process.versions.node.split('.')[0])} + ' there\\n');
  process.exit(1);
}
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
globalThis.__gaiaSqliteAddon = path.join(__dirname, 'better_sqlite3.node');
globalThis.__gaiaWorkerLauncher = __filename;
const bundle = path.join(__dirname, 'dist', 'gaia.cjs');
const cacheFile = path.join(__dirname, 'v8-node' + process.versions.node + '.cache');
let cachedData;
try { cachedData = fs.readFileSync(cacheFile); } catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'latin1')), { filename: bundle, cachedData });
const loaded = { exports: {} };
script.runInThisContext()(loaded.exports, Module.createRequire(bundle), loaded, bundle, path.dirname(bundle));
loaded.exports.main(['worker', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
  if (cachedData !== undefined && !script.cachedDataRejected) return;
  const temp = cacheFile + '.' + process.pid;
  try { fs.writeFileSync(temp, script.createCachedData()); fs.renameSync(temp, cacheFile); } catch { fs.rmSync(temp, { force: true }); }
});
`;
}

function workerFiles(): WorkerFiles {
  if (cached) return cached;
  const root = packageRoot();
  const bundle = path.join(root, 'dist', 'gaia.cjs');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run prepare (gaia's worker is its bundle)`);
  // Laid out as in the package: the bundle finds the schema and the agents' event hook beside it.
  const files = [
    ...PACKAGE_FILES.map((name) => ({ name, bytes: fs.readFileSync(path.join(root, name)) })),
    { name: 'better_sqlite3.node', bytes: fs.readFileSync(nativeAddon()) },
    { name: 'worker.cjs', bytes: Buffer.from(launcher()) },
  ];
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.name).update('\0').update(f.bytes).update('\0');
  cached = { id: hash.digest('hex').slice(0, 16), files };
  return cached;
}

/** Exit statuses of the start script that are its own, not the worker's. */
const NOT_THERE = 86;
const NO_NODE = 87;

/** The worker's id, then `NAME=VALUE` settings for it (tuning, never secrets: see tuning()). */
const START = `d="$HOME/.cache/gaia/worker/$1"; shift; [ -f "$d/ready" ] || exit ${NOT_THERE}; command -v node >/dev/null 2>&1 || exit ${NO_NODE}; exec env "$@" node "$d/worker.cjs"`;
const tuning = (): string[] => workerTuning(process.env);
/** Each file lands under a name of this process's own and is renamed into place; `ready` comes last. */
const PUT = `f="$HOME/.cache/gaia/worker/$1/$2"; mkdir -p "\${f%/*}" && base64 -d > "$f.$$" && mv -f "$f.$$" "$f"`;
const READY = `d="$HOME/.cache/gaia/worker/$1"; : > "$d/ready"`;
/** The kept worker's socket there, when its file is: the worker's id, then the socket's name. */
const FIND = `s="$HOME/.cache/gaia/worker/$1/run/$2"; [ -S "$s" ] && printf '%s\\n' "$s"`;
/** How long a socket that accepted a connection may take to show it is a worker's. */
const HELLO_MS = 5000;
/** How long gaia's exit waits for the worker kept for the next command to be set up. */
const KEEP_MS = 3000;

export interface WorkerClient {
  request(request: WorkerRequest): Promise<Extract<WorkerResponse, { ok: true }>>;
  /** Let the worker finish what it was asked and end (its stdin closes); resolves once the worker
   *  kept for the next command is set up, or given up on. */
  close(): Promise<void>;
}

/** One line each way: a request with its number, and the answer with the same number. */
interface Pending {
  readonly line: string;
  resolve(response: WorkerResponse | ServeResponse): void;
  reject(error: Error): void;
}

/** How a session with a worker ended: `unserved` when a kept worker's socket never answered (nothing
 *  was sent to it, so what is pending can go elsewhere). */
type SessionEnd = Awaited<SshStream['closed']> & { readonly unserved?: true };
type Session = Omit<SshStream, 'closed'> & { readonly closed: Promise<SessionEnd> };

/** A session with the worker kept on the host, through the socket its master connection forwards here:
 *  lines wait until the worker's hello, so a forward whose far end is gone sends nothing anywhere. */
function socketSession(socket: string): Session {
  const listeners: ((line: string) => void)[] = [];
  const queued: string[] = [];
  let greeted = false;
  let ended = false;
  let buffer = '';
  const c = net.connect(socket);
  c.setEncoding('utf8');
  const timer = setTimeout(() => c.destroy(), HELLO_MS);
  c.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (greeted) {
        for (const l of listeners) l(line);
      } else if (isHello(line)) {
        greeted = true;
        clearTimeout(timer);
        for (const q of queued.splice(0)) c.write(q);
        if (ended) c.end();
      } else {
        c.destroy();
        return;
      }
    }
  });
  const closed = new Promise<SessionEnd>((resolve) => {
    c.on('error', () => {});
    c.on('close', () => {
      clearTimeout(timer);
      resolve(greeted
        ? { exitCode: 255, stderr: '', unreachable: { reason: 'the connection ended before the command did' } }
        : { exitCode: 255, stderr: '', unserved: true });
    });
  });
  return {
    onLine: (listener) => void listeners.push(listener),
    write: (text) => (greeted ? c.write(text) : void queued.push(text)),
    end: () => {
      ended = true;
      if (greeted) c.end();
      else if (queued.length === 0) c.destroy();
    },
    busy: (on) => void (on ? c.ref() : c.unref()),
    closed,
  };
}

/** A session opened once `open` settles: lines, listeners and its end wait for it. */
function deferredSession(open: Promise<Session>): Session {
  const listeners: ((line: string) => void)[] = [];
  const queued: string[] = [];
  let ended = false;
  let waiting = false;
  let real: Session | undefined;
  void open.then((s) => {
    real = s;
    for (const l of listeners) s.onLine(l);
    s.busy(waiting);
    for (const q of queued.splice(0)) s.write(q);
    if (ended) s.end();
  });
  return {
    onLine: (listener) => (real ? real.onLine(listener) : void listeners.push(listener)),
    write: (text) => (real ? real.write(text) : void queued.push(text)),
    end: () => {
      ended = true;
      real?.end();
    },
    busy: (on) => {
      waiting = on;
      real?.busy(on);
    },
    closed: open.then((s) => s.closed),
  };
}

/** A session that is over before it began, ended as `end` says. */
const endedSession = (end: SessionEnd): Session => ({ onLine: () => {}, write: () => {}, end: () => {}, busy: () => {}, closed: Promise.resolve(end) });

/** One worker per host for as long as this gaia runs: started on the first request, answering every
 *  request of the command (a status asks three things) so the worker's start is paid once. Requests
 *  go out as they come and are answered as they finish.
 *
 *  The first command to reach a host starts the worker on one channel of the host's connection and
 *  asks it to keep one running there (worker-daemon.ts), which the master connection forwards to a
 *  socket here; the commands after it, while that connection lasts, talk to that one and start
 *  nothing. A forward that no longer answers sends them back to starting one. */
export function workerClient(host: string, ssh: SshExecutor): WorkerClient {
  const reached = (r: SshCommandResult): SshCommandResult => {
    if (r.unreachable) throw new HostUnreachable(host, r.unreachable.reason);
    return r;
  };
  const sh = async (script: string, args: readonly string[], input?: string) =>
    reached(await ssh.run(['sh', '-c', script, 'gaia-worker', ...args], input === undefined ? {} : { input }));

  let deployed: Promise<void> | undefined;
  const deploy = (id: string, files: WorkerFiles['files']) => {
    deployed ??= (async () => {
      for (const f of files) {
        const r = await sh(PUT, [id, f.name], f.bytes.toString('base64'));
        if (r.failed) throw new WorkerFailed(host, `copying gaia's worker (${f.name}) failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
      }
      const r = await sh(READY, [id]);
      if (r.failed) throw new WorkerFailed(host, `copying gaia's worker failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    })();
    return deployed;
  };

  const pending = new Map<number, Pending>();
  let next = 1;
  let session: Session | undefined;
  let closing = false;
  /** Where the kept worker of this version and these settings is forwarded to, here. */
  const keptHere = (id: string) => ssh.localSocket(`${id}\0${tuning().join('\0')}`);
  /** The way the next session reaches a worker: through the kept worker's forward when it is there (the
   *  first), then by looking for the kept worker and forwarding it anew (a new master connection),
   *  then by starting one. */
  let way: 'forwarded' | 'found' | 'started' = 'forwarded';
  let keeping: Promise<unknown> | undefined;

  const fail = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const send = (request: WorkerRequest | ServeRequest): Promise<WorkerResponse | ServeResponse> => {
    const number = next++;
    const line = `${JSON.stringify({ id: number, request })}\n`;
    return new Promise((resolve, reject) => {
      pending.set(number, { line, resolve, reject });
      ensure().write(line);
    });
  };

  /** Ask the worker just started to keep one running, and have the connection forward its socket here. */
  const keep = (id: string) => {
    keeping = send({ protocol: WORKER_PROTOCOL, op: 'serve' })
      .then((r) => (r.ok && 'socket' in r ? ssh.forward(keptHere(id), r.socket) : false))
      .catch(() => false);
  };

  /** A session: its answers settle their requests; its end fails what it left unanswered, or sends it
   *  again — to a started worker when the kept one did not answer, to a copied one when the host
   *  lacked this version. */
  /** The kept worker there through a forward made now, when its socket is there: a new master
   *  connection (ControlPersist ended the last) forwards nothing yet. One command, not a worker's start. */
  const reachKept = async (id: string): Promise<Session> => {
    const found = await ssh.run(['sh', '-c', FIND, 'gaia-worker', id, keptSocketName(tuning())]);
    if (found.unreachable) return endedSession({ exitCode: 255, stderr: found.stderr, unreachable: found.unreachable });
    const there = found.stdout.trim();
    if (found.failed || !there.startsWith('/') || !(await ssh.forward(keptHere(id), there))) return endedSession({ exitCode: 255, stderr: '', unserved: true });
    return socketSession(keptHere(id));
  };

  const start = (): Session => {
    const { id, files } = workerFiles();
    if (way === 'forwarded' && !fs.existsSync(keptHere(id))) way = 'found';
    const how = way;
    way = how === 'forwarded' ? 'found' : 'started';
    const stream: Session = how === 'forwarded' ? socketSession(keptHere(id))
      : how === 'found' ? deferredSession(reachKept(id))
      : ssh.stream(['sh', '-c', START, 'gaia-worker', id, ...tuning()]);
    stream.onLine((line) => {
      let message: { id?: unknown; response?: WorkerResponse | ServeResponse };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return; // not ours (a worker never prints anything else on stdout)
      }
      const p = typeof message.id === 'number' ? pending.get(message.id) : undefined;
      if (!p || !message.response) return;
      pending.delete(message.id as number);
      if (pending.size === 0) stream.busy(false);
      p.resolve(message.response);
    });
    void stream.closed.then(async (end) => {
      if (session === stream) session = undefined;
      if (pending.size === 0) return;
      if (end.unserved) {
        const again = ensure();
        for (const p of pending.values()) again.write(p.line);
        return;
      }
      if (end.unreachable) return fail(new HostUnreachable(host, end.unreachable.reason));
      if (end.exitCode === NO_NODE) return fail(new WorkerFailed(host, 'node is not on the PATH of a non-interactive ssh login there (gaia\'s worker runs on it): install node 20 or newer'));
      if (end.exitCode === NOT_THERE) {
        try {
          await deploy(id, files);
        } catch (e) {
          return fail(e as Error);
        }
        const again = ensure();
        for (const p of pending.values()) again.write(p.line);
        return;
      }
      fail(new WorkerFailed(host, `gaia's worker ended (exit ${end.exitCode}) before answering: ${end.stderr.trim().slice(-500) || 'nothing said'}`));
    });
    session = stream;
    if (how === 'started' && keeping === undefined) keep(id);
    return stream;
  };
  const ensure = (): Session => {
    const s = session ?? start();
    s.busy(true);
    return s;
  };

  return {
    async request(request) {
      if (closing) throw new Error(`host ${host}: the worker was closed`);
      const response = (await send(request)) as WorkerResponse;
      if (!response.ok) throw new WorkerFailed(host, response.error);
      return response;
    },
    async close() {
      closing = true;
      if (keeping !== undefined) await Promise.race([keeping, new Promise((r) => setTimeout(r, KEEP_MS).unref())]);
      session?.end();
    },
  };
}
