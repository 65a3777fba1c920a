/** Two small key→value tables: an agent session's conversation id (to resume it after a
 *  replace), and settings that need no table of their own. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function agentId(db: Kysely<Database>, address: string): Promise<string | undefined> {
  const row = await db.selectFrom('agent_ids').select('conversation_id').where('address', '=', address).executeTakeFirst();
  return row?.conversation_id;
}

export async function setAgentId(db: Kysely<Database>, address: string, conversationId: string, at: string): Promise<void> {
  await db
    .insertInto('agent_ids')
    .values({ address, conversation_id: conversationId, created_at: at })
    .onConflict((oc) => oc.column('address').doUpdateSet({ conversation_id: conversationId, created_at: at }))
    .execute();
}

export async function getValue(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function setValue(db: Kysely<Database>, key: string, value: string): Promise<void> {
  await db
    .insertInto('kv')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
