/** Two small tables: agent sessions' conversations (to resume one after its session is started
 *  again), and settings that need no table of their own. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export interface AgentConversation {
  readonly address: string;
  readonly provider: string | null;
  readonly id?: string;
  readonly startedAt: string;
}

export async function agentConversations(db: Kysely<Database>): Promise<readonly AgentConversation[]> {
  const rows = await db.selectFrom('agent_conversations').selectAll().orderBy('address').execute();
  return rows.map((r) => ({ address: r.address, provider: r.provider, ...(r.conversation_id !== null ? { id: r.conversation_id } : {}), startedAt: r.started_at }));
}

/** An identifier belongs to one address: whoever held it before loses it (never two processes on one conversation). */
async function release(trx: Transaction<Database>, id: string, address: string): Promise<void> {
  await trx.updateTable('agent_conversations').set({ conversation_id: null }).where('conversation_id', '=', id).where('address', '!=', address).execute();
}

/** The session at `address` was started fresh: what was on record there is replaced. */
export async function conversationStarted(db: Kysely<Database>, row: AgentConversation, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (row.id !== undefined) await release(trx, row.id, row.address);
    const values = { provider: row.provider, conversation_id: row.id ?? null, started_at: row.startedAt, updated_at: at };
    await trx.insertInto('agent_conversations').values({ address: row.address, ...values })
      .onConflict((oc) => oc.column('address').doUpdateSet(values)).execute();
  });
}

/** The conversation the session at `address` really uses (learned from the CLI, or resumed): its start time stays. */
export async function conversationConfirmed(db: Kysely<Database>, address: string, provider: string, id: string, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await release(trx, id, address);
    const updated = await trx.updateTable('agent_conversations').set({ provider, conversation_id: id, updated_at: at }).where('address', '=', address).executeTakeFirst();
    if (updated.numUpdatedRows === 0n) {
      await trx.insertInto('agent_conversations').values({ address, provider, conversation_id: id, started_at: at, updated_at: at }).execute();
    }
  });
}

export async function forgetConversations(db: Kysely<Database>, addresses: readonly string[]): Promise<void> {
  if (addresses.length) await db.deleteFrom('agent_conversations').where('address', 'in', addresses).execute();
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
