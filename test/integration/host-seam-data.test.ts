/** The data providers (sqlite, file, port) and health's probes reach the machine only through the
 *  Host they are given: a host built from this machine's with one method replaced by a recording or
 *  lying stand-in changes what they see and shows what they did. (That they behave as before on a
 *  real disk is what sqlite.test.ts, file.test.ts, port.test.ts and sqlite-cache.test.ts prove.) */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Host, HostFiles, HostProcesses } from '../../src/host/host.js';
import type { Model } from '../../src/manifest/model.js';
import { probeHealth } from '../../src/ops/health-probe.js';
import type { StatusReport } from '../../src/ops/status-model.js';
import { fileProvider } from '../../src/providers/file/index.js';
import { portProvider } from '../../src/providers/port/index.js';
import type { ApplyContext } from '../../src/providers/provider.js';
import { sha256Hex, sqliteProvider } from '../../src/providers/sqlite/index.js';
import { testDigests } from '../helpers/digests.js';
import { testHost, testSettings } from '../helpers/context.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'gaia-seam-data-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** This machine, with some of its file or process operations replaced. */
function hostWith(files: Partial<HostFiles> = {}, processes: Partial<HostProcesses> = {}, over: Partial<Host> = {}): Host {
  const local = testHost();
  return { ...local, files: { ...local.files, ...files }, processes: { ...local.processes, ...processes }, ...over };
}

function ctx(host: Host): ApplyContext {
  return { root, host, digests: testDigests, settings: testSettings(), allowDataLoss: false, force: false, backupDir: path.join(root, 'backups'), log: () => {} };
}

const request = (kind: string, address: string, attributes: Record<string, unknown>) => ({
  desired: [{ kind, address, attributes, dependsOn: [] }] as never,
  recorded: [{ kind, address, attributes, dependsOn: [], specHash: 'h' }] as never,
});

describe('file provider', () => {
  const attributes = { path: 'a.env', content: 'X=1\n', mode: '0644' };

  test('a file the host says is not there is observed as missing, though it is on this disk', async () => {
    writeFileSync(path.join(root, 'a.env'), 'X=1\n');
    const seen = await fileProvider.observe(request('file', 'file.a', attributes), ctx(testHost()));
    expect(seen.observed).toHaveLength(1);
    const blind = hostWith({ stat: () => undefined });
    expect(await fileProvider.observe(request('file', 'file.a', attributes), ctx(blind))).toEqual({ observed: [], warnings: [] });
  });

  test('apply writes through host.files.writeInside', async () => {
    const writes: string[] = [];
    const local = testHost().files;
    const host = hostWith({ writeInside: (realRoot, p, content, mode, options) => (writes.push(p), local.writeInside(realRoot, p, content, mode, options)) });
    const change = { kind: 'file', address: 'file.a', action: 'create' as const, reasons: [], diffs: [], dependsOn: [], hazards: [], after: attributes };
    expect(await fileProvider.apply([change], ctx(host))).toEqual([{ status: 'done', attributes }]);
    expect(writes).toEqual([path.join(root, 'a.env')]);
    expect(readFileSync(path.join(root, 'a.env'), 'utf8')).toBe('X=1\n');
  });
});

describe('sqlite provider', () => {
  const rel = 'data/dev.db';
  const attributes = () => {
    mkdirSync(path.join(root, 'migrations'), { recursive: true });
    writeFileSync(path.join(root, 'migrations', '001.sql'), 'CREATE TABLE t (x);');
    const sha256 = sha256Hex(readFileSync(path.join(root, 'migrations', '001.sql')));
    return { path: rel, migrations: [{ name: '001.sql', file: 'migrations/001.sql', sha256 }], preventDestroy: false };
  };
  const makeDatabase = () => {
    mkdirSync(path.join(root, 'data'));
    const db = new Database(path.join(root, rel));
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    db.close();
  };

  test('databases are opened through host.openSqlite, and one the host says is missing is not opened at all', async () => {
    makeDatabase();
    const opened: string[] = [];
    const local = testHost();
    const recording = hostWith({}, {}, { openSqlite: (file, options) => (opened.push(String(file)), local.openSqlite(file, options)) });
    const seen = await sqliteProvider.observe(request('sqlite_database', 'sqlite_database.dev', attributes()), ctx(recording));
    expect(seen.observed[0]!.attributes).toMatchObject({ state: 'ok', rows: 1 });
    expect(opened).toContain(path.join(root, rel));

    opened.length = 0;
    const blind = hostWith({ exists: () => false }, {}, { openSqlite: recording.openSqlite });
    const gone = await sqliteProvider.observe(request('sqlite_database', 'sqlite_database.dev', attributes()), ctx(blind));
    expect(gone.observed).toEqual([]);
    expect(opened).not.toContain(path.join(root, rel));
  });

  test('a create builds in memory through host.openSqlite and writes the image through host.files.writeInside', async () => {
    const opened: string[] = [];
    const writes: string[] = [];
    const local = testHost();
    const host = hostWith(
      { writeInside: (realRoot, p, content, mode, options) => (writes.push(p), local.files.writeInside(realRoot, p, content, mode, options)) },
      {},
      { openSqlite: (file, options) => (opened.push(String(file)), local.openSqlite(file, options)) },
    );
    const after = attributes();
    const change = { kind: 'sqlite_database', address: 'sqlite_database.dev', action: 'create' as const, reasons: [], diffs: [], dependsOn: [], hazards: [], after };
    expect(await sqliteProvider.apply([change], ctx(host))).toMatchObject([{ status: 'done' }]);
    expect(opened).toEqual([':memory:']);
    expect(writes).toEqual([path.join(root, rel)]);
  });

  test('health: the integrity check opens through host.openSqlite, and git markers are looked for through host.files', async () => {
    makeDatabase();
    writeFileSync(path.join(root, '.git'), 'gitdir: ./gitdir\n');
    mkdirSync(path.join(root, 'gitdir'));
    const opened: string[] = [];
    const local = testHost();
    const host = hostWith(
      { exists: (p) => p === path.join(root, 'gitdir', 'MERGE_HEAD') || local.files.exists(p) },
      {},
      { openSqlite: (file, options) => (opened.push(String(file)), local.openSqlite(file, options)) },
    );
    const report = { environments: [{ name: 'dev1', directory: true, stages: [{ name: 'dev', database: { exists: true, path: rel } }] }] } as unknown as StatusReport;
    const model = { root, environments: [{ name: 'dev1', path: '.' }] } as unknown as Pick<Model, 'root' | 'environments'>;
    const probes = probeHealth(host, model, report);
    expect(probes.quickCheck.get('dev1.dev')).toEqual({ ok: true });
    expect(opened).toEqual([path.join(root, rel)]);
    expect(probes.gitOperations.get('dev1')).toEqual(['merge']);
  });
});

describe('port provider', () => {
  test('listening sockets and their holders are the host processes\' answer', async () => {
    const processes: Partial<HostProcesses> = {
      listeningPorts: async () => [{ port: 4999, address: '127.0.0.1', family: 4, inode: 77 }],
      socketHolders: (inodes) => new Map([...inodes].map((i) => [i, { pid: 4242, command: 'elsewhere' }])),
    };
    const attributes = { port: 4999, env: 'dev1', stage: 'qa' };
    const seen = await portProvider.observe(request('port', 'port.dev1.qa', attributes), ctx(hostWith({}, processes)));
    expect(seen.observed[0]!.attributes).toEqual({ ...attributes, listening: true, holder: { pid: 4242, command: 'elsewhere' } });
  });
});
