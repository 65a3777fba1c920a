/** Bring a state database to the latest schema with kysely's Migrator. Opening the store is on
 *  every command's path, so an up-to-date database costs one small read, not the Migrator's
 *  introspection and lock dance. */
import { Migrator, type Kysely } from 'kysely';
import { migrationNames, migrationProvider, type DdlProfile } from './migrations/index.js';
import type { Database } from './schema.js';

export type MigrateOutcome =
  | { readonly kind: 'current' }
  | { readonly kind: 'migrated'; readonly applied: readonly string[] }
  | { readonly kind: 'failed'; readonly migration?: string; readonly error: unknown };

type MigrationTable = {
  readonly kysely_migration: { readonly name: string; readonly timestamp: string };
};

export async function migrateToLatest(db: Kysely<Database>, ddl: DdlProfile): Promise<MigrateOutcome> {
  if (await isCurrent(db)) return { kind: 'current' };
  const { error, results = [] } = await new Migrator({ db, provider: migrationProvider(ddl) }).migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error');
    return { kind: 'failed', error, ...(failed ? { migration: failed.migrationName } : {}) };
  }
  return { kind: 'migrated', applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Exactly the known migrations have run. Anything else (none yet, some pending, or names this
 *  version does not know) goes to the Migrator, which applies or reports it. */
async function isCurrent(db: Kysely<Database>): Promise<boolean> {
  try {
    const rows = await db.withTables<MigrationTable>().selectFrom('kysely_migration').select('name').execute();
    const executed = new Set(rows.map((r) => r.name));
    return executed.size === migrationNames.length && migrationNames.every((name) => executed.has(name));
  } catch {
    return false; // no migration table yet: a new database
  }
}
