/** Opens the state store where the manifest (or GAIA_STATE_URL) puts it. The PostgreSQL module, and
 *  `pg` with it, is loaded only for a postgres:// store: SQLite projects start as fast as before. */
import type { StateLocation } from './location.js';
import { openSqliteStore } from './sqlite-store.js';
import type { StateStore } from './store.js';

export async function openStore(location: StateLocation, options: { readonly root: string }): Promise<StateStore> {
  if (location.kind === 'sqlite') return openSqliteStore(location.path, { root: options.root });
  const { openPostgresStore } = await import('./postgres-store.js');
  return openPostgresStore(location.url);
}
