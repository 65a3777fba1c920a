/** Opening a project: the manifest, its state store and the context providers run in. */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest, type LoadResult } from '../manifest/load.js';
import type { Model } from '../manifest/model.js';
import type { ManifestError } from '../manifest/types.js';
import type { Host } from '../host/host.js';
import { localHost } from '../host/local/local-host.js';
import type { ConversationRecords, ObserveContext } from '../providers/provider.js';
import { digestKeyPath, readOrCreateKey } from '../state/digest-key.js';
import { keyedDigests } from '../core/digest.js';
import { sshExecutor } from '../host/ssh/ssh-executor.js';
import { workerClient } from '../host/ssh/worker-client.js';
import { remoteSide, type HostSide } from './hosts.js';
import { expandHome } from './worker.js';
import { stateCacheDir, stateName } from '../state/location.js';
import { openStore } from '../state/open.js';
import { StateUnavailable, storeIsSound } from '../state/sqlite-store.js';
import type { StateStore } from '../state/store.js';
import { resolveBases } from './resolve-base.js';

export interface Project {
  readonly model: Model;
  readonly store: StateStore;
  /** This machine's context (the local side). */
  readonly ctx: ObserveContext;
  /** Each host of the manifest's `hosts:` by name (hosts.ts); this machine's resources go through `ctx`. */
  readonly sides: ReadonlyMap<string, HostSide>;
  readonly backupDir: string;
  close(): Promise<void>;
}

export type OpenResult = { readonly ok: true; readonly project: Project } | { readonly ok: false; readonly errors: readonly ManifestError[] };

/** The tmux socket tests, CI and demos use so they never touch the user's default server. */
export function tmuxSocketFor(model: Model, environ: NodeJS.ProcessEnv = process.env): string | undefined {
  return environ.GAIA_TMUX_SOCKET || model.tmuxSocket;
}

/** A store that cannot be written while it is opened (its migrations, its claim: a full disk, a
 *  read-only folder) is named, with what to do; any other error passes unchanged. */
function unwritable(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/.test(code)) return error;
  return new StateUnavailable(path, `it cannot be written: ${(error as Error).message} (${code})`,
    'free space or make its folder writable, then run the command again: what was recorded is kept');
}

export async function openProject(file: string, host: Host = localHost()): Promise<OpenResult> {
  const first = loadManifest(file);
  if (!first.ok) return first;
  const digestKey = readOrCreateKey(first.model.root, digestKeyPath(first.model.root));
  const digests = keyedDigests(digestKey);
  const statePath = stateName(first.model.state);
  const store = await openStore(first.model.state, { root: first.model.root }).catch((error: unknown) => {
    throw unwritable(statePath, error);
  });
  let project: string;
  try {
    project = identity(first.model, await claimStore(store, first.model));
  } catch (error) {
    await store.close();
    throw unwritable(statePath, error);
  }
  // Ports allocated from ranges stay where earlier applies put them.
  const previousPorts = portsOf(await store.recordedOfKind('port'));
  const loaded: LoadResult = keepsPorts(portsOf(first.model.resources), previousPorts) ? first : loadManifest(file, { previousPorts });
  if (!loaded.ok) {
    await store.close();
    return loaded;
  }
  let model: Model;
  try {
    model = await resolveBases(loaded.model, host);
  } catch (error) {
    await store.close();
    throw error;
  }
  const socket = tmuxSocketFor(model);
  const conversations = conversationsIn(store);
  const ctx: ObserveContext = {
    root: model.root, host, project, digests,
    settings: {
      tmux: { ...(socket ? { socket } : {}), conversations },
      sqlite: { cacheDir: stateCacheDir(model.state, model.root) },
    },
  };
  const sides = projectSides(model, ctx, { project, digestKey, conversations });
  return {
    ok: true,
    project: {
      model,
      store,
      ctx,
      sides,
      backupDir: join(model.root, '.gaia', 'backups'),
      close: async () => {
        await Promise.all([...sides.values()].map((side) => side.close()));
        await store.close();
      },
    },
  };
}

/** A side per host of the manifest, each reached over ssh (connected on first use). */
function projectSides(model: Model, ctx: ObserveContext, shared: { project: string; digestKey: Buffer; conversations: ConversationRecords }): ReadonlyMap<string, HostSide> {
  const sides = new Map<string, HostSide>();
  const config = model.sshConfig === undefined ? undefined : expandHome(model.sshConfig);
  for (const h of model.hosts) {
    const ssh = sshExecutor(h.target, { ...(config !== undefined ? { config } : {}), ...(h.channels !== undefined ? { maxChannels: h.channels } : {}) });
    const reach = `${h.target.user !== undefined ? `${h.target.user}@` : ''}${h.target.host}${h.target.port !== undefined ? `:${h.target.port}` : ''}`;
    sides.set(h.name, remoteSide({
      name: h.name, reach, root: h.root, readSource: (rel) => ctx.host.files.readText(join(model.root, rel)), ...(h.tmuxSocket !== undefined ? { tmuxSocket: h.tmuxSocket } : {}),
      project: shared.project, digestKey: shared.digestKey, conversations: shared.conversations, client: workerClient(h.name, ssh), terminalArgv: (argv) => ssh.terminalArgv(argv),
    }));
  }
  return sides;
}

/** A context whose agent conversations are kept in `store` (a round that holds another store than the one it opened with). */
export function contextOnStore(ctx: ObserveContext, store: StateStore): ObserveContext {
  return { ...ctx, settings: { ...ctx.settings, tmux: { ...ctx.settings.tmux, conversations: conversationsIn(store) } } };
}

/** The agent conversations a provider reads and records, kept in this store. */
export function conversationsIn(store: Project['store']): ConversationRecords {
  return {
    all: () => store.agentConversations(),
    started: (record) => store.conversationStarted(record),
    confirm: (address, provider, id) => store.conversationConfirmed(address, provider, id),
    forget: (address) => store.forgetConversation(address),
  };
}

const PROJECT_KEY = 'project';

/** For `gaia state rebuild`: a store that cannot be opened as sound (empty, damaged) is renamed to
 *  `<file>.damaged-<time>` (its -wal and -shm with it), so a fresh one can be rebuilt; returns where. */
export function setAsideDamagedStore(file: string): string | undefined {
  const loaded = loadManifest(file);
  if (!loaded.ok) return undefined; // reported by opening the project
  const { state } = loaded.model;
  if (state.kind !== 'sqlite') return undefined; // a server's database is never a file to move aside
  const path = state.path;
  if (!existsSync(path) || storeIsSound(path)) return undefined;
  const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  return aside;
}

/** The project's identity, carried by the marks on what gaia makes (`name@folder`): this clone's
 *  folder, or with a shared store (PostgreSQL) the folder of the clone that claimed it, so that every
 *  clone sharing it owns what any of them made — on a host too — and a store's clones are one project. */
function identity(model: Model, claimedRoot: string): string {
  return `${model.manifest.project}@${model.state.kind === 'postgres' ? claimedRoot : model.root}`;
}

/** A state store belongs to one project (the manifest's `project` name): the first to open it claims
 *  it, and any other project's manifest pointed at it is refused while the store owns anything. Sharing one silently made an apply
 *  of a second manifest in the same folder destroy the first project's resources as "removed".
 *  The claim compares the name only, never the folder: clones of one project in other folders (or on
 *  other machines) share one PostgreSQL store; the root recorded is the first claimant's, which names
 *  the project for all of them (identity()). Returns that root. */
async function claimStore(store: StateStore, model: Model): Promise<string> {
  const name = model.manifest.project;
  const claim = async () => {
    await store.setValue(PROJECT_KEY, JSON.stringify({ name, root: model.root, manifest: model.file }));
    return model.root;
  };
  const raw = await store.getValue(PROJECT_KEY);
  if (raw === undefined) return claim();
  let owner: { name?: unknown; root?: unknown; manifest?: unknown };
  try {
    owner = JSON.parse(raw) as typeof owner;
  } catch {
    owner = {};
  }
  if (owner.name === name) return typeof owner.root === 'string' ? owner.root : model.root;
  // A store that owns nothing (nothing applied yet, or all destroyed) is free to be claimed again.
  if ((await store.recorded()).length === 0) return claim();
  throw new StateUnavailable(
    stateName(model.state),
    `it belongs to project "${String(owner.name)}"${typeof owner.manifest === 'string' ? ` (${owner.manifest})` : ''}, and ${model.file} is project "${name}"`,
    `give ${model.file} a state of its own (${model.state.kind === 'postgres' ? 'a database of its own in settings.state or GAIA_STATE_URL' : `settings: { state: .gaia/${name}.db }`}), or use the manifest of project "${String(owner.name)}" (if you renamed the project, put its old name back)`,
  );
}

/** Whether loading again with the previous ports would change nothing, so the usual case (ports as
 *  last applied) parses and expands the manifest once, not twice. It would not: allocation pins each
 *  previous port that is in range and free, then gives every other request the lowest free port in
 *  request order; when the fresh allocation already equals the previous port wherever there is one,
 *  the pins are exactly the fresh values, and each other request finds the same lowest free port. */
function keepsPorts(fresh: Record<string, number>, previous: Record<string, number>): boolean {
  return Object.entries(fresh).every(([key, port]) => previous[key] === undefined || previous[key] === port);
}

function portsOf(recorded: readonly { kind: string; attributes: { readonly [k: string]: unknown } }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of recorded) {
    if (r.kind !== 'port') continue;
    const { env, stage, port } = r.attributes;
    if (typeof env === 'string' && typeof stage === 'string' && typeof port === 'number') out[`${env}.${stage}`] = port;
  }
  return out;
}
