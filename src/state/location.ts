/** Where a project's state store lives: a SQLite file in the project (the default) or a PostgreSQL
 *  database a team shares (`settings.state: postgres://…`, or GAIA_STATE_URL, which wins). Pure: the
 *  manifest loader decides it, and only the PostgreSQL store's module ever loads `pg`. */
import { dirname, join, resolve } from 'node:path';

export type StateLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export function isPostgresUrl(value: string): boolean {
  return POSTGRES_URL.test(value);
}

/** The manifest's `settings.state` (a path relative to the root, or a URL) under GAIA_STATE_URL. */
export function stateLocation(root: string, setting: string | undefined, environ: { readonly [name: string]: string | undefined }): StateLocation {
  const fromEnv = environ.GAIA_STATE_URL;
  if (fromEnv) return { kind: 'postgres', url: fromEnv }; // not a postgres:// URL: refused when opened, named
  if (setting !== undefined && isPostgresUrl(setting)) return { kind: 'postgres', url: setting };
  return { kind: 'sqlite', path: resolve(root, setting ?? '.gaia/state.db') };
}

/** The store as messages name it: a path, or the URL with its password masked. */
export function stateName(location: StateLocation): string {
  return location.kind === 'sqlite' ? location.path : maskUrl(location.url);
}

/** Folder for caches gaia keeps beside its state (SQLite schema caches): local even when the state is shared. */
export function stateCacheDir(location: StateLocation, root: string): string {
  return location.kind === 'sqlite' ? join(dirname(location.path), 'cache') : join(root, '.gaia', 'cache');
}

/** `postgres://user:***@host/db`: the password of the user part and a `password=` parameter are
 *  hidden. Textual, so a URL too malformed to parse is masked all the same. */
export function maskUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}
