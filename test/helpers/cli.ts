/** Run the built CLI (bin/gaia → bin/gaia.js → dist/gaia.cjs) in a throw-away project on a private tmux socket. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { tempRepo, type TempRepo } from './git.js';
import { socketPath } from './tmux.js';

/** The gaia command as installed (bin/gaia, which runs bin/gaia.js). */
export const GAIA_BIN = path.resolve('bin/gaia');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestProject extends TempRepo {
  readonly socket: string;
  /** Run gaia in the project; never throws on a non-zero exit. */
  gaia(args: readonly string[], env?: Record<string, string>): Promise<CliResult>;
  /** Start gaia without waiting (for kill and concurrency tests). */
  spawn(args: readonly string[], env?: Record<string, string>): ResultPromise;
  tmux(args: readonly string[]): string;
  sessions(): string[];
  cleanup(): void;
}

export function testProject(manifest: string, files: Record<string, string> = {}): TestProject {
  const repo = tempRepo('gaia-e2e-');
  repo.write('.gitignore', 'envs/\n.gaia/\n');
  repo.write('orchestration.yaml', manifest);
  for (const [f, c] of Object.entries(files)) repo.write(f, c);
  repo.git(['add', '-A']);
  repo.git(['commit', '-q', '-m', 'project']);
  const socket = `gaia-test-${randomBytes(5).toString('hex')}`;
  const env = { GAIA_TMUX_SOCKET: socket, NO_COLOR: '1' };
  const tmux = (args: readonly string[]) => {
    try {
      return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      return '';
    }
  };
  return {
    ...repo,
    socket,
    async gaia(args, extra = {}) {
      const r = await execa(GAIA_BIN, [...args], { cwd: repo.root, env: { ...env, ...extra }, reject: false, stdin: 'ignore' });
      return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    spawn: (args, extra = {}) => execa(GAIA_BIN, [...args], { cwd: repo.root, env: { ...env, ...extra }, reject: false, stdin: 'ignore' }),
    tmux,
    sessions: () => tmux(['list-sessions', '-F', '#{session_name}']).split('\n').filter(Boolean).sort(),
    cleanup() {
      tmux(['kill-server']);
      fs.rmSync(socketPath(socket), { force: true });
      repo.cleanup();
    },
  };
}
