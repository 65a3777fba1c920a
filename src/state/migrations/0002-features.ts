/** Tables that later features need (task routing, GitOps reconcile, agent conversations, small
 *  settings), added together so each feature does not bring its own migration. */
import type { Kysely, Migration } from 'kysely';
import type { DdlProfile } from './profile.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function features(ddl: DdlProfile): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'integer', ddl.autoId)
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('type', 'text')
        .addColumn('env', 'text')
        .addColumn('session', 'text')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('done_at', 'text')
        .addColumn('delivered', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('tasks_status').on('tasks').column('status').execute();
      await db.schema
        .createTable('reconciles')
        .addColumn('id', 'integer', ddl.autoId)
        .addColumn('revision', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('summary', 'text')
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .execute();
      await db.schema
        .createTable('agent_ids')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('kv')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: AnyDb) {
      for (const table of ['kv', 'agent_ids', 'reconciles', 'tasks']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
