/** Every provider gaia knows. Adding a resource kind is one folder and one line here. */
import type { KindSpecs } from '../core/kind.js';
import type { Provider } from './provider.js';
import { fileProvider } from './file/index.js';
import { gitProvider } from './git/index.js';
import { portProvider } from './port/index.js';
import { sqliteProvider } from './sqlite/index.js';
import { tmuxProvider } from './tmux/index.js';

/** Observation starts in this order: the providers that wait on a process (git, tmux) first, so their
 *  commands run while the in-process ones (SQLite, files, ports) read on this thread. */
export const providers: readonly Provider[] = [gitProvider, tmuxProvider, sqliteProvider, portProvider, fileProvider];

export const kindSpecs: KindSpecs = Object.assign({}, ...providers.map((p) => p.kinds));

const byKind = new Map(providers.flatMap((p) => Object.keys(p.kinds).map((k) => [k, p] as const)));

export function providerFor(kind: string): Provider {
  const p = byKind.get(kind);
  if (!p) throw new Error(`no provider handles kind ${kind}`);
  return p;
}
