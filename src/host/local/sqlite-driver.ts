/** Every SQLite file gaia opens (stage databases, backups, the state store) is opened here.
 *
 *  Why not `new Database(file)` everywhere: left to itself better-sqlite3 finds its native addon
 *  through the `bindings` package, which walks the call stack and probes a dozen folders (~3 ms on
 *  each command's first open). Its JavaScript is bundled into the CLI (scripts/bundle.mjs), so
 *  `bindings` could not find the package from there anyway; the addon is named directly instead,
 *  from where Node resolves the package. */
import { createRequire } from 'node:module';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export type SqliteDatabase = BetterSqlite3.Database;
export type SqliteOpenOptions = BetterSqlite3.Options;

let addon: string | undefined;

/** better-sqlite3's compiled addon (build/Release/, where its install puts it); beside the bundle when gaia
 *  runs as a worker on another host (src/host/ssh/worker-client.ts names it). */
export function nativeAddon(): string {
  addon ??= (globalThis as { __gaiaSqliteAddon?: string }).__gaiaSqliteAddon ?? path.join(path.dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
  return addon;
}

/** `file` a path, or a database image (a Buffer) opened in memory. */
export function openDatabase(file: string | Buffer, options: SqliteOpenOptions = {}): SqliteDatabase {
  return new BetterSqlite3(file, { nativeBinding: nativeAddon(), ...options });
}
