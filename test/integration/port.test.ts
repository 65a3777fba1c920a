import net from 'node:net';
import type { Recorded, Resource } from '../../src/core/resource.js';
import { listeningPorts } from '../../src/host/local/proc-net.js';
import { portProvider } from '../../src/providers/port/index.js';
import type { ApplyContext } from '../../src/providers/provider.js';
import { testDigests } from '../helpers/digests.js';
import { testHost, testSettings } from '../helpers/context.js';

const KIND = 'port';
let server: net.Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(): Promise<number> {
  server = net.createServer();
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** A port nobody listens on: bind one, note it, release it. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const desired = (port: number, env = 'dev1', stage = 'qa'): Resource => ({
  kind: KIND,
  address: `port.${env}.${stage}`,
  attributes: { port, env, stage },
  dependsOn: [],
});
const recordOf = (r: Resource): Recorded => ({ ...r, specHash: 'h' });

function ctx(): ApplyContext {
  return { root: '/nonexistent', host: testHost(), settings: testSettings(), digests: testDigests, allowDataLoss: false, force: false, backupDir: '/nonexistent', log: () => {} };
}

describe('port provider on real sockets', () => {
  test('a recorded port with a real listening socket is observed as listening, held by this process', async () => {
    const port = await listen();
    const r = desired(port);
    const c = ctx();
    const result = await portProvider.observe({ desired: [r], recorded: [recordOf(r)] }, c);
    expect(result.observed).toEqual([
      {
        kind: KIND,
        address: 'port.dev1.qa',
        attributes: { port, env: 'dev1', stage: 'qa', listening: true, holder: { pid: process.pid, command: expect.any(String) } },
      },
    ]);
    expect(result.warnings).toEqual([]);
    expect(c.host.spawned).toBe(0);
  });

  test('a recorded port nobody listens on is observed as reserved but not listening', async () => {
    const port = await freePort();
    const r = desired(port);
    const result = await portProvider.observe({ desired: [r], recorded: [recordOf(r)] }, ctx());
    expect(result.observed[0]!.attributes).toEqual({ port, env: 'dev1', stage: 'qa', listening: false, holder: null });
  });

  test('a desired port that is not reserved yet is not observed; if something listens there, a port_busy warning names the pid', async () => {
    const port = await listen();
    const result = await portProvider.observe({ desired: [desired(port)], recorded: [] }, ctx());
    expect(result.observed).toEqual([]);
    expect(result.warnings).toEqual([
      {
        code: 'port_busy',
        text: expect.stringMatching(new RegExp(`^port ${port} is in use by pid ${process.pid} \\(.+\\)$`)),
        address: 'port.dev1.qa',
      },
    ]);
  });

  test('a free desired port gives no warning', async () => {
    const result = await portProvider.observe({ desired: [desired(await freePort())], recorded: [] }, ctx());
    expect(result).toEqual({ observed: [], warnings: [] });
  });

  test('listeningPorts reads /proc once and includes a live socket with its address', async () => {
    const port = await listen();
    const sockets = await listeningPorts();
    expect(sockets).toContainEqual(expect.objectContaining({ port, address: '127.0.0.1', family: 4 }));
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    expect((await listeningPorts()).some((s) => s.port === port)).toBe(false);
  });

  test('apply runs nothing and records the reservation; steps describe it', async () => {
    const r = desired(8081);
    const change = { kind: KIND, address: r.address, action: 'create' as const, reasons: [], diffs: [], dependsOn: [], hazards: [], after: r.attributes };
    expect(portProvider.steps(change, ctx())).toEqual([{ address: 'port.dev1.qa', description: 'reserve port 8081 for dev1.qa' }]);
    const c = ctx();
    expect(await portProvider.apply([change], c)).toEqual([{ status: 'done', attributes: r.attributes }]);
    expect(c.host.spawned).toBe(0);
  });
});
