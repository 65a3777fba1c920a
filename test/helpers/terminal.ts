/** A real terminal for the built CLI: a tmux pane (a real pseudo-terminal) on a tmux server of the
 *  test's own, one window per command; the test reads the screen, can record every byte written to
 *  the pane, and types answers. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { socketPath } from './tmux.js';

export interface Terminal {
  /** Start `argv` in a fresh window, in `cwd`; returns the file its exit code lands in. With `record`,
   *  everything the command writes to the pane is also kept, byte for byte, in that file. */
  start(argv: readonly string[], options?: { readonly record?: string }): string;
  /** The whole screen and its history, wrapped lines joined. */
  screen(): string;
  type(text: string): void;
  kill(): void;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function terminal(cwd: string, env: Record<string, string>, size = { columns: 160, rows: 50 }): Terminal {
  const socket = `gaia-term-${randomBytes(5).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  let runs = 0;
  return {
    start(argv, options = {}) {
      const done = path.join(cwd, `.exit-${++runs}`);
      const exports = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
      const run = `cd ${quote(cwd)} && env ${exports} ${argv.map(quote).join(' ')}; echo $? > ${quote(done)}; sleep 3600`;
      // A recorded command waits for a line on its terminal, so the recording is on before it writes.
      tmux('new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), '-s', `t${runs}`, options.record ? `read _; ${run}` : run);
      if (options.record) {
        tmux('pipe-pane', '-o', '-t', `t${runs}`, `cat > ${quote(options.record)}`);
        tmux('send-keys', '-t', `t${runs}`, 'Enter');
      }
      return done;
    },
    screen: () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', `t${runs}`),
    type(text) {
      tmux('send-keys', '-t', `t${runs}`, '-l', text);
      tmux('send-keys', '-t', `t${runs}`, 'Enter');
    },
    kill() {
      try {
        tmux('kill-server');
      } catch {
        /* already gone */
      }
      fs.rmSync(socketPath(socket), { force: true });
    },
  };
}

/** The exit code in `file` once the command has written it. */
export async function exitCodeIn(file: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    if (text !== '') return Number(text);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
