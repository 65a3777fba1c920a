/** gaia's worker kept running on its host between commands, as editors' remote servers are: the
 *  command after the first finds it listening on a unix socket, which that command reaches through
 *  its host's ssh master connection (`ssh -O forward -L`, ssh-executor.ts), so it starts no ssh, no
 *  node and no bundle load there. The answers are the same as the worker's on stdin (cli/worker.ts).
 *
 *  - Private: the socket is in a 0700 folder of the worker's own version folder; whoever can connect
 *    could run commands as this user, so a folder another user could reach into is refused.
 *  - One per version and settings: the socket is named after the worker's launcher (its version) and
 *    its tuning, so a request is never answered by another gaia's code or settings.
 *  - It holds nothing between requests: each brings its context (worker-protocol.ts).
 *  - It goes by itself: after IDLE_MS with no connection, or as soon as its socket is removed or
 *    replaced (a rival started beside it, its folder deleted). */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { helloLine, isHello, keptSocketName } from '../../engine/worker-protocol.js';
import { outsideLogin } from './login-scope.js';

/** Linux allows 108 bytes in a socket's path, macOS 104; and the temporary name adds a few. */
const SOCKET_PATH_MAX = 96;
const IDLE_MS = 10 * 60_000;
const WATCH_MS = 1000;
const START_WAIT_MS = 10_000;

/** Where the worker run by `launcher` with these settings (`NAME=VALUE`) listens. */
export function daemonSocket(launcher: string, settings: readonly string[]): string {
  return path.join(path.dirname(launcher), 'run', keptSocketName(settings));
}

/** Why `folder` cannot hold the socket; undefined when it is this user's own and private. */
function privateFolderProblem(folder: string): string | undefined {
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const s = fs.lstatSync(folder);
  if (!s.isDirectory()) return `${folder} is not a folder`;
  if (s.uid !== process.getuid?.()) return `${folder} belongs to uid ${s.uid}`;
  if ((s.mode & 0o077) !== 0) return `${folder} is reachable by other users (mode ${(s.mode & 0o777).toString(8)})`;
  return undefined;
}

/** A worker answers on `socket` (its hello line arrives). */
export function answersOn(socket: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    let seen = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      c.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      seen += d;
      if (seen.includes('\n')) done(isHello(seen.slice(0, seen.indexOf('\n'))));
    });
    c.on('error', () => done(false));
    c.on('close', () => done(false));
  });
}

/** A worker of `launcher` with these settings listening on its socket, started detached (a session of
 *  its own, no terminal, stdio closed) when none answers yet; the socket's path, or why there is none. */
export async function ensureDaemon(launcher: string, settings: readonly string[]): Promise<{ socket: string } | { problem: string }> {
  const socket = daemonSocket(launcher, settings);
  if (socket.length > SOCKET_PATH_MAX) return { problem: `${socket} is too long for a unix socket` };
  if (/[\s:]/.test(socket)) return { problem: `${socket} cannot be forwarded by ssh (a space or ':' in it)` };
  const problem = privateFolderProblem(path.dirname(socket));
  if (problem) return { problem };
  if (await answersOn(socket)) return { socket };
  // Outside this login's scope where its end would take the worker along (login-scope.ts).
  const argv = [...outsideLogin(), process.execPath, launcher, '--serve', socket];
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', cwd: os.homedir(), env: process.env });
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  child.unref();
  const deadline = Date.now() + START_WAIT_MS;
  // It, or a rival started at the same moment, answers once its socket is in place.
  while (Date.now() < deadline) {
    if (await answersOn(socket)) return { socket };
    if (exited && !fs.existsSync(socket)) return { problem: 'the worker that would serve it exited' };
    await new Promise((r) => setTimeout(r, 25));
  }
  return { problem: `nothing answered on ${socket} within ${START_WAIT_MS} ms` };
}

/** Answer every connection on `socket`, a line each way, until idle or replaced. Bound under a name of
 *  this process's own, then renamed into place, so a client never reaches a socket not yet listening. */
export async function serveWorker(socket: string, answer: (line: string) => Promise<string | undefined>, idleMs = IDLE_MS): Promise<void> {
  const problem = privateFolderProblem(path.dirname(socket));
  if (problem) throw new Error(problem);
  const temp = `${socket}.${process.pid}`;
  fs.rmSync(temp, { force: true });
  let connections = 0;
  let answering = 0;
  let last = Date.now();
  const server = net.createServer((c) => {
    connections++;
    c.setEncoding('utf8');
    c.on('error', () => {}); // its client went away: what it asked is still done, its answers dropped
    c.on('close', () => {
      connections--;
      last = Date.now();
    });
    c.write(helloLine());
    const lines = createInterface({ input: c, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line.trim() === '') return;
      answering++;
      void answer(line).then((out) => {
        if (out !== undefined && c.writable) c.write(out);
      }).finally(() => {
        answering--;
        last = Date.now();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(temp, () => resolve());
  });
  fs.renameSync(temp, socket);
  const ours = fs.statSync(socket).ino;
  const stillOurs = () => {
    try {
      return fs.statSync(socket).ino === ours;
    } catch {
      return false;
    }
  };
  await new Promise<void>((resolve) => {
    const watch = setInterval(() => {
      const replaced = !stillOurs();
      if (!replaced && (connections > 0 || answering > 0 || Date.now() - last < idleMs)) return;
      clearInterval(watch);
      // New connections go elsewhere (or nowhere); the open ones are answered to their end.
      if (stillOurs()) fs.rmSync(socket, { force: true });
      server.close(() => resolve());
    }, WATCH_MS);
  });
}
