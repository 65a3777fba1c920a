/** A real OpenSSH server of a test's own, standing for another machine: `/usr/sbin/sshd` (Debian's
 *  openssh-server; .ci/run installs it) with its own config, host key and authorized key in a temporary
 *  folder (the host's root), on a loopback address of its own (127.0.0.2, 127.0.0.3, …) and a free port.
 *  The client side is a config file of its own (`-F`): the key made here, known hosts in the folder, so
 *  neither side reads or writes ~/.ssh. The remote user is the one running the tests.
 *
 *  `stop()` ends the server and every connection it has (sshd leaves running sessions alive when its
 *  listener ends: each connection's process is in a session of its own); `start()` brings it back on
 *  the same address, port and keys; `remove()` stops it and deletes the folder. A test run that dies
 *  first kills them on exit. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';
export const haveSshd = (): boolean => fs.existsSync(SSHD);

export interface SshdOptions {
  /** sshd's MaxSessions: channels one connection may have open. Default 10 (sshd's). */
  readonly maxSessions?: number;
  /** The remote user's ~/.bashrc (bash, run by sshd, reads it before any command; the login shell is
   *  bash on Debian), e.g. one that prints on stdout and stderr as some users' do. */
  readonly rcNoise?: string;
}

export interface SshdHost {
  /** Its `Host` in `clientConfig`. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** The host's own folder (its keys and config; `home/` is the remote user's HOME there). */
  readonly root: string;
  /** An ssh client config that reaches it (`ssh -F clientConfig name`). */
  readonly clientConfig: string;
  /** Another client config for this host with other settings (`IdentityFile`, `Port`, …). */
  clientConfigWith(settings: Readonly<Record<string, string>>): string;
  /** The processes serving connections now (one per client connection), to count or to freeze. */
  connections(): number[];
  start(): Promise<void>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

let hosts = 0;

export async function startSshd(options: SshdOptions = {}): Promise<SshdHost> {
  if (!haveSshd()) throw new Error(`${SSHD} is not installed (Debian's openssh-server; .ci/run installs it)`);
  // sshd insists on its privilege separation folder (the package's service makes it at boot).
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const n = hosts++;
  const name = `gaia-test-host-${n}`;
  const address = `127.0.0.${2 + (n % 250)}`;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-sshd-'));
  const f = (file: string) => path.join(root, file);
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', f(file)], { stdio: ['ignore', 'ignore', 'pipe'] });
  keygen('host_key');
  keygen('client_key');
  fs.copyFileSync(f('client_key.pub'), f('authorized_keys'));
  const port = await freePort(address);
  const user = os.userInfo().username;
  // The host's own home folder (SetEnv below): its sessions never read or write the user's.
  fs.mkdirSync(f('home'));
  if (options.rcNoise !== undefined) fs.writeFileSync(f('home/.bashrc'), options.rcNoise);
  fs.writeFileSync(f('sshd_config'), [
    `ListenAddress ${address}:${port}`,
    `HostKey ${f('host_key')}`,
    `PidFile ${f('sshd.pid')}`,
    `AuthorizedKeysFile ${f('authorized_keys')}`,
    'StrictModes no', // the temporary folder is not the user's home
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'PermitUserRC no', // no ~/.ssh/rc of the user's
    `MaxSessions ${options.maxSessions ?? 10}`,
    `SetEnv HOME=${f('home')}`,
    'LogLevel INFO', // "Server listening on …" tells it is ready
    '',
  ].join('\n'));
  const clientSettings: Record<string, string> = {
    HostName: address,
    Port: String(port),
    User: user,
    IdentityFile: f('client_key'),
    IdentitiesOnly: 'yes',
    UserKnownHostsFile: f('known_hosts'),
    GlobalKnownHostsFile: '/dev/null',
    StrictHostKeyChecking: 'accept-new',
    LogLevel: 'ERROR',
  };
  let configs = 0;
  const clientConfigWith = (settings: Readonly<Record<string, string>>): string => {
    const file = f(`ssh_config.${configs++}`);
    const all = { ...clientSettings, ...settings };
    fs.writeFileSync(file, `Host ${name}\n${Object.entries(all).map(([k, v]) => `  ${k} ${v}\n`).join('')}`);
    return file;
  };
  const clientConfig = clientConfigWith({});

  let child: ChildProcess | undefined;
  let log = '';
  const kill = () => {
    if (child?.pid !== undefined) for (const pid of [child.pid, ...descendants(child.pid)]) signal(pid, 'SIGKILL');
  };
  const removeNow = () => {
    kill();
    fs.rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', removeNow);

  const host: SshdHost = {
    name,
    address,
    port,
    root,
    clientConfig,
    clientConfigWith,
    connections: () => (child?.pid === undefined ? [] : children(child.pid)),
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      log = '';
      child = spawn(SSHD, ['-D', '-e', '-f', f('sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      await accepting(address, port, child, () => log);
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      // The connections first (found through the listener, their parent), then the listener.
      for (const pid of descendants(child.pid!)) signal(pid, 'SIGKILL');
      signal(child.pid!, 'SIGTERM');
      await exited;
    },
    async remove() {
      await host.stop();
      process.removeListener('exit', removeNow);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await host.start();
  } catch (error) {
    process.removeListener('exit', removeNow);
    removeNow();
    throw error;
  }
  return host;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** Live children of `pid` (zombies left out: init in a container may not reap them). */
function children(pid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === pid && state !== 'Z') found.push(Number(entry));
  }
  return found;
}

function descendants(pid: number): number[] {
  const all: number[] = [];
  for (let level = children(pid); level.length; level = level.flatMap(children)) all.push(...level);
  return all;
}

/** Until sshd says it listens (LogLevel INFO): no probe connection, which would sit among its
 *  connections as a pre-authentication process for a while. */
async function accepting(address: string, port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!log().includes(`Server listening on ${address} port ${port}.`)) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${log()}`);
    if (Date.now() > deadline) throw new Error(`sshd did not start listening on ${address}:${port}: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A port nothing listens on now at `address` (the kernel's pick, closed again). */
export function freePort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = (server.address() as net.AddressInfo);
      server.close(() => resolve(port));
    });
  });
}
