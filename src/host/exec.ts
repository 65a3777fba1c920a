/** The one way gaia runs commands: argument arrays, never a shell string.
 *  Failures come back as data (the caller decides), and every spawn is counted so
 *  benchmarks can prove observation does not grow with the number of resources.
 *
 *  Built on node:child_process rather than execa: a CLI run is all cold code, and execa's
 *  stream machinery cost ~7 ms of CPU per command plus ~13 ms to load — a third of
 *  `gaia status`'s own time for 11 commands (bench/status.mjs). What gaia needs is small:
 *  argv, cwd, stdin text, extra environment, a timeout, and the output as text. */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface RunOptions {
  readonly cwd?: string;
  /** Written to the command's stdin (tmux load-buffer -, git update-ref --stdin). */
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Variables of gaia's own environment the command does not inherit. */
  readonly unsetEnv?: readonly string[];
  readonly timeoutMs?: number;
  /** May be stopped when an interrupted gaia's grace runs out (hooks: the manifest author's commands,
   *  of any length). Without it a command always runs to its end: git and tmux commands are short,
   *  and stopping one half-way could leave a lock file or half a worktree behind. */
  readonly stoppable?: boolean;
}

export interface CommandResult {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly failed: boolean;
  /** Stopped because it ran past `timeoutMs`. */
  readonly timedOut?: true;
}

export interface Executor {
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** How many child processes this executor has started. */
  readonly spawned: number;
}

/** Spawns by every executor in this process (`GAIA_STATS=1` prints it at exit). */
let spawnedInProcess = 0;
export const totalSpawned = (): number => spawnedInProcess;

export function localExecutor(): Executor {
  let spawned = 0;
  return {
    get spawned() {
      return spawned;
    },
    run(argv, options = {}) {
      const [file, ...args] = argv;
      if (!file) throw new Error('empty command');
      spawned++;
      spawnedInProcess++;
      return runCommand(file, args, options).then((r) => ({ argv, ...r }));
    },
  };
}

/** Ask politely first; a command that ignores SIGTERM this long is killed. */
const FORCE_KILL_AFTER_MS = 2000;

/** Commands still running. gaia stopping does not leave them behind (as execa's `cleanup` did): when
 *  gaia exits they get SIGTERM, with everything they started (each runs in a process group of its
 *  own); and a SIGTERM, SIGHUP or SIGINT that ends gaia by default (nobody else listens: apply,
 *  destroy, reconcile and serve do, and stop in their own time) first passes them SIGTERM, then ends
 *  gaia by the same signal, as if nothing had listened. A hook left running would go on changing an
 *  environment after the apply that started it is gone. */
const running = new Map<ChildProcess, { readonly stoppable: boolean }>();
let cleanupInstalled = false;

/** Whether commands start in a process group of their own: then the terminal's Ctrl-C, which goes
 *  to the whole foreground group, reaches only gaia, which decides what becomes of them. Only for
 *  the commands that handle interruption themselves (apply, destroy, reconcile): a new group has no
 *  terminal to ask a question on, and `gaia git push` may need one for a password. */
let ownGroups = false;
export function runInOwnProcessGroups(): void {
  ownGroups = true;
}

/** Signal a command and everything it started (its process group, when it has one). */
function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (ownGroups) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    child.kill(signal); // the group is gone already
  }
}

/** Stop the running commands marked `stoppable` (SIGTERM, then SIGKILL after a grace); how many. */
export function stopStoppable(): number {
  let stopped = 0;
  for (const [child, how] of running) {
    if (!how.stoppable) continue;
    stopped++;
    signalTree(child, 'SIGTERM');
    setTimeout(() => signalTree(child, 'SIGKILL'), FORCE_KILL_AFTER_MS).unref();
  }
  return stopped;
}

/** How many commands are running now. */
export const runningCount = (): number => running.size;

function track(child: ChildProcess, stoppable: boolean): void {
  running.set(child, { stoppable });
  child.once('close', () => running.delete(child));
  child.once('error', () => running.delete(child));
}

/** Before the first spawn, not after: the command may run (and a signal arrive) before spawn() returns. */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const stopAll = () => {
    for (const c of running.keys()) signalTree(c, 'SIGTERM');
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return; // someone else stops gaia; 'exit' follows
      stopAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function commandEnv(options: RunOptions): NodeJS.ProcessEnv {
  if (!options.env && !options.unsetEnv?.length) return process.env;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const name of options.unsetEnv ?? []) delete env[name];
  return env;
}

function runCommand(file: string, args: readonly string[], options: RunOptions): Promise<Omit<CommandResult, 'argv'>> {
  installCleanup();
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: commandEnv(options),
      // stdin is a pipe, closed at once when there is no input (as under execa): a command that
      // reads it sees the end of its input.
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: ownGroups,
    });
    track(child, options.stoppable === true);
    // All three are pipes (stdio above); node's types cannot know that.
    const input = child.stdin!;
    const out = child.stdout!;
    const errOut = child.stderr!;
    let stdout = '';
    let stderr = '';
    out.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    errOut.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    input.on('error', () => {}); // a command that exits without reading its input (EPIPE) says so by its exit code
    input.end(options.input);

    let timedOut = false;
    let forceKill: NodeJS.Timeout | undefined;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      signalTree(child, 'SIGTERM');
      forceKill = setTimeout(() => signalTree(child, 'SIGKILL'), FORCE_KILL_AFTER_MS).unref();
    }, options.timeoutMs);

    let settled = false;
    const settle = (r: Omit<CommandResult, 'argv'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(forceKill);
      resolve(r);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Not started (ENOENT, EACCES): the shell's "command not found" code.
      settle({ exitCode: e.code === 'ENOENT' ? 127 : 126, stdout, stderr: stderr || `${file}: ${e.message}`, failed: true });
    });
    child.on('exit', () => {
      // A command that timed out may have left children holding its output open: stop waiting for them.
      if (timedOut) {
        out.destroy();
        errOut.destroy();
      }
    });
    child.on('close', (code, signal) => {
      const why = timedOut ? `timed out after ${options.timeoutMs} ms` : signal ? `killed by ${signal}` : '';
      settle({
        exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0),
        stdout,
        stderr: why ? `${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}${why}` : stderr,
        failed: timedOut || code !== 0,
        ...(timedOut ? { timedOut: true as const } : {}),
      });
    });
  });
}

/** A command that keeps running while gaia talks to it: lines written to its stdin, its stdout read
 *  as it comes (gaia's worker on another host, over ssh). Tracked like every command (it does not
 *  outlive gaia). It keeps gaia's process alive only while `busy` (an answer is awaited): an idle one
 *  left open does not hold gaia up at its end. */
export interface CommandStream {
  write(text: string): void;
  busy(waiting: boolean): void;
  /** Close its stdin: the command sees the end of its input. */
  end(): void;
  onStdout(listener: (chunk: string) => void): void;
  /** How it ended, with everything it wrote to stderr. */
  readonly closed: Promise<{ readonly exitCode: number; readonly stderr: string }>;
}

export function openStream(argv: readonly string[]): CommandStream {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty command');
  installCleanup();
  spawnedInProcess++;
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: ownGroups });
  track(child, false);
  const input = child.stdin!;
  const out = child.stdout!;
  const errOut = child.stderr!;
  // The child and its pipes each hold node's event loop open.
  const handles = [child, input, out, errOut] as unknown as { ref?: () => void; unref?: () => void }[];
  const busy = (waiting: boolean) => {
    for (const h of handles) (waiting ? h.ref : h.unref)?.call(h);
  };
  busy(false);
  input.on('error', () => {}); // it ended without reading: its exit says why
  let stderr = '';
  errOut.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  out.setEncoding('utf8');
  const closed = new Promise<{ exitCode: number; stderr: string }>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ exitCode: e.code === 'ENOENT' ? 127 : 126, stderr: stderr || `${file}: ${e.message}` }));
    child.on('close', (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0), stderr }));
  });
  return {
    write: (text) => {
      if (input.writable) input.write(text);
    },
    busy,
    end: () => input.end(),
    onStdout: (listener) => out.on('data', listener),
    closed,
  };
}

/** `git worktree add …` exited 128: fatal: … — the command as run, its code and its stderr. */
export function describeFailure(result: CommandResult): string {
  const stderr = result.stderr.trim() || result.stdout.trim();
  return `\`${result.argv.map(quoteForDisplay).join(' ')}\` exited ${result.exitCode}${stderr ? `: ${stderr}` : ''}`;
}

/** Quote an argument for showing to a person (dry-run); gaia never passes this to a shell. */
export function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
