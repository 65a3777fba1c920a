/** The few DDL details that differ between databases. Migrations take a profile instead of
 *  asking which dialect they run on, so a PostgreSQL backend adds a profile, not migrations. */
import type { ColumnDefinitionBuilder } from 'kysely';

export interface DdlProfile {
  /** An integer primary key the database numbers itself. */
  readonly autoId: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

export const sqliteDdl: DdlProfile = {
  // AUTOINCREMENT: ids are never reused after history is pruned.
  autoId: (col) => col.primaryKey().autoIncrement(),
};

/** For the PostgreSQL backend to come (kysely's PostgresDialect; `lock` becomes an advisory lock or stays a row). */
export const postgresDdl: DdlProfile = {
  autoId: (col) => col.primaryKey().generatedByDefaultAsIdentity(),
};
