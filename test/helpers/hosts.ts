/** Hosts for gaia's many-host tests: real sshd instances (sshd.ts), each with a tmux socket of its own,
 *  one ssh config reaching all of them, and a short private folder for gaia's ssh control sockets. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startSshd, type SshdHost, type SshdOptions } from './sshd.js';

export interface TestHost {
  readonly sshd: SshdHost;
  /** The name the manifest gives it. */
  readonly name: string;
  readonly socket: string;
  /** Its project folder (the manifest's `root: ~/gaia/app`), seen from here. */
  readonly projectRoot: string;
  tmux(args: readonly string[]): string;
  /** Its tmux sessions, sorted; none when its server is not running. */
  sessions(): string[];
}

export interface HostsWorld {
  readonly hosts: readonly TestHost[];
  /** The `settings.ssh` and `hosts:` lines of a manifest for these hosts (extra settings per host name). */
  yaml(extra?: Readonly<Record<string, string>>): string;
  /** The environment gaia runs with (its control sockets' folder). */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function hostsWorld(names: readonly string[], options: Readonly<Record<string, SshdOptions>> = {}): Promise<HostsWorld> {
  const runtime = fs.mkdtempSync('/tmp/gaia-rt-');
  const hosts: TestHost[] = [];
  for (const name of names) {
    const sshd = await startSshd(options[name] ?? {});
    const socket = `gaia-test-${randomBytes(4).toString('hex')}`;
    const tmux = (args: readonly string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    hosts.push({
      sshd, name, socket, tmux, projectRoot: path.join(sshd.root, 'home/gaia/app'),
      sessions: () => {
        try {
          return tmux(['list-sessions', '-F', '#{session_name}']).trim().split('\n').sort();
        } catch {
          return [];
        }
      },
    });
  }
  const config = path.join(runtime, 'ssh_config');
  fs.writeFileSync(config, hosts.map((h) => fs.readFileSync(h.sshd.clientConfig, 'utf8')).join('\n'));
  return {
    hosts,
    env: { XDG_RUNTIME_DIR: runtime },
    yaml: (extra = {}) => [
      `settings: { ssh: { config: ${config} } }`,
      'hosts:',
      ...hosts.map((h) => `  ${h.name}: { ssh: ${h.sshd.name}, root: ~/gaia/app, tmux: { socket: ${h.socket} }${extra[h.name] ? `, ${extra[h.name]}` : ''} }`),
    ].join('\n'),
    async close() {
      for (const h of hosts) {
        try {
          h.tmux(['kill-server']);
        } catch {
          // not running
        }
        await h.sshd.remove();
      }
      fs.rmSync(runtime, { recursive: true, force: true });
    },
  };
}
