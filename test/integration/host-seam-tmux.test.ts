/** The tmux provider and the agents reach the machine only through their Host (issue 21, step 1):
 *  given a Host built from localHost() with one operation replaced, what they see and do follows
 *  the stand-in. Real tmux on a private socket; the stand-ins are the point of these tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLatestEvent } from '../../src/agents/event-files.js';
import { runHooks, type HookCall } from '../../src/agents/hooks.js';
import type { Change } from '../../src/core/plan.js';
import { resource, type Attributes, type Observed } from '../../src/core/resource.js';
import type { Executor } from '../../src/host/exec.js';
import type { Host, HostFiles, HostProcesses, ProcessId, ProcessInfo } from '../../src/host/host.js';
import { localFiles, localHost, localProcesses } from '../../src/host/local/local-host.js';
import type { ApplyContext } from '../../src/providers/provider.js';
import { hostReader, storedConversation, type SessionPlace } from '../../src/providers/tmux/conversation-store.js';
import { sessionSpecHash, tmuxProvider } from '../../src/providers/tmux/index.js';
import { listSessions } from '../../src/providers/tmux/list.js';
import { testDigests } from '../helpers/digests.js';
import { testSettings } from '../helpers/context.js';
import { until } from '../helpers/poll.js';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';

let tmux: PrivateTmux;
let root: string;

beforeEach(() => {
  tmux = privateTmux();
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-seam-tmux-')));
});

afterEach(async () => {
  await tmux.kill();
  fs.rmSync(root, { recursive: true, force: true });
});

/** This machine, but with some of its file or process operations replaced. */
function hostWith(over: { files?: Partial<HostFiles>; processes?: Partial<HostProcesses>; exec?: Executor } = {}): Host {
  const local = localHost(over.exec);
  return { ...local, files: { ...localFiles, ...over.files }, processes: { ...localProcesses, ...over.processes } };
}

function ctxOn(host: Host): ApplyContext {
  return { root, digests: testDigests, settings: testSettings({ socket: tmux.socket }), project: `seam@${root}`, host, allowDataLoss: false, force: false, backupDir: path.join(root, '.backups'), log: () => {} };
}

function change(action: Change['action'], name: string, command: string, before?: Observed): Change {
  const after = action === 'delete' ? undefined : resource('tmux_session', name, { name, command, cwd: '.', env: {}, group: 'g', provider: null, agent: false } as Attributes).attributes;
  return {
    kind: 'tmux_session', address: `tmux_session.${name}`, action, reasons: [], diffs: [], dependsOn: [], hazards: [],
    ...(before ? { before: before.attributes } : {}),
    ...(after ? { after, specHash: sessionSpecHash(after) } : {}),
  };
}

async function observed(ctx: ApplyContext, name: string): Promise<Observed> {
  const desired = resource('tmux_session', name, { name, command: 'x', cwd: '.', env: {}, group: 'g', provider: null, agent: false } as Attributes);
  const o = (await tmuxProvider.observe({ desired: [desired], recorded: [] }, ctx)).observed.find((x) => x.address === desired.address);
  if (!o) throw new Error(`${name} not observed`);
  return o;
}

test('apply checks a session\'s folder through host.files: a folder the host says is missing fails the create, and nothing starts', async () => {
  const host = hostWith({ files: { stat: (p, o) => (p === root ? undefined : localFiles.stat(p, o)) } });
  const [outcome] = await tmuxProvider.apply([change('create', 'w1', 'sleep 300')], ctxOn(host));
  expect(outcome).toEqual({ status: 'failed', error: `working directory ${root} does not exist` });
  expect((await tmux.run(['has-session', '-t', '=w1'])).failed).toBe(true);
});

test('teardown scans and signals through host.processes: what outlived the session gets SIGTERM there', async () => {
  const ctx = ctxOn(localHost());
  // A daemon in a session of its own never hears the hang-up: teardown must signal it.
  expect(await tmuxProvider.apply([change('create', 'w1', '( setsid sleep 601 & ) ; exec sleep 600')], ctx)).toEqual([{ status: 'done' }]);
  const before = await observed(ctx, 'w1');
  const scans: number[] = [];
  const signals: [ProcessId, NodeJS.Signals][] = [];
  const host = hostWith({
    processes: {
      scan: (withEnv) => {
        const table = localProcesses.scan(withEnv);
        scans.push(table.length);
        return table;
      },
      signal: (p, s) => (signals.push([p, s]), localProcesses.signal(p, s)),
    },
  });
  // The daemon may take a moment to be forked off the pane's shell.
  let daemon: ProcessInfo | undefined;
  expect(await until(() => (daemon = localProcesses.scan(true).find((p) => p.comm === 'sleep' && p.env?.get('GAIA_ADDRESS') === 'tmux_session.w1' && p.sid !== before.attributes.panePid)) !== undefined)).toBe(true);
  const [outcome] = await tmuxProvider.apply([change('delete', 'w1', '', before)], ctxOn(host));
  expect(outcome).toEqual({ status: 'done', notes: ['ended 2 processes (1 outlived the session: 1 ended on SIGTERM)'] });
  expect(scans.length).toBe(2);
  expect(signals.map(([p, s]) => [p.pid, s])).toEqual([[daemon!.pid, 'SIGTERM']]);
  expect(localProcesses.isRunning(daemon!)).toBe(false);
});

test('teardown sees only the processes the host shows: none shown, none ended', async () => {
  const ctx = ctxOn(localHost());
  await tmuxProvider.apply([change('create', 'w1', 'sleep 300')], ctx);
  const before = await observed(ctx, 'w1');
  const host = hostWith({ processes: { scan: () => [] } });
  // Without the pane's process in the scan, no note says one was ended (the kill itself still happens).
  expect(await tmuxProvider.apply([change('delete', 'w1', '', before)], ctxOn(host))).toEqual([{ status: 'done' }]);
});

test('the SIGCHLD nudge to an unreaped tmux server goes through host.processes.signalPid', async () => {
  const F = '\x1f';
  const line = (status: string) => `${['w1', '', '', '', '100', '/p', '55', '1', status, 'node', '', '', 'on', 'node', '', '4242'].join(F)}\x1e\n`;
  const outputs = [line(''), line('0')];
  const exec: Executor = { spawned: 0, run: async (argv) => ({ argv, exitCode: 0, stdout: outputs.shift() ?? line(''), stderr: '', failed: false }) };
  const nudged: [number, string][] = [];
  const host = hostWith({ exec, processes: { signalPid: (pid, s) => (nudged.push([pid, s]), true) } });
  const listed = await listSessions({ host, socket: tmux.socket });
  expect(nudged).toEqual([[4242, 'SIGCHLD']]);
  expect(listed.ok && listed.rows.get('w1')!.paneDeadStatus).toBe(0);
});

test('agent event logs and the CLIs\' conversation stores are read through host.files', () => {
  const log = path.join(root, 'events.jsonl');
  const event = { source: 'claude', kind: 'Stop', at: 1_700_000_000_000, sessionId: 's-1' };
  const files: HostFiles = { ...localFiles, readPart: (p, n, from) => (p === log ? Buffer.from(`${JSON.stringify(event)}\n`) : localFiles.readPart(p, n, from)) };
  // The log exists only as the host tells it.
  expect(fs.existsSync(log)).toBe(false);
  expect(readLatestEvent(files, log)).toEqual(event);

  const place: SessionPlace = { env: { HOME: path.join(root, 'home') }, cwd: root };
  const id = '0b7e1a52-5d7e-4c39-9d4e-2f0f4b8f8f3a';
  const file = path.join(root, 'home', '.claude', 'projects', root.replace(/[^a-zA-Z0-9]/g, '-'), `${id}.jsonl`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '{"type":"user"}\n');
  expect(storedConversation(hostReader(localFiles), 'claude', id, place)).toEqual({ kind: 'resumable' });
  const hiding = hostReader({ ...localFiles, readPart: (p, n, from) => (p === file ? undefined : localFiles.readPart(p, n, from)) });
  expect(storedConversation(hiding, 'claude', id, place)).toEqual({ kind: 'absent' });
});

test('a hook runs in its folder only when host.files says the folder is there', async () => {
  fs.mkdirSync(path.join(root, 'sub'));
  const call: HookCall = { hooks: [{ command: 'pwd', timeoutMs: 5000 }], cwd: 'sub', env: {} };
  const c = change('create', 'w1', 'sleep 1');
  const where = async (host: Host) => (await runHooks(c, 'after_create', call, { host, root }, () => new Date()))[0]!.step.stderr;
  expect(await where(localHost())).toBe(path.join(root, 'sub'));
  expect(await where(hostWith({ files: { stat: (p, o) => (p === path.join(root, 'sub') ? undefined : localFiles.stat(p, o)) } }))).toBe(root);
});

test('a batch that makes a session starts tmux behind the host\'s outsideLogin prefix; one that only deletes does not', async () => {
  // A stand-in for `systemd-run --user --scope … --`: it notes its arguments, then runs what follows `--`.
  const seen = path.join(root, 'systemd-run.log');
  const fake = path.join(root, 'systemd-run');
  fs.writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${seen}'\nwhile [ "$1" != "--" ]; do shift; done; shift\nexec "$@"\n`, { mode: 0o755 });
  const host = hostWith({ processes: { outsideLogin: () => [fake, '--user', '--scope', '--quiet', '--collect', '--'] } });
  const ctx = ctxOn(host);
  expect(await tmuxProvider.apply([change('create', 'w1', 'sleep 300'), change('create', 'w2', 'sleep 300')], ctx)).toEqual([{ status: 'done' }, { status: 'done' }]);
  expect((await tmux.run(['has-session', '-t', '=w2'])).failed).toBe(false);
  const calls = fs.readFileSync(seen, 'utf8').trim().split('\n');
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatch(new RegExp(`^--user --scope --quiet --collect -- tmux -L ${tmux.socket} .*new-session`));
  expect(await tmuxProvider.apply([change('delete', 'w1', 'sleep 300', await observed(ctx, 'w1'))], ctx)).toMatchObject([{ status: 'done' }]);
  expect(fs.readFileSync(seen, 'utf8').trim().split('\n')).toHaveLength(1);
  expect((await tmux.run(['has-session', '-t', '=w1'])).failed).toBe(true);
});
