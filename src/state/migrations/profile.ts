/** The few DDL details that differ between databases. Migrations take a profile instead of
 *  asking which dialect they run on, so a PostgreSQL backend adds a profile, not migrations. */
import { sql, type ColumnDefinitionBuilder } from 'kysely';

export interface DdlProfile {
  /** An integer primary key the database numbers itself. */
  readonly autoId: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /** A text key that sorts byte by byte (lists ordered by address come out the same everywhere). */
  readonly binaryText: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

export const sqliteDdl: DdlProfile = {
  // AUTOINCREMENT: ids are never reused after history is pruned.
  autoId: (col) => col.primaryKey().autoIncrement(),
  binaryText: (col) => col, // SQLite compares text as bytes (BINARY) already
};

/** kysely's PostgresDialect: identity columns, and the "C" collation where the database's default
 *  (often en_US.UTF-8, which ignores punctuation at first) would order addresses unlike SQLite. */
export const postgresDdl: DdlProfile = {
  autoId: (col) => col.primaryKey().generatedByDefaultAsIdentity(),
  binaryText: (col) => col.modifyFront(sql`COLLATE "C"`),
};
