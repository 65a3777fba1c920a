/** Commands on another machine through the system's OpenSSH client (the user's ssh config, keys and
 *  agent), with no daemon of gaia's own there. An `Executor` like the local one: argv in, a
 *  CommandResult out, nothing thrown for a failed command.
 *
 *  - One connection per host: ControlMaster=auto with gaia's own short ControlPath (control-path.ts)
 *    and ControlPersist, so a command after the first costs a channel, not a TCP and key exchange.
 *    While no master is known to be up, commands go one at a time, so the first makes the master
 *    instead of each racing to make its own.
 *  - Channels capped per host (channel-cap.ts) below sshd's MaxSessions.
 *  - BatchMode: never a password or host-key prompt; ConnectTimeout and ServerAlive bound how long a
 *    dead host or a dead master connection can hold a command. No `-t`: commands get no terminal.
 *  - argv quoted, output framed and environment passed on stdin: remote-command.ts.
 *  - A host that cannot be reached, or a connection that ends under a running command, comes back
 *    with `unreachable` set: the command's outcome is unknown, which is not the same as a failure
 *    (callers mark that host's resources unknown, never missing). A master whose connection died
 *    exits by itself (ServerAlive bounds one whose peer went silent), and ssh replaces a socket nobody
 *    answers on, so the command after a server's restart connects afresh. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { localExecutor, openStream, type CommandResult, type CommandStream, type Executor, type RunOptions } from '../exec.js';
import { channelCap } from './channel-cap.js';
import { controlPath, defaultControlFolder } from './control-path.js';
import { remoteCommand, remoteCommandProblem, shellQuote, unframe } from './remote-command.js';

export interface SshTarget {
  /** As ssh takes it: a `Host` of the ssh config, a host name or an address. */
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

export interface SshOptions {
  /** An ssh config file (`-F`, settings.ssh.config); without it ssh reads the user's own. */
  readonly config?: string;
  /** Channels open at once on the host's connection; keep it below the server's MaxSessions. Default 8. */
  readonly maxChannels?: number;
  /** Seconds to wait for a connection (and its handshake). Default 10. */
  readonly connectTimeoutSeconds?: number;
  /** Seconds an idle master connection stays open. Default 60. */
  readonly persistSeconds?: number;
  /** A master connection whose server has not answered for 3 × this many seconds is given up. Default 10. */
  readonly serverAliveSeconds?: number;
  /** The folder of the control sockets. Default: defaultControlFolder(). */
  readonly controlFolder?: string;
  /** The ssh program. Default `ssh` from PATH. */
  readonly ssh?: string;
}

export interface Unreachable {
  /** What ssh said (`ssh: connect to host … port 22: Connection refused`), or what happened. */
  readonly reason: string;
}

export interface SshCommandResult extends CommandResult {
  /** Set when the host could not be reached or the connection ended under the command: its outcome is unknown. */
  readonly unreachable?: Unreachable;
}

export interface SshExecutor extends Executor {
  readonly target: SshTarget;
  run(argv: readonly string[], options?: RunOptions): Promise<SshCommandResult>;
  /** End this host's master connection (`ssh -O exit`), if one is open. */
  closeMaster(): Promise<void>;
  /** A command there that gaia talks to while it runs (lines on its stdin and stdout), on one channel
   *  of the host's connection for as long as it runs. */
  stream(argv: readonly string[]): SshStream;
  /** The ssh command that runs `argv` there on this terminal (`-t`: a terminal of its own there), for
   *  a program the user works in (tmux attach); through the same connection settings. */
  terminalArgv(argv: readonly string[]): string[];
  /** A unix socket here, in the private folder of the control sockets, named after `key` and this target. */
  localSocket(key: string): string;
  /** Have the host's master connection forward the socket `here` to `there` on the host (`ssh -O
   *  forward -L`), for as long as that connection lives; false when it would not (no master known to
   *  be up, or a server that allows no forwarding). */
  forward(here: string, there: string): Promise<boolean>;
}

export interface SshStream {
  /** Each line the command writes to stdout (framing and a login shell's noise taken out). */
  onLine(listener: (line: string) => void): void;
  write(text: string): void;
  /** Close its stdin. */
  end(): void;
  /** Keep gaia running while an answer is awaited (see CommandStream). */
  busy(waiting: boolean): void;
  readonly closed: Promise<{ readonly exitCode: number; readonly stderr: string; readonly unreachable?: Unreachable }>;
}

const DEFAULT_CHANNELS = 8;
const DEFAULT_CONNECT_TIMEOUT_S = 10;
const DEFAULT_PERSIST_S = 60;
/** A master whose server stopped answering goes after 3 × 10 s, not after TCP's minutes: until then
 *  the commands it carries, and new ones asking it for a channel, wait. */
const DEFAULT_SERVER_ALIVE_S = 10;

/** Why a target cannot be used; undefined when it can. A host starting with `-` would be an option to ssh. */
export function sshTargetProblem(target: SshTarget): string | undefined {
  if (!/^[^\s\-@][^\s@]*$/.test(target.host)) return `${JSON.stringify(target.host)} is not a host name, address or ssh config Host`;
  if (target.user !== undefined && !/^[^\s\-@:][^\s@:]*$/.test(target.user)) return `${JSON.stringify(target.user)} is not a user name`;
  if (target.port !== undefined && !(Number.isInteger(target.port) && target.port > 0 && target.port < 65536)) return `${target.port} is not a port`;
  return undefined;
}

const executors = new Set<SshExecutor>();

/** End the master connections of every ssh executor of this process (gaia exiting, a test's end). */
export async function closeMasters(): Promise<void> {
  await Promise.all([...executors].map((e) => e.closeMaster()));
}

export function sshExecutor(target: SshTarget, options: SshOptions = {}): SshExecutor {
  const problem = sshTargetProblem(target);
  if (problem) throw new Error(problem);
  const local = localExecutor();
  const ssh = options.ssh ?? 'ssh';
  const folder = options.controlFolder ?? defaultControlFolder();
  const connection = [
    ...(options.config === undefined ? [] : ['-F', options.config]),
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_S}`,
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${controlPath(folder)}`,
    '-o', `ControlPersist=${options.persistSeconds ?? DEFAULT_PERSIST_S}s`,
    '-o', `ServerAliveInterval=${options.serverAliveSeconds ?? DEFAULT_SERVER_ALIVE_S}`,
    '-o', 'ServerAliveCountMax=3',
    // A forwarded socket (forward()) left by a master that has ended is replaced, not refused.
    '-o', 'StreamLocalBindUnlink=yes',
    ...(target.user === undefined ? [] : ['-l', target.user]),
    ...(target.port === undefined ? [] : ['-p', String(target.port)]),
  ];
  const cap = channelCap(options.maxChannels ?? DEFAULT_CHANNELS);
  /** A command has come back through the master (so it is up, as far as we know). */
  let warm = false;
  /** The command opening the connection, when one is: what it found. */
  let opening: Promise<Unreachable | undefined> | undefined;

  async function attempt(argv: readonly string[], runOptions: RunOptions): Promise<SshCommandResult> {
    const command = remoteCommand(argv, runOptions);
    const r = await local.run([ssh, ...connection, '-T', '--', target.host, command.script], {
      input: command.stdin,
      timeoutMs: runOptions.timeoutMs,
      stoppable: runOptions.stoppable,
    });
    const timedOut = r.timedOut === true;
    const out = unframe(r.stdout, r.stderr, command.marker);
    switch (out.kind) {
      case 'not-started':
        // A master that could not give this command a channel is not asked again: new commands open
        // a fresh connection (`-O stop` leaves the channels it still carries running).
        await local.run([ssh, ...connection, '-O', 'stop', '--', target.host], { timeoutMs: 5000 });
        return unreachable(argv, timedOut ? `no answer in ${runOptions.timeoutMs} ms` : r.stderr.trim() || `ssh exited ${r.exitCode}`);
      case 'cut-off':
        // A timeout here is a failure like the local executor's (ssh exits 255 on its SIGTERM too);
        // otherwise the connection ended under the command, and what ssh said is in its stderr.
        if (timedOut || r.exitCode !== 255) return { argv, exitCode: r.exitCode, stdout: out.stdout, stderr: out.stderr, failed: true };
        return { ...unreachable(argv, 'the connection ended before the command did'), stdout: out.stdout, stderr: out.stderr };
      case 'finished':
        return { argv, exitCode: out.exitCode, stdout: out.stdout, stderr: out.stderr, failed: out.exitCode !== 0 };
    }
  }

  const settle = (result: SshCommandResult): SshCommandResult => {
    warm = result.unreachable === undefined;
    return result;
  };

  const self: SshExecutor = {
    target,
    get spawned() {
      return local.spawned;
    },
    run(argv, runOptions = {}) {
      const problem = remoteCommandProblem(argv, runOptions.env, runOptions.cwd, runOptions.unsetEnv);
      if (problem) throw new Error(problem);
      return cap.use(async () => {
        while (!warm && opening) {
          // Another command is opening the connection: wait for it, and share its failure rather than
          // each command waiting out the connect timeout in turn.
          const failed = await opening;
          if (failed) return unreachable(argv, failed.reason);
        }
        if (warm) return settle(await attempt(argv, runOptions));
        const mine = attempt(argv, runOptions).then(settle);
        opening = mine.then((r) => r.unreachable);
        try {
          return await mine;
        } finally {
          opening = undefined;
        }
      });
    },
    stream(argv) {
      const problem = remoteCommandProblem(argv);
      if (problem) throw new Error(problem);
      const command = remoteCommand(argv);
      const listeners: ((line: string) => void)[] = [];
      const queued: string[] = [];
      let ended = false;
      let waiting = false;
      let child: CommandStream | undefined;
      let started = false;
      let finishedWith: number | undefined;
      let buffer = '';
      const trailer = new RegExp(`^${command.marker} (\\d+)$`);
      const take = (chunk: string) => {
        buffer += chunk;
        if (!started) {
          const at = buffer.indexOf(`${command.marker}\n`);
          if (at < 0) return;
          started = true;
          warm = true;
          buffer = buffer.slice(at + command.marker.length + 1);
        }
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          const end = trailer.exec(line);
          if (end) finishedWith = Number(end[1]);
          else if (line !== '') for (const l of listeners) l(line);
        }
      };
      const closed = cap.use(async () => {
        child = openStream([ssh, ...connection, '-T', '--', target.host, command.script]);
        child.onStdout(take);
        child.busy(waiting);
        for (const q of queued.splice(0)) child.write(q);
        if (ended) child.end();
        const r = await child.closed;
        if (!started) return { exitCode: 255, stderr: r.stderr, unreachable: { reason: r.stderr.trim() || `ssh exited ${r.exitCode}` } };
        if (finishedWith === undefined) return { exitCode: r.exitCode, stderr: r.stderr, unreachable: { reason: 'the connection ended before the command did' } };
        return { exitCode: finishedWith, stderr: r.stderr };
      });
      return {
        onLine: (listener) => void listeners.push(listener),
        write: (text) => (child ? child.write(text) : void queued.push(text)),
        end: () => {
          ended = true;
          child?.end();
        },
        busy: (on) => {
          waiting = on;
          child?.busy(on);
        },
        closed,
      };
    },
    terminalArgv(argv) {
      const problem = remoteCommandProblem(argv);
      if (problem) throw new Error(problem);
      return [ssh, ...connection, '-t', '--', target.host, argv.map(shellQuote).join(' ')];
    },
    localSocket(key) {
      const name = createHash('sha256').update(JSON.stringify([options.config ?? null, target.user ?? null, target.host, target.port ?? null, key])).digest('hex').slice(0, 16);
      return path.join(folder, `w-${name}.sock`);
    },
    async forward(here, there) {
      if (!warm) return false;
      const r = await local.run([ssh, ...connection, '-O', 'forward', '-L', `${here}:${there}`, '--', target.host], { timeoutMs: 5000 });
      return !r.failed;
    },
    async closeMaster() {
      await local.run([ssh, ...connection, '-O', 'exit', '--', target.host], { timeoutMs: 5000 });
    },
  };
  executors.add(self);
  return self;
}

function unreachable(argv: readonly string[], reason: string): SshCommandResult {
  return { argv, exitCode: 255, stdout: '', stderr: reason, failed: true, unreachable: { reason } };
}
