/** This machine as a Host: node:fs, /proc and signals, in-process. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileStat, Host, HostFiles, HostProcesses } from '../host.js';
import { localExecutor, type Executor } from '../exec.js';
import { insideResolver, resolveInside } from './inside-root.js';
import { outsideLogin } from './login-scope.js';
import { listeningPorts, socketHolders } from './proc-net.js';
import { isRunning, scanProcesses, signalProcess, ticksNow } from './process-table.js';
import { openDatabase } from './sqlite-driver.js';
import { inHeldFolder, realRootOf, removeInside, writeAtomic, writeInside } from './write-atomic.js';

const missing = (e: unknown): boolean => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** `undefined` for a path that is not there; anything else (permission, I/O) is the caller's to see. */
function unlessMissing<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (missing(e)) return undefined;
    throw e;
  }
}

function statOf(s: fs.Stats): FileStat {
  const kind = s.isFile() ? 'file' : s.isDirectory() ? 'folder' : s.isSymbolicLink() ? 'symlink' : 'other';
  return { kind, size: s.size, mode: s.mode, uid: s.uid, dev: s.dev, ino: s.ino, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
}

/** One open and one read (and an fstat to find the end): no more than the bytes asked for. */
function readPart(file: string, maxBytes: number, from: 'start' | 'end'): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const size = from === 'end' ? fs.fstatSync(fd).size : maxBytes;
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, from === 'end' ? size - length : 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

export const localFiles: HostFiles = {
  readText: (p) => unlessMissing(() => fs.readFileSync(p, 'utf8')),
  readBytes: (p) => unlessMissing(() => fs.readFileSync(p)),
  readPart: (p, maxBytes, from) => unlessMissing(() => readPart(p, maxBytes, from)),
  stat: (p, options = {}) => {
    const s = (options.follow ?? true) ? fs.statSync(p, { throwIfNoEntry: false }) : fs.lstatSync(p, { throwIfNoEntry: false });
    return s ? statOf(s) : undefined;
  },
  exists: (p) => fs.existsSync(p),
  list: (p) => unlessMissing(() => fs.readdirSync(p)),
  realPath: (p) => unlessMissing(() => fs.realpathSync.native(p)),

  resolveInside,
  insideResolver,
  realRoot: realRootOf,
  writeInside,
  removeInside,
  inHeldFolder,

  writeAtomic,
  writeFile: (p, content) => fs.writeFileSync(p, content),
  makeFolder: (p, mode) => void fs.mkdirSync(p, { recursive: true, ...(mode === undefined ? {} : { mode }) }),
  makeTempFolder: (prefix) => fs.mkdtempSync(path.join(os.tmpdir(), prefix)),
  remove: (p) => fs.rmSync(p, { recursive: true, force: true }),
  removeFile: (p) => fs.rmSync(p, { force: true }),
};

export const localProcesses: HostProcesses = {
  outsideLogin,
  scan: (withEnv) => scanProcesses(withEnv),
  isRunning: (p) => isRunning(p),
  signal: (p, signal) => signalProcess(p, signal),
  signalPid: (pid, signal) => {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  },
  ticksNow: () => ticksNow(),
  listeningPorts: () => listeningPorts(),
  socketHolders: (inodes) => socketHolders(inodes),
};

/** This machine. `exec`: the executor to run commands with (tests count or stand in for commands). */
export function localHost(exec: Executor = localExecutor()): Host {
  return {
    name: 'local',
    get spawned() {
      return exec.spawned;
    },
    run: (argv, options) => exec.run(argv, options),
    files: localFiles,
    processes: localProcesses,
    openSqlite: openDatabase,
  };
}
