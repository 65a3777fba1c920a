/** GitOps reconcile runs: which revision was applied, when, and how it ended. */
import type { Kysely } from 'kysely';
import { optional } from './rows.js';
import type { Database } from './schema.js';

export interface ReconcileRecord {
  readonly id: number;
  /** The manifest revision reconciled (a git commit). */
  readonly revision?: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly summary?: string;
  /** How it ended, as the reconcile feature names it (`applied`, `no-changes`, `failed`...). */
  readonly result?: string;
  readonly error?: string;
}

export async function recordReconcile(db: Kysely<Database>, entry: Omit<ReconcileRecord, 'id'>): Promise<number> {
  const row = await db
    .insertInto('reconciles')
    .values({
      revision: entry.revision ?? null,
      started_at: entry.startedAt,
      finished_at: entry.finishedAt ?? null,
      summary: entry.summary ?? null,
      result: entry.result ?? null,
      error: entry.error ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Newest first. */
export async function reconciles(db: Kysely<Database>, limit: number): Promise<readonly ReconcileRecord[]> {
  const rows = await db.selectFrom('reconciles').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    ...optional('revision', r.revision),
    startedAt: r.started_at,
    ...optional('finishedAt', r.finished_at),
    ...optional('summary', r.summary),
    ...optional('result', r.result),
    ...optional('error', r.error),
  }));
}
