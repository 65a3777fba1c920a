/** `gaia __complete KIND`: the values only the project knows, one a line, for the completion scripts.
 *  Read from the manifest (without its secrets) and the state store (read-only); it prints nothing,
 *  and fails never, where there is no project or it cannot be read: a tab press is no place for errors. */
import { existsSync } from 'node:fs';
import { loadManifest } from '../../manifest/load.js';
import { PLACEHOLDER_ENVIRON } from '../../ops/reconcile-manifest.js';
import { recordedAddresses } from '../../state/sqlite-store.js';
import { locateManifest } from '../find-project.js';
import type { ValueKind } from './spec.js';

export function projectValues(kind: ValueKind, file: string, named: boolean): string[] {
  let manifest: string;
  try {
    manifest = locateManifest(file, named).file;
  } catch {
    return [];
  }
  if (!existsSync(manifest)) return [];
  const loaded = loadManifest(manifest, { environ: PLACEHOLDER_ENVIRON });
  if (!loaded.ok) return [];
  const { model } = loaded;
  // A shared store (PostgreSQL) is not read on a tab press: no connection for a completion.
  const state = model.state;
  const owned = () => (state.kind === 'sqlite' && existsSync(state.path) ? recordedAddresses(state.path) : []);
  switch (kind) {
    case 'addresses':
      return unique([...model.resources.map((r) => r.address), ...owned()]);
    case 'owned':
      return unique(owned());
    case 'sessions':
      // What `gaia send` takes: a group (all its sessions) or one session.
      return unique([...model.groups.map((g) => g.name), ...model.groups.flatMap((g) => g.sessions.map((s) => s.name))]);
    case 'session-names':
      // What `gaia attach` takes: one session.
      return unique(model.groups.flatMap((g) => g.sessions.map((s) => s.name)));
    case 'groups':
      return unique(model.groups.map((g) => g.name));
    case 'environments':
      return unique(model.environments.map((e) => e.name));
  }
}

const unique = (values: readonly string[]): string[] => [...new Set(values)].sort();
