/** Tasks routed to sessions (the reference system's task routing): queued, delivered, done. */
import type { Kysely, Selectable } from 'kysely';
import { optional } from './rows.js';
import type { Database, TasksTable } from './schema.js';

export interface TaskRecord {
  readonly id: number;
  readonly text: string;
  readonly type?: string;
  readonly env?: string;
  readonly session?: string;
  readonly status: 'open' | 'done';
  readonly createdAt: string;
  readonly doneAt?: string;
  /** Handed to its session. */
  readonly delivered: boolean;
}

export interface NewTask {
  readonly text: string;
  readonly type?: string;
  readonly env?: string;
  readonly session?: string;
}

export interface TaskFilter {
  readonly status?: 'open' | 'done';
  readonly env?: string;
  readonly session?: string;
  readonly delivered?: boolean;
}

export async function addTask(db: Kysely<Database>, task: NewTask, at: string): Promise<TaskRecord> {
  const row = await db
    .insertInto('tasks')
    .values({
      text: task.text,
      type: task.type ?? null,
      env: task.env ?? null,
      session: task.session ?? null,
      status: 'open',
      created_at: at,
      delivered: 0,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTask(row);
}

/** Oldest first. */
export async function listTasks(db: Kysely<Database>, filter: TaskFilter = {}): Promise<readonly TaskRecord[]> {
  let query = db.selectFrom('tasks').selectAll();
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.env !== undefined) query = query.where('env', '=', filter.env);
  if (filter.session !== undefined) query = query.where('session', '=', filter.session);
  if (filter.delivered !== undefined) query = query.where('delivered', '=', filter.delivered ? 1 : 0);
  return (await query.orderBy('id').execute()).map(toTask);
}

/** True when an open task was closed now; false when it is unknown or was already done. */
export async function completeTask(db: Kysely<Database>, id: number, at: string): Promise<boolean> {
  const result = await db
    .updateTable('tasks')
    .set({ status: 'done', done_at: at })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function markTaskDelivered(db: Kysely<Database>, id: number): Promise<boolean> {
  const result = await db.updateTable('tasks').set({ delivered: 1 }).where('id', '=', id).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

function toTask(r: Selectable<TasksTable>): TaskRecord {
  return {
    id: r.id,
    text: r.text,
    ...optional('type', r.type),
    ...optional('env', r.env),
    ...optional('session', r.session),
    status: r.status,
    createdAt: r.created_at,
    ...optional('doneAt', r.done_at),
    delivered: r.delivered !== 0,
  };
}
