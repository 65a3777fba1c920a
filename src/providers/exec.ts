/** The one way gaia runs commands: argument arrays through execa, never a shell string.
 *  Failures come back as data (the caller decides), and every spawn is counted so
 *  benchmarks can prove observation does not grow with the number of resources. */
import { execa } from 'execa';

export interface RunOptions {
  readonly cwd?: string;
  /** Written to the command's stdin (tmux load-buffer -, git update-ref --stdin). */
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface CommandResult {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly failed: boolean;
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
    async run(argv, options = {}) {
      const [file, ...args] = argv;
      if (!file) throw new Error('empty command');
      spawned++;
      spawnedInProcess++;
      const result = await execa(file, args, {
        reject: false,
        cwd: options.cwd,
        input: options.input ?? '',
        env: options.env,
        timeout: options.timeoutMs,
        stripFinalNewline: false,
      });
      const exitCode = typeof result.exitCode === 'number' ? result.exitCode : result.failed ? 127 : 0;
      return {
        argv,
        exitCode,
        stdout: typeof result.stdout === 'string' ? result.stdout : '',
        stderr: typeof result.stderr === 'string' ? result.stderr : String(result.shortMessage ?? ''),
        failed: result.failed,
      };
    },
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
