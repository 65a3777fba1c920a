/** Apply history: one row per apply, one per step, written as each lands. */
import type { Kysely } from 'kysely';
import type { ApplyRecord, ApplyStatus, StepRecord } from './store.js';
import { chunks } from '../core/collections.js';
import { optional, parseJson } from './rows.js';
import type { Database } from './schema.js';

export async function beginApply(
  db: Kysely<Database>,
  meta: { readonly command: string; readonly manifestHash: string },
  at: string,
): Promise<number> {
  const row = await db
    .insertInto('applies')
    .values({ started_at: at, status: 'running', command: meta.command, manifest_hash: meta.manifestHash })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function recordStep(db: Kysely<Database>, applyId: number, step: StepRecord): Promise<void> {
  await recordSteps(db, applyId, [step]);
}

/** Rows per INSERT: 8 parameters each stays far below SQLite's (32,766) and PostgreSQL's (65,535) limits. */
const STEPS_PER_INSERT = 500;

/** Many steps, in order, a few statements in all (the caller's transaction makes them land together). */
export async function recordSteps(db: Kysely<Database>, applyId: number, steps: readonly StepRecord[]): Promise<void> {
  for (const chunk of chunks(steps, STEPS_PER_INSERT)) {
    await db
      .insertInto('apply_steps')
      .values(chunk.map((step) => ({
        apply_id: applyId,
        address: step.address,
        action: step.action,
        status: step.status,
        error: step.error ?? null,
        argv: step.argv === undefined ? null : JSON.stringify(step.argv),
        stderr: step.stderr ?? null,
        at: step.at,
      })))
      .execute();
  }
}

export async function finishApply(
  db: Kysely<Database>,
  applyId: number,
  status: Exclude<ApplyStatus, 'running'>,
  summary: string,
  at: string,
): Promise<void> {
  await db.updateTable('applies').set({ status, summary, finished_at: at }).where('id', '=', applyId).execute();
}

/** Newest first. */
export async function applies(db: Kysely<Database>, limit: number): Promise<readonly ApplyRecord[]> {
  const rows = await db.selectFrom('applies').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    startedAt: r.started_at,
    ...optional('finishedAt', r.finished_at),
    status: r.status,
    command: r.command,
    manifestHash: r.manifest_hash,
    ...optional('summary', r.summary),
  }));
}

/** In the order they were recorded. */
export async function steps(db: Kysely<Database>, applyId: number): Promise<readonly StepRecord[]> {
  const rows = await db.selectFrom('apply_steps').selectAll().where('apply_id', '=', applyId).orderBy('id').execute();
  return rows.map((r) => ({
    address: r.address,
    action: r.action,
    status: r.status,
    ...optional('error', r.error),
    ...(r.argv === null ? {} : { argv: parseJson<readonly string[]>(r.argv, `argv of a step of apply ${applyId}`) }),
    ...optional('stderr', r.stderr),
    at: r.at,
  }));
}
