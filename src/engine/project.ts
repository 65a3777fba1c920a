/** Opening a project: the manifest, its state store and the context providers run in. */
import { dirname, join } from 'node:path';
import { loadManifest, type LoadResult } from '../manifest/load.js';
import type { Model } from '../manifest/model.js';
import type { ManifestError } from '../manifest/types.js';
import { localExecutor, type Executor } from '../providers/exec.js';
import type { ObserveContext } from '../providers/provider.js';
import { openSqliteStore, type SqliteStateStore } from '../state/sqlite-store.js';

export interface Project {
  readonly model: Model;
  readonly store: SqliteStateStore;
  readonly ctx: ObserveContext;
  readonly backupDir: string;
  close(): Promise<void>;
}

export type OpenResult = { readonly ok: true; readonly project: Project } | { readonly ok: false; readonly errors: readonly ManifestError[] };

/** The tmux socket tests, CI and demos use so they never touch the user's default server. */
export function tmuxSocketFor(model: Model, environ: NodeJS.ProcessEnv = process.env): string | undefined {
  return environ.GAIA_TMUX_SOCKET || model.tmuxSocket;
}

export async function openProject(file: string, exec: Executor = localExecutor()): Promise<OpenResult> {
  const first = loadManifest(file);
  if (!first.ok) return first;
  const store = await openSqliteStore(first.model.statePath);
  // Ports allocated from ranges stay where earlier applies put them.
  const previousPorts = portsOf(await store.recordedOfKind('port'));
  const loaded: LoadResult = keepsPorts(portsOf(first.model.resources), previousPorts) ? first : loadManifest(file, { previousPorts });
  if (!loaded.ok) {
    await store.close();
    return loaded;
  }
  const model = loaded.model;
  const socket = tmuxSocketFor(model);
  return {
    ok: true,
    project: {
      model,
      store,
      ctx: {
        root: model.root, exec, ...(socket ? { tmuxSocket: socket } : {}),
        conversations: { get: (address) => store.agentId(address), set: (address, id) => store.setAgentId(address, id) },
        cacheDir: join(dirname(model.statePath), 'cache'),
      },
      backupDir: join(model.root, '.gaia', 'backups'),
      close: () => store.close(),
    },
  };
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
