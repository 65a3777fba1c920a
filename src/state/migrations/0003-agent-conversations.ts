/** Agent conversations keyed by address and provider: an identifier is forgotten when its session's
 *  provider changes, may be unknown for a while (codex picks its own, learned later from its files),
 *  and belongs to one address only (two processes on one conversation corrupt it). Replaces
 *  `agent_ids`, whose rows are kept with an unknown provider. */
import { sql, type Kysely, type Migration } from 'kysely';
import type { DdlProfile } from './profile.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function agentConversations(ddl: DdlProfile): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('agent_conversations')
        .addColumn('address', 'text', (c) => ddl.binaryText(c).primaryKey())
        .addColumn('provider', 'text')
        .addColumn('conversation_id', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('agent_conversations_id').unique().on('agent_conversations').column('conversation_id').execute();
      // One address per identifier: where the old table held one twice, the newest keeps it.
      await sql`INSERT INTO agent_conversations (address, provider, conversation_id, started_at, updated_at)
        SELECT address, NULL, conversation_id, created_at, created_at FROM agent_ids a
        WHERE NOT EXISTS (SELECT 1 FROM agent_ids b WHERE b.conversation_id = a.conversation_id
          AND (b.created_at > a.created_at OR (b.created_at = a.created_at AND b.address > a.address)))`.execute(db);
      await db.schema.dropTable('agent_ids').execute();
    },
    async down(db: AnyDb) {
      await db.schema
        .createTable('agent_ids')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await sql`INSERT INTO agent_ids (address, conversation_id, created_at)
        SELECT address, conversation_id, updated_at FROM agent_conversations WHERE conversation_id IS NOT NULL`.execute(db);
      await db.schema.dropTable('agent_conversations').execute();
    },
  };
}
