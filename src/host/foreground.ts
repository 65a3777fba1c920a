/** A command that takes this terminal over until it ends (`tmux attach-session`), as close to exec(2)
 *  as node gets: it shares gaia's stdin, stdout and stderr (the terminal itself) and gaia's process
 *  group, so keys, the terminal's signals and its size changes (SIGWINCH) reach it directly; gaia only
 *  waits, and ends with its exit code.
 *
 *  Asynchronous, not spawnSync: a blocked event loop would hold a SIGTERM or SIGHUP sent to gaia's pid
 *  (gaia has handlers for them, src/host/exec.ts) until the command ended on its own. Here they are
 *  passed to the command, as they would reach it had gaia exec'd it; a SIGINT gaia gets is ignored —
 *  the command has the terminal, and a Ctrl-C there is its key, not gaia's (tmux puts the terminal in
 *  raw mode, so none is sent to the group anyway). */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export type ForegroundResult =
  | { readonly ok: true; readonly exitCode: number }
  /** Could not be started (ENOENT: not installed). */
  | { readonly ok: false; readonly code: string; readonly message: string };

const PASSED_ON = ['SIGTERM', 'SIGHUP'] as const;

export function runInForeground(argv: readonly string[], options: { readonly env?: NodeJS.ProcessEnv } = {}): Promise<ForegroundResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty command');
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit', env: options.env ?? process.env });
    const pass = (signal: NodeJS.Signals) => () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handlers = PASSED_ON.map((signal) => [signal, pass(signal)] as const);
    const ignore = () => {};
    for (const [signal, handler] of handlers) process.on(signal, handler);
    process.on('SIGINT', ignore);
    const done = (r: ForegroundResult) => {
      for (const [signal, handler] of handlers) process.removeListener(signal, handler);
      process.removeListener('SIGINT', ignore);
      resolve(r);
    };
    child.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, code: e.code ?? 'unknown', message: e.message }));
    child.once('close', (code, signal) => done({ ok: true, exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0) }));
  });
}
