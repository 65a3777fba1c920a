/** tmux argv, built as data. Several tmux commands chain into one invocation with `;` argv elements.
 *
 *  Facts about tmux 3.3a these functions encode (each checked against the real binary):
 *  - tmux splits commands on ANY argv element that ends in an unescaped `;` (even without chaining),
 *    and turns a trailing `\;` into `;`. So an argument ending in `;` is sent with a backslash
 *    before that last `;` (escapeArg), which round-trips every string, including `;` and `\;`.
 *  - `new-session -s` and `-c` are format-expanded (`#{…}`), so `#` is doubled there.
 *  - Targets are not expanded. A session target `=NAME` matches exactly; commands that take a pane
 *    or window target (set-option, capture-pane) need `=NAME:`, or they fail with "no such session".
 *  - `--` ends a command's flags, so a command or value starting with `-` is not read as a flag.
 *  - One invocation's commands must fit tmux's 16 KB message (measured: 16,272 bytes of argv pass,
 *    17,442 fail with "command too long"). */
import type { TmuxServer } from './settings.js';
import { quoteForDisplay } from '../../host/exec.js';
import { MARK_ADDRESS, MARK_META, MARK_NAMES, MARK_PROJECT, MARK_SPEC, encodeMeta, type SessionMark, type SessionSpec } from './session.js';

/** One tmux command as its argv, before escaping. */
export type TmuxCommand = readonly string[];

/** Bytes of commands per invocation: tmux's limit is ~16 KB; keep a wide margin. */
export const MAX_INVOCATION_BYTES = 12_000;

/** The server's part of a tmux command line, for a client the user's terminal decides about (attach). */
export function serverArgs(ctx: Pick<TmuxServer, 'socket'>): string[] {
  return ctx.socket === undefined ? ['tmux'] : ['tmux', '-L', ctx.socket];
}

/** gaia's own clients speak UTF-8 whatever the locale (`-u`): a client in another locale (LANG unset, as
 *  in an ssh login to many hosts) gets every control and non-ASCII character of its output replaced by
 *  `_`, which broke list-sessions' field separators and every agent screen with a `❯` on it. */
export function tmuxArgs(ctx: Pick<TmuxServer, 'socket'>): string[] {
  return [...serverArgs(ctx), '-u'];
}

export function escapeArg(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

export const escapeFormat = (s: string): string => s.replace(/#/g, '##');

/** Exact-match session target (`kill-session`, `set-environment`, `has-session`). */
export const sessionTarget = (name: string): string => `=${name}`;
/** Exact-match session, its current window/pane (`set-option -w`, `capture-pane`). */
export const paneTarget = (name: string): string => `=${name}:`;

/** The command's argv for tmux. One element makes tmux run it with `sh -c`: a string command is
 *  meant that way; a one-element array is quoted so the shell runs exactly that program. */
export function programArgv(command: SessionSpec['command']): string[] {
  if (typeof command === 'string') return command === '' ? [] : [command];
  if (command.length === 1) return [quoteForDisplay(command[0]!)];
  return [...command];
}

export function markEnv(mark: SessionMark): Record<string, string> {
  return { [MARK_SPEC]: mark.spec, [MARK_ADDRESS]: mark.address, [MARK_META]: encodeMeta(mark), ...(mark.project ? { [MARK_PROJECT]: mark.project } : {}) };
}

export function remainOnExitCommand(name: string, on: boolean): TmuxCommand {
  return ['set-option', '-w', '-t', paneTarget(name), 'remain-on-exit', on ? 'on' : 'off'];
}

/** new-session with the marks in the session environment, then (unless turned off) remain-on-exit
 *  so a program that exits leaves its pane and output behind, observable as `pane_dead`. Both run
 *  in one queue pass of the server, so even a program that exits at once is caught.
 *  The set-option is most of the cost of a large apply: tmux 3.3a rescans every session and window
 *  after each set-option, so it grows with the square of the number of sessions. */
export function createCommands(spec: SessionSpec, mark: SessionMark, absCwd: string): TmuxCommand[] {
  const userEnv = Object.entries(spec.env).filter(([k]) => !MARK_NAMES.includes(k));
  const env = [...userEnv, ...Object.entries(markEnv(mark))].flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return [
    ['new-session', '-d', '-s', escapeFormat(spec.name), '-c', escapeFormat(absCwd), ...env, '--', ...programArgv(spec.command)],
    ...(spec.remainOnExit ? [remainOnExitCommand(spec.name, true)] : []),
  ];
}

export function killCommands(name: string): TmuxCommand[] {
  return [['kill-session', '-t', sessionTarget(name)]];
}

/** Rewrite the marks and remain-on-exit in place (group, provider, agent or remain-on-exit changed,
 *  or the marks were missing). */
export function updateCommands(spec: SessionSpec, mark: SessionMark): TmuxCommand[] {
  return [
    ...Object.entries(markEnv(mark)).map(([k, v]) => ['set-environment', '-t', sessionTarget(spec.name), '--', k, v]),
    remainOnExitCommand(spec.name, spec.remainOnExit),
  ];
}

/** The argv elements of a chain of commands (without the `tmux [-L socket]` head). */
export function chain(commands: readonly TmuxCommand[]): string[] {
  return commands.flatMap((c, i) => [...(i > 0 ? [';'] : []), ...c.map(escapeArg)]);
}

/** What a chain costs against tmux's message limit: every element plus its terminating NUL. */
export function chainBytes(commands: readonly TmuxCommand[]): number {
  return chain(commands).reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
}

export function invocation(ctx: Pick<TmuxServer, 'socket'>, commands: readonly TmuxCommand[]): string[] {
  return [...tmuxArgs(ctx), ...chain(commands)];
}

/** One argument in tmux's command-file syntax: single-quoted runs (literal there: `$`, `~`, `#`, `;`,
 *  `{`), with `'` and line breaks as double-quoted pieces, which tmux joins into one word. */
export function tmuxQuote(arg: string): string {
  if (arg === '') return "''";
  return arg
    .split(/(['\n\r])/)
    .filter((part) => part !== '')
    .map((part) => (part === "'" ? `"'"` : part === '\n' ? '"\\n"' : part === '\r' ? '"\\r"' : `'${part}'`))
    .join('');
}

/** The invocation as a command file read from stdin (`source-file -`), one line so tmux still stops
 *  at the first failing command: what the commands carry (a sensitive `-e KEY=value`) is on no
 *  command line. A client that starts the server leaves its argv as the server's process title for
 *  the server's life, readable by every local user. */
export function stdinInvocation(ctx: Pick<TmuxServer, 'socket'>, commands: readonly TmuxCommand[]): { readonly argv: string[]; readonly input: string } {
  return {
    argv: [...tmuxArgs(ctx), 'start-server', ';', 'source-file', '-'],
    input: `${commands.map((c) => c.map(tmuxQuote).join(' ')).join(' ; ')}\n`,
  };
}
