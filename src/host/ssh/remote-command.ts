/** The text ssh gives the remote login shell for one command, and the command's own output taken back out.
 *
 *  ssh joins its arguments into one string that the remote user's login shell parses (`$SHELL -c`), so
 *  each argument is single-quoted here: inside single quotes a POSIX shell takes every byte literally
 *  (newlines, `$(…)`, globs, `;`) except `'` itself, written `'\''`. This assumes a POSIX login shell
 *  (sh, bash, dash, zsh, ksh), as ssh does for anything but a plain word.
 *  Each command goes through `command`, so that a shell function of the same name that an rc file
 *  defines (rvm's `cd`, say) is not what runs: argv means the program, as it does locally.
 *
 *  Framing: a login shell may print before it runs anything (a user's ~/.bashrc, which Debian's bash
 *  reads for sshd's sessions, or BASH_ENV), on stdout and stderr. The command therefore first prints a
 *  random marker line on both, and everything up to it is dropped. After the command the shell prints
 *  `\n<marker> <exit status>`: its absence tells a connection that ended under a running command (ssh
 *  exits 255, as it does for a remote command killed by a signal) from a command that exited 255.
 *
 *  Environment values never go on a command line, where every local and remote user can read them
 *  (/proc/<pid>/cmdline): they arrive as the first line of stdin, one `export` line the remote shell
 *  reads (byte by byte, so the rest of stdin stays the command's) and evaluates. */
import { randomBytes } from 'node:crypto';

/** One argument for a POSIX shell, literally. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface RemoteCommand {
  /** The one string ssh is given. */
  readonly script: string;
  /** What ssh writes to the remote stdin (the environment line first); undefined for none. */
  readonly stdin: string | undefined;
  readonly marker: string;
}

/** Why argv, cwd or env cannot be sent; undefined when they can. */
export function remoteCommandProblem(argv: readonly string[], env: Readonly<Record<string, string>> = {}, cwd?: string, unsetEnv: readonly string[] = []): string | undefined {
  if (argv.length === 0) return 'empty command';
  if ([...argv, cwd ?? ''].some((a) => a.includes('\0'))) return 'a command argument or folder contains a NUL byte';
  const bad = [...Object.keys(env), ...unsetEnv].find((k) => !ENV_NAME.test(k));
  if (bad !== undefined) return `${JSON.stringify(bad)} is not an environment variable name`;
  if (Object.values(env).some((v) => v.includes('\0'))) return 'an environment value contains a NUL byte';
  return undefined;
}

export function remoteCommand(
  argv: readonly string[],
  options: { cwd?: string; env?: Readonly<Record<string, string>>; unsetEnv?: readonly string[]; input?: string } = {},
): RemoteCommand {
  const marker = `gaia-${randomBytes(12).toString('hex')}`;
  const env = Object.entries(options.env ?? {});
  const parts = [`command printf '%s\\n' ${marker}; command printf '%s\\n' ${marker} >&2`];
  // Names only (checked by remoteCommandProblem), so they need no quoting.
  if (options.unsetEnv?.length) parts.push(`unset -v ${options.unsetEnv.join(' ')}`);
  // The values' newlines come as "$gaia_nl", so that the export line is one line of stdin.
  if (env.length) parts.push(`gaia_nl='\n'; IFS= read -r gaia_env; eval "$gaia_env"; unset gaia_env gaia_nl`);
  const command = `command ${argv.map(shellQuote).join(' ')}`;
  parts.push(options.cwd === undefined ? command : `command cd -- ${shellQuote(options.cwd)} && ${command}`);
  parts.push(`command printf '\\n%s %s\\n' ${marker} "$?"`);
  const exportLine = env.length ? `export ${env.map(([k, v]) => `${k}=${shellQuote(v).replace(/\n/g, `'"$gaia_nl"'`)}`).join(' ')}\n` : '';
  const stdin = exportLine || options.input !== undefined ? exportLine + (options.input ?? '') : undefined;
  return { script: parts.join('; '), stdin, marker };
}

export type Unframed =
  /** The remote shell never ran the command: nothing of ours came back. */
  | { readonly kind: 'not-started' }
  /** The command started; its exit status never came (the connection ended, or ssh was stopped). */
  | { readonly kind: 'cut-off'; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'finished'; readonly exitCode: number; readonly stdout: string; readonly stderr: string };

/** The command's own output out of what ssh printed. */
export function unframe(stdout: string, stderr: string, marker: string): Unframed {
  const start = stdout.indexOf(`${marker}\n`);
  if (start < 0) return { kind: 'not-started' };
  const errStart = stderr.indexOf(`${marker}\n`);
  const ownStderr = errStart < 0 ? stderr : stderr.slice(errStart + marker.length + 1);
  const body = stdout.slice(start + marker.length + 1);
  const trailer = new RegExp(`\\n${marker} (\\d+)\\n$`).exec(body);
  if (!trailer) return { kind: 'cut-off', stdout: body, stderr: ownStderr };
  return { kind: 'finished', exitCode: Number(trailer[1]), stdout: body.slice(0, trailer.index), stderr: ownStderr };
}
