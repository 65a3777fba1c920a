/** A tmux server of the test's own (`tmux -L gaia-test-<random>`), never the user's default one. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { localExecutor, type CommandResult } from '../../src/providers/exec.js';

export interface PrivateTmux {
  readonly socket: string;
  /** `tmux -L <socket> ...args` (its spawns are not counted by the code under test). */
  run(args: readonly string[]): Promise<CommandResult>;
  /** Kill the server, wait until it is gone, remove its socket file. Safe to call twice. */
  kill(): Promise<void>;
}

/** Where tmux puts a `-L` socket: $TMUX_TMPDIR (else /tmp)/tmux-<uid>/<name>. */
function socketPath(socket: string): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, socket);
}

export function privateTmux(): PrivateTmux {
  const socket = `gaia-test-${randomBytes(6).toString('hex')}`;
  const exec = localExecutor();
  const run = (args: readonly string[]) => exec.run(['tmux', '-L', socket, ...args]);
  return {
    socket,
    run,
    async kill() {
      await run(['kill-server']);
      // The server exits after it has hung up on every pane; wait so tests do not leak processes.
      for (let i = 0; i < 200; i++) {
        const r = await run(['list-sessions']);
        if (r.failed) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      fs.rmSync(socketPath(socket), { force: true });
    },
  };
}
