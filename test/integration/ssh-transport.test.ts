/** Commands on another host through the system's ssh client, against real OpenSSH servers of this file's
 *  own (test/helpers/sshd.ts): argv arrives byte for byte whatever it holds, cwd, stdin and environment
 *  (never on a command line) work, a login shell's start-up noise is dropped, channels stay under
 *  MaxSessions on one master connection per host, and a host that cannot be reached is a typed
 *  `unreachable` — never an exit code a command could have given — also after its server restarted. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { closeMasters, sshExecutor, type SshExecutor, type SshOptions } from '../../src/host/ssh/ssh-executor.js';
import { freePort, startSshd, type SshdHost } from '../helpers/sshd.js';

/** A user's ~/.bashrc that prints, and defines functions named like the commands gaia runs (rvm's `cd`). */
const NOISE = [
  'printf "rc garbage with no newline"',
  'echo "more rc garbage"',
  'echo "rc noise on stderr" >&2',
  'printf() { echo hijacked; }',
  'cd() { echo hijacked; }',
  'sh() { echo hijacked; }',
  '',
].join('\n');

let host: SshdHost;
let noisy: SshdHost;
let controlFolder: string;
const opened: SshdHost[] = [];

beforeAll(async () => {
  // Short on purpose: a unix socket's path is limited (control-path.ts).
  controlFolder = fs.mkdtempSync('/tmp/gaia-ssh-t-');
  host = await startSshd();
  opened.push(host);
  noisy = await startSshd({ rcNoise: NOISE });
  opened.push(noisy);
}, 60_000);

afterAll(async () => {
  await closeMasters();
  for (const h of opened) await h.remove();
  fs.rmSync(controlFolder, { recursive: true, force: true });
});

const executorFor = (h: SshdHost, options: SshOptions = {}): SshExecutor =>
  sshExecutor({ host: h.name }, { config: h.clientConfig, controlFolder, connectTimeoutSeconds: 5, ...options });

/** The live ControlMaster processes of this file's control folder (ssh names them `ssh: <socket> [mux]`). */
function masters(): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.startsWith(`ssh: ${controlFolder}/`) && cmdline.includes('[mux]')) found.push(cmdline);
    } catch {
      // ended while we looked
    }
  }
  return found;
}

/** Every process's command line, read while something runs. */
function allCommandLines(): string {
  return fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  }).join('\n');
}

describe('sshExecutor on a real sshd', () => {
  test('passes every argument to the remote command byte for byte', async () => {
    const exec = executorFor(host);
    const canary = path.join(host.root, 'ran');
    const hostile = ['a b', "it's", '"double"', `$(touch ${canary})`, `\`touch ${canary}\``, 'line 1\nline 2\n', ';', '&&', '|', '>', '*', '~',
      '', ' ', '-n', '--', '\\', '\\\'', "'", "''", '$HOME', '${PATH}', '!', '#', 'tab\there', 'cr\r', 'é→✓', '%s %d'];
    const r = await exec.run(['printf', '%s\\0', ...hostile]);
    expect(r).toMatchObject({ exitCode: 0, failed: false, stderr: '' });
    expect(r.unreachable).toBeUndefined();
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(hostile);
    expect(fs.existsSync(canary)).toBe(false);
    expect(exec.spawned).toBe(1); // one ssh process per command, counted as the local executor counts
  });

  test('runs in cwd, and a cwd that is not there is the command failing, not the host', async () => {
    const exec = executorFor(host);
    const dir = path.join(host.root, "a folder's name; $(x)");
    fs.mkdirSync(dir);
    expect((await exec.run(['pwd'], { cwd: dir })).stdout).toBe(`${dir}\n`);
    const missing = await exec.run(['pwd'], { cwd: path.join(host.root, 'nowhere') });
    expect(missing).toMatchObject({ failed: true, stdout: '' });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.unreachable).toBeUndefined();
  });

  test('feeds input to stdin, and gives none otherwise', async () => {
    const exec = executorFor(host);
    const text = "line 1\n'quoted' $(x)\n\nno newline at the end é→✓";
    expect((await exec.run(['cat'], { input: text })).stdout).toBe(text);
    expect((await exec.run(['cat'])).stdout).toBe('');
  });

  test('sets env for the command (with input still the command\'s) and keeps the values off every command line', async () => {
    const exec = executorFor(host);
    const secret = `s3cret-${process.pid}-${Date.now()}`;
    const value = `${secret} 'q' "dq" $(touch x) \\ \nsecond line\n`;
    const r = await exec.run(['sh', '-c', 'printf %s "$GAIA_SECRET"; printf "|%s|" "$OTHER"; cat'], { env: { GAIA_SECRET: value, OTHER: '' }, input: 'in\nput' });
    expect(r.stdout).toBe(`${value}||in\nput`);

    const running = exec.run(['sh', '-c', 'sleep 1.5; printf %s "$GAIA_SECRET"'], { env: { GAIA_SECRET: secret } });
    const seen: string[] = [];
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      seen.push(allCommandLines());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await running).stdout).toBe(secret);
    expect(seen.join('\n').includes('sleep 1.5')).toBe(true); // the command was seen running
    expect(seen.join('\n').includes(secret)).toBe(false);
  });

  test('drops what the login shell prints at start-up (rc files) from stdout and stderr, and runs programs, not its functions', async () => {
    const exec = executorFor(noisy);
    // The noise is really there: ssh by itself shows it.
    const raw = execFileSync('ssh', ['-F', noisy.clientConfig, '-o', 'BatchMode=yes', noisy.name, 'printf ok'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(raw).toContain('rc garbage');
    const r = await exec.run(['sh', '-c', 'printf "out\\nput"; printf "err" >&2; exit 4']);
    expect(r).toMatchObject({ exitCode: 4, stdout: 'out\nput', stderr: 'err', failed: true });
    expect((await exec.run(['printf', '%s', 'argv'], { cwd: '/', env: { K: 'v' } })).stdout).toBe('argv');
  });

  test('gives the remote exit code, 255 included, without calling the host unreachable', async () => {
    const exec = executorFor(host);
    for (const code of [0, 1, 127, 255]) {
      const r = await exec.run(['sh', '-c', `exit ${code}`]);
      expect(r).toMatchObject({ exitCode: code, failed: code !== 0 });
      expect(r.unreachable).toBeUndefined();
    }
    expect((await exec.run(['no-such-program-gaia'])).exitCode).toBe(127);
    // Killed by a signal remotely: ssh itself would say 255; the shell says 128 + 9.
    expect((await exec.run(['sh', '-c', 'kill -9 $$'])).exitCode).toBe(137);
  });

  test('a command past its timeout is a failure of that command', async () => {
    const exec = executorFor(host);
    await exec.run(['true']); // the master is up
    const r = await exec.run(['sleep', '5'], { timeoutMs: 500 });
    expect(r.failed).toBe(true);
    expect(r.unreachable).toBeUndefined();
    expect(r.stderr).toContain('timed out after 500 ms');
  });
});

describe('connections and channels', () => {
  test('20 commands at once against MaxSessions 3 all succeed with a cap of 2, on one connection', async () => {
    const limited = await startSshd({ maxSessions: 3 });
    opened.push(limited);
    const run = async (exec: SshExecutor) => {
      let most = 0;
      const sample = setInterval(() => (most = Math.max(most, limited.connections().length)), 20);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => exec.run(['sh', '-c', `sleep 0.2; printf ${i}`])));
      clearInterval(sample);
      await exec.closeMaster();
      return { results, most };
    };
    const capped = await run(executorFor(limited, { maxChannels: 2 }));
    expect(capped.results.map((r) => [r.exitCode, r.stdout])).toEqual(Array.from({ length: 20 }, (_, i) => [0, String(i)]));
    expect(capped.most).toBe(1);
    // Beyond MaxSessions sshd refuses the channel and ssh quietly opens a connection for it: what the cap saves.
    const uncapped = await run(executorFor(limited, { maxChannels: 10 }));
    expect(uncapped.results.every((r) => r.exitCode === 0)).toBe(true);
    expect(uncapped.most).toBeGreaterThan(1);
  });

  test('one ControlMaster process per host, however many commands run at once', async () => {
    await closeMasters();
    const a = executorFor(host);
    const b = executorFor(noisy);
    const results = await Promise.all([...Array.from({ length: 8 }, () => a.run(['true'])), ...Array.from({ length: 8 }, () => b.run(['true']))]);
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
    expect(masters()).toHaveLength(2);
    await a.closeMaster();
    expect(masters()).toHaveLength(1);
  });
});

describe('a host that cannot be reached', () => {
  test('a closed port: unreachable at once, for every command at once, not an exit code of a command', async () => {
    const closed = host.clientConfigWith({ Port: String(await freePort(host.address)) });
    const exec = sshExecutor({ host: host.name }, { config: closed, controlFolder, connectTimeoutSeconds: 5 });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => exec.run(['true'])));
    expect(Date.now() - started).toBeLessThan(5000);
    for (const r of results) {
      expect(r.failed).toBe(true);
      expect(r.unreachable?.reason).toMatch(/Connection refused/);
    }
  });

  test('a server that never answers: unreachable after ConnectTimeout', async () => {
    const silent = net.createServer(() => {}); // takes the connection, never speaks
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const config = host.clientConfigWith({ HostName: '127.0.0.1', Port: String((silent.address() as net.AddressInfo).port) });
      const exec = sshExecutor({ host: host.name }, { config, controlFolder, connectTimeoutSeconds: 2 });
      const started = Date.now();
      const r = await exec.run(['true']);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(r.unreachable?.reason).toMatch(/timed out/i);
    } finally {
      silent.close();
    }
  });

  test('a key the server does not take: unreachable (BatchMode: no password prompt)', async () => {
    const other = path.join(host.root, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    // A folder of its own: the control socket is named for the destination, not the key, and this
    // file's master to the same host would carry the command.
    const own = fs.mkdtempSync('/tmp/gaia-ssh-t-');
    try {
      const exec = sshExecutor({ host: host.name }, { config: host.clientConfigWith({ IdentityFile: other }), controlFolder: own });
      const r = await exec.run(['true']);
      expect(r.unreachable?.reason).toMatch(/Permission denied/);
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
    }
  });

  test('a server stopped under a warm master, and under a running command, then started again: the next command works', async () => {
    const h = await startSshd();
    opened.push(h);
    const exec = executorFor(h);
    expect((await exec.run(['true'])).exitCode).toBe(0);
    const running = exec.run(['sleep', '30']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await h.stop();
    const cut = await running;
    expect(cut.unreachable?.reason).toMatch(/connection ended before the command did/);
    const down = await exec.run(['true']);
    expect(down.unreachable).toBeDefined();
    await h.start();
    const back = await exec.run(['printf', 'back']);
    expect(back).toMatchObject({ exitCode: 0, stdout: 'back' });
    expect(back.unreachable).toBeUndefined();
  });

  test('a master whose server went silent: the next command waits out ServerAlive, then runs over a fresh connection', async () => {
    const h = await startSshd();
    opened.push(h);
    const exec = executorFor(h, { serverAliveSeconds: 1 });
    expect((await exec.run(['true'])).exitCode).toBe(0);
    const frozen = h.connections();
    expect(frozen).toHaveLength(1);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP'); // the connection stays open, its server says nothing
    try {
      const started = Date.now();
      const r = await exec.run(['printf', 'fresh']);
      expect(r).toMatchObject({ exitCode: 0, stdout: 'fresh' });
      expect(Date.now() - started).toBeLessThan(15_000); // 3 × 1 s of ServerAlive, and a connection
      expect(h.connections().filter((pid) => !frozen.includes(pid))).toHaveLength(1);
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGKILL');
    }
  });

  test('a target that would be an option to ssh is refused, not run', () => {
    expect(() => sshExecutor({ host: '-oProxyCommand=touch /tmp/x' }, { controlFolder })).toThrow(/not a host name/);
    expect(() => sshExecutor({ host: 'h', port: 0 }, { controlFolder })).toThrow(/not a port/);
  });
});

describe('the control socket folder', () => {
  test('is private, and refused when others can reach it', () => {
    const open = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-ssh-open-'));
    fs.chmodSync(open, 0o755);
    try {
      expect(() => sshExecutor({ host: 'h' }, { controlFolder: open })).toThrow(/reachable by other users/);
    } finally {
      fs.rmSync(open, { recursive: true });
    }
  });
});
