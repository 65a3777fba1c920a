/** Ownership, apply history and the lock. */
import { sql, type Kysely, type Migration } from 'kysely';
import type { DdlProfile } from './profile.js';

// Migrations are frozen in time: they take `Kysely<any>`, not today's schema type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function initial(ddl: DdlProfile): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('resources')
        .addColumn('address', 'text', (c) => ddl.binaryText(c).primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('spec_hash', 'text', (c) => c.notNull())
        .addColumn('depends_on', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('applies')
        .addColumn('id', 'integer', ddl.autoId)
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('command', 'text', (c) => c.notNull())
        .addColumn('manifest_hash', 'text', (c) => c.notNull())
        .addColumn('summary', 'text')
        .execute();
      await db.schema
        .createTable('apply_steps')
        .addColumn('id', 'integer', ddl.autoId)
        .addColumn('apply_id', 'integer', (c) => c.notNull().references('applies.id').onDelete('cascade'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('argv', 'text')
        .addColumn('stderr', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('apply_steps_apply_id').on('apply_steps').column('apply_id').execute();
      await db.schema
        .createTable('lock')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('since', 'text', (c) => c.notNull())
        .addColumn('command', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: AnyDb) {
      for (const table of ['lock', 'apply_steps', 'applies', 'resources']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
