/** The worker a host keeps between commands (src/host/local/worker-daemon.ts), on real unix sockets and
 *  real processes: the built bundle (dist/gaia.cjs) started by a launcher as a host's is, answering
 *  each connection after its hello; one per socket however many start at once; gone when idle, when
 *  its folder is removed or its socket replaced; never in a folder other users could reach. */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { answersOn, daemonSocket, ensureDaemon, serveWorker } from '../../src/host/local/worker-daemon.js';
import { WORKER_PROTOCOL, isHello } from '../../src/engine/worker-protocol.js';
import { until } from '../helpers/poll.js';

const bundle = path.resolve('dist/gaia.cjs');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-wd-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Lines a client reads from `socket` after writing `lines`, until it has `count`. */
function talk(socket: string, lines: readonly string[], count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    let buffer = '';
    c.setEncoding('utf8');
    c.on('connect', () => lines.forEach((l) => c.write(`${l}\n`)));
    c.on('data', (d: string) => {
      buffer += d;
      const got = buffer.split('\n').filter((l) => l !== '');
      if (got.length >= count) {
        c.end();
        resolve(got);
      }
    });
    c.on('error', reject);
  });
}

/** The pids of processes serving `socket`. */
function servers(socket: string): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      return argv.includes('--serve') && argv.includes(socket) ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
}

describe('a kept worker', () => {
  it('says hello on each connection, answers its lines, and goes when idle, taking its socket', async () => {
    const socket = path.join(dir, 'run', 'w.sock');
    const served = serveWorker(socket, async (line) => `echo ${line}\n`, 300);
    await until(() => fs.existsSync(socket));
    const got = await talk(socket, ['one', 'two'], 3);
    expect(isHello(got[0]!)).toBe(true);
    expect(got.slice(1).sort()).toEqual(['echo one', 'echo two']);
    expect((fs.statSync(path.dirname(socket)).mode & 0o777).toString(8)).toBe('700');
    await served; // idle for 300 ms, checked each second
    expect(fs.existsSync(socket)).toBe(false);
  });

  it('goes when its socket is replaced, leaving the replacement alone', async () => {
    const socket = path.join(dir, 'run', 'w.sock');
    const served = serveWorker(socket, async () => undefined);
    await until(() => fs.existsSync(socket));
    fs.writeFileSync(`${socket}.new`, 'not a socket');
    fs.renameSync(`${socket}.new`, socket);
    await served;
    expect(fs.readFileSync(socket, 'utf8')).toBe('not a socket');
  });

  it('refuses a folder other users could reach into', async () => {
    fs.mkdirSync(path.join(dir, 'open'), { mode: 0o755 });
    fs.chmodSync(path.join(dir, 'open'), 0o755);
    await expect(serveWorker(path.join(dir, 'open', 'w.sock'), async () => undefined)).rejects.toThrow(/reachable by other users \(mode 755\)/);
    expect(fs.readdirSync(path.join(dir, 'open'))).toEqual([]);
  });

  it('is started once however many ask at once, answers requests as the worker does, and goes with its folder', async () => {
    // A launcher as a host's (worker-client.ts) runs the bundle's `worker` command.
    const launcher = path.join(dir, 'worker.cjs');
    fs.writeFileSync(launcher, `globalThis.__gaiaWorkerLauncher = __filename;
require(${JSON.stringify(bundle)}).main(['worker', ...process.argv.slice(2)]).then((code) => { process.exitCode = code; });\n`);
    const settings = ['GAIA_AGENT_START_GRACE=100'];
    const found = await Promise.all([1, 2, 3].map(() => ensureDaemon(launcher, settings)));
    const socket = daemonSocket(launcher, settings);
    expect(found).toEqual([{ socket }, { socket }, { socket }]);
    expect(daemonSocket(launcher, [])).not.toBe(socket); // other settings, another worker
    // Rivals started at the same moment see their socket replaced and go.
    expect(await until(() => servers(socket).length === 1, 15_000)).toBe(true);
    const [pid] = servers(socket);
    // It answers a request, and a request of another protocol is refused.
    const request = (protocol: number) => JSON.stringify({ id: 7, request: { protocol, op: 'serve' } });
    const [, answer] = await talk(socket, [request(WORKER_PROTOCOL + 1)], 2);
    expect(JSON.parse(answer!)).toEqual({ id: 7, response: { ok: false, error: `this worker speaks protocol ${WORKER_PROTOCOL}, not ${WORKER_PROTOCOL + 1}` } });
    // Asked again, the one running is found: none is started.
    expect(await ensureDaemon(launcher, settings)).toEqual({ socket });
    expect(servers(socket)).toEqual([pid]);
    // Its folder removed, it goes.
    fs.rmSync(path.join(dir, 'run'), { recursive: true });
    expect(await until(() => servers(socket).length === 0, 10_000)).toBe(true);
    expect(await answersOn(socket, 200)).toBe(false);
  }, 60_000);

  it('is not started where its socket cannot be made', async () => {
    const deep = path.join(dir, 'x'.repeat(80), 'worker.cjs');
    expect(await ensureDaemon(deep, [])).toEqual({ problem: expect.stringContaining('too long for a unix socket') });
    expect(fs.existsSync(path.join(dir, 'x'.repeat(80)))).toBe(false);
  });
});
