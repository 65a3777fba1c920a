/** The one seam for side effects: everything a provider or a day-two operation does to a machine —
 *  run a command, read, write, stat or remove a file, open a SQLite file, read its processes and
 *  sockets, signal a process — goes through the `Host` of the resources it works on. `local` (this
 *  machine, src/host/local) is one implementation; ESLint keeps providers, operations and agents
 *  from reaching past it (eslint.config.js).
 *
 *  Synchronous where the work is: the file and process calls are what the local implementation can
 *  answer without a round trip, and a remote host answers them where they run (gaia working as a
 *  worker on that host, whole provider batches at a time), never one file per network round trip. */
import type { Executor } from './exec.js';
import type { Inside } from './local/inside-root.js';
import type { ListeningSocket, PortHolder } from './local/proc-net.js';
import type { ProcessId, ProcessInfo } from './local/process-table.js';
import type { SqliteDatabase, SqliteOpenOptions } from './local/sqlite-driver.js';
import type { WriteInsideOptions } from './local/write-atomic.js';

export type { Executor, Inside, ListeningSocket, PortHolder, ProcessId, ProcessInfo, SqliteDatabase, SqliteOpenOptions, WriteInsideOptions };

export interface FileStat {
  readonly kind: 'file' | 'folder' | 'symlink' | 'other';
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly dev: number;
  readonly ino: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

export interface HostFiles {
  /** A file's text (UTF-8); undefined when it does not exist. Other failures throw. */
  readText(path: string): string | undefined;
  /** A file's bytes; undefined when it does not exist. */
  readBytes(path: string): Buffer | undefined;
  /** At most `maxBytes` of a file, from its start or its end (a log's newest lines); undefined when it does not exist. */
  readPart(path: string, maxBytes: number, from: 'start' | 'end'): Buffer | undefined;
  /** `follow: false` describes a symlink itself. Undefined when nothing is there. */
  stat(path: string, options?: { readonly follow?: boolean }): FileStat | undefined;
  exists(path: string): boolean;
  /** The names in a folder; undefined when it does not exist. */
  list(path: string): readonly string[] | undefined;
  /** The real path (symlinks resolved); undefined when it does not exist. */
  realPath(path: string): string | undefined;

  /** `rel` resolved against `root`, unless it leads outside the root's real path (see inside-root.ts). */
  resolveInside(root: string, rel: string): Inside;
  /** resolveInside for one batch of paths (an observation): each folder's real path looked up once. */
  insideResolver(root: string): (rel: string) => Inside;
  /** The project root's real path, which held folders are checked against. */
  realRoot(root: string): string;
  /** Write a file inside the root that no concurrent folder-for-symlink swap can redirect. */
  writeInside(realRoot: string, path: string, content: string | Uint8Array, mode?: number, options?: WriteInsideOptions): void;
  /** Remove files by bare name in a held folder inside the root. */
  removeInside(realRoot: string, folder: string, names: readonly string[]): void;
  /** Run `fn` with bare names resolving in a held folder inside the root (see write-atomic.ts). */
  inHeldFolder<T>(realRoot: string, folder: string, fn: (stillInside: () => boolean) => T, folderMode?: number): T;

  /** Write a file by path, atomically (temp file and rename), for places outside any project root. */
  writeAtomic(path: string, content: string | Uint8Array, mode?: number): void;
  /** Write a file by path in place, no temp file or fsync: for scratch files only gaia reads (in a temp folder). */
  writeFile(path: string, content: string | Uint8Array): void;
  /** Make a folder and its parents. */
  makeFolder(path: string, mode?: number): void;
  /** A new private folder (mkdtemp) in the host's temporary folder, named `prefix` and a random tail. */
  makeTempFolder(prefix: string): string;
  /** Remove a file or a whole folder; nothing there is not an error. */
  remove(path: string): void;
  /** Remove one file (never a folder: that throws, as rm without -r); nothing there is not an error. */
  removeFile(path: string): void;
}

export interface HostProcesses {
  /** Every live process, with the environment of this user's own when `withEnv`. */
  scan(withEnv: boolean): ProcessInfo[];
  /** Still running, and still the same process (not a newer one with its pid). */
  isRunning(p: ProcessId): boolean;
  /** Signal exactly this process; false when it is not running any more, or not ours to signal. */
  signal(p: ProcessId, signal: NodeJS.Signals): boolean;
  /** Signal a pid read moments ago from a program's own answer (tmux's server pid); false when it cannot be sent. */
  signalPid(pid: number, signal: NodeJS.Signals): boolean;
  /** Clock ticks since boot now, on the scale of `ProcessInfo.start`. */
  ticksNow(): number;
  listeningPorts(): Promise<readonly ListeningSocket[]>;
  /** Which processes hold these socket inodes. */
  socketHolders(inodes: ReadonlySet<number>): ReadonlyMap<number, PortHolder>;
  /** The command prefix that starts a program so it outlives the login this one runs in (systemd:
   *  local/login-scope.ts); none when nothing is needed. A tmux server is started behind it. */
  outsideLogin(): readonly string[];
}

export interface Host extends Executor {
  /** `local` for this machine. */
  readonly name: string;
  readonly files: HostFiles;
  readonly processes: HostProcesses;
  /** Open a SQLite file on this host (`file` may be a database image, opened in memory). */
  openSqlite(file: string | Buffer, options?: SqliteOpenOptions): SqliteDatabase;
}
