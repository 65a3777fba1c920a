/** A tmux server of the test's own (`tmux -L gaia-test-<random>`), never the user's default one. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { localExecutor, type CommandResult } from '../../src/host/exec.js';

export interface PrivateTmux {
  readonly socket: string;
  /** `tmux -L <socket> ...args` (its spawns are not counted by the code under test). */
  run(args: readonly string[]): Promise<CommandResult>;
  /** Kill the server, wait until it is gone, remove its socket file. Safe to call twice. */
  kill(): Promise<void>;
}

/** Where tmux puts a `-L` socket: $TMUX_TMPDIR (else /tmp)/tmux-<uid>/<name> (kill-server leaves it behind). */
export function socketPath(socket: string): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, socket);
}

/** Running, and not a zombie waiting for the init process to reap it (it holds nothing then). */
function alive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return !fs.existsSync('/proc/self');
    } catch {
      return false;
    }
  }
}

export function privateTmux(): PrivateTmux {
  const socket = `gaia-test-${randomBytes(6).toString('hex')}`;
  const exec = localExecutor();
  const run = (args: readonly string[]) => exec.run(['tmux', '-L', socket, ...args]);
  return {
    socket,
    run,
    async kill() {
      const pid = Number((await run(['display-message', '-p', '#{pid}'])).stdout.trim());
      await run(['kill-server']);
      // The server exits after it has hung up on every pane; wait for the process itself (its socket
      // goes first) so no test leaks processes or pseudo-terminals into the next.
      for (let i = 0; pid > 0 && i < 600 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      fs.rmSync(socketPath(socket), { force: true });
    },
  };
}
