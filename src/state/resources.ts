/** What gaia owns: one row per address, attributes and dependencies as JSON text. */
import type { Kysely } from 'kysely';
import { canonicalJson } from '../core/hash.js';
import type { Attributes, Recorded } from '../core/resource.js';
import { chunks } from '../core/collections.js';
import { parseJson } from './rows.js';
import type { Database } from './schema.js';

/** Rows per INSERT: 7 parameters each stays far below SQLite's (32,766) and PostgreSQL's (65,535) limits. */
const ROWS_PER_INSERT = 500;

export async function recorded(db: Kysely<Database>, kind?: string): Promise<readonly Recorded[]> {
  let query = db.selectFrom('resources').select(['address', 'kind', 'attributes', 'spec_hash', 'depends_on']);
  if (kind !== undefined) query = query.where('kind', '=', kind);
  const rows = await query.orderBy('address').execute();
  return rows.map((row) => ({
    kind: row.kind,
    address: row.address,
    attributes: parseJson<Attributes>(row.attributes, `attributes of ${row.address}`),
    specHash: row.spec_hash,
    dependsOn: parseJson<readonly string[]>(row.depends_on, `depends_on of ${row.address}`),
  }));
}

/** Insert or replace; `created_at` survives a replace so it says when gaia first took ownership. */
export async function upsert(db: Kysely<Database>, entries: readonly Recorded[], at: string): Promise<void> {
  for (const chunk of chunks(entries, ROWS_PER_INSERT)) {
    await db
      .insertInto('resources')
      .values(
        chunk.map((e) => ({
          address: e.address,
          kind: e.kind,
          attributes: canonicalJson(e.attributes),
          spec_hash: e.specHash,
          depends_on: JSON.stringify(e.dependsOn),
          created_at: at,
          updated_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.column('address').doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          attributes: eb.ref('excluded.attributes'),
          spec_hash: eb.ref('excluded.spec_hash'),
          depends_on: eb.ref('excluded.depends_on'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

export async function forget(db: Kysely<Database>, address: string): Promise<void> {
  await db.deleteFrom('resources').where('address', '=', address).execute();
}

/** Addresses per DELETE: one parameter each. */
const ADDRESSES_PER_DELETE = 5000;

export async function forgetMany(db: Kysely<Database>, addresses: readonly string[]): Promise<void> {
  for (const chunk of chunks(addresses, ADDRESSES_PER_DELETE)) {
    await db.deleteFrom('resources').where('address', 'in', chunk).execute();
  }
}
