/** The StateStore on any kysely dialect. Every query here is portable (kysely's builder, ISO-text
 *  times, JSON as text, ON CONFLICT, RETURNING); what differs per database (opening, pragmas,
 *  DDL details) lives in the file that opens it (`sqlite-store.ts`). */
import type { Kysely } from 'kysely';
import { maskWithDigest } from '../core/mask.js';
import type { Recorded } from '../core/resource.js';
import * as history from './history.js';
import * as lock from './lock.js';
import * as lookups from './lookups.js';
import * as reconcile from './reconciles.js';
import * as resources from './resources.js';
import type { Database } from './schema.js';
import type { ApplyRecord, LandedBatch, LockHolder, LockResult, StateStore, StepRecord } from './store.js';
import * as tasks from './tasks.js';

export type { TaskRecord, NewTask, TaskFilter } from './tasks.js';
export type { ReconcileRecord } from './reconciles.js';

/** A record, with the attribute paths that are sensitive: any value there not already masked
 *  (`sensitive:<hash>`) is masked before it is written. Callers mask first; this is the backstop. */
export type RecordEntry = Recorded & { readonly sensitive?: readonly string[] };

export interface StoreOptions {
  readonly now?: () => Date;
  /** How often a waiting `acquireLock` retries. */
  readonly lockPollMs?: number;
}

export class KyselyStateStore implements StateStore {
  readonly #db: Kysely<Database>;
  readonly #now: () => Date;
  readonly #pollMs: number;
  /** Locks this store holds, released on close so a forgotten release does not leave a lock behind. */
  readonly #held = new Set<() => Promise<void>>();

  constructor(db: Kysely<Database>, options: StoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
    this.#pollMs = options.lockPollMs ?? 100;
  }

  recorded(): Promise<readonly Recorded[]> {
    return resources.recorded(this.#db);
  }

  /** Only the records of one kind (opening a project needs the ports, not all 8,000 rows). */
  recordedOfKind(kind: string): Promise<readonly Recorded[]> {
    return resources.recorded(this.#db, kind);
  }

  /** One statement, committed before it returns: an apply killed right after keeps this step. */
  record(entry: RecordEntry): Promise<void> {
    return resources.upsert(this.#db, [masked(entry)], this.#stamp());
  }

  /** Many records in one transaction: all or none. */
  recordMany(entries: readonly RecordEntry[]): Promise<void> {
    const at = this.#stamp();
    return this.#db.transaction().execute((trx) => resources.upsert(trx, entries.map(masked), at));
  }

  forget(address: string): Promise<void> {
    return resources.forget(this.#db, address);
  }

  /** What one batch of an apply did, in one transaction (see StateStore.landed). */
  landed(applyId: number, batch: LandedBatch): Promise<void> {
    const at = this.#stamp();
    return this.#db.transaction().execute(async (trx) => {
      if (batch.record.length) await resources.upsert(trx, batch.record.map(masked), at);
      if (batch.forget.length) await resources.forgetMany(trx, batch.forget);
      if (batch.steps.length) await history.recordSteps(trx, applyId, batch.steps);
    });
  }

  beginApply(meta: { readonly command: string; readonly manifestHash: string }): Promise<number> {
    return history.beginApply(this.#db, meta, this.#stamp());
  }

  recordStep(applyId: number, step: StepRecord): Promise<void> {
    return history.recordStep(this.#db, applyId, step);
  }

  finishApply(applyId: number, status: 'done' | 'failed', summary: string): Promise<void> {
    return history.finishApply(this.#db, applyId, status, summary, this.#stamp());
  }

  applies(limit: number): Promise<readonly ApplyRecord[]> {
    return history.applies(this.#db, limit);
  }

  steps(applyId: number): Promise<readonly StepRecord[]> {
    return history.steps(this.#db, applyId);
  }

  async acquireLock(command: string, timeoutMs: number): Promise<LockResult> {
    const result = await lock.acquireLock(this.#db, command, timeoutMs, { now: this.#now, pollMs: this.#pollMs });
    if (result.kind === 'held') return result;
    const release = async (): Promise<void> => {
      this.#held.delete(release);
      await result.release();
    };
    this.#held.add(release);
    return { kind: 'acquired', release };
  }

  /** Who holds the lock now, without waiting (for `gaia status` and error messages). */
  lockHolder(): Promise<LockHolder | undefined> {
    return lock.readLock(this.#db);
  }

  breakLock(): Promise<LockHolder | undefined> {
    return lock.breakLock(this.#db);
  }

  addTask(task: tasks.NewTask): Promise<tasks.TaskRecord> {
    return tasks.addTask(this.#db, task, this.#stamp());
  }

  listTasks(filter?: tasks.TaskFilter): Promise<readonly tasks.TaskRecord[]> {
    return tasks.listTasks(this.#db, filter);
  }

  completeTask(id: number): Promise<boolean> {
    return tasks.completeTask(this.#db, id, this.#stamp());
  }

  markTaskDelivered(id: number): Promise<boolean> {
    return tasks.markTaskDelivered(this.#db, id);
  }

  recordReconcile(entry: Omit<reconcile.ReconcileRecord, 'id'>): Promise<number> {
    return reconcile.recordReconcile(this.#db, entry);
  }

  reconciles(limit: number): Promise<readonly reconcile.ReconcileRecord[]> {
    return reconcile.reconciles(this.#db, limit);
  }

  agentId(address: string): Promise<string | undefined> {
    return lookups.agentId(this.#db, address);
  }

  setAgentId(address: string, conversationId: string): Promise<void> {
    return lookups.setAgentId(this.#db, address, conversationId, this.#stamp());
  }

  getValue(key: string): Promise<string | undefined> {
    return lookups.getValue(this.#db, key);
  }

  setValue(key: string, value: string): Promise<void> {
    return lookups.setValue(this.#db, key, value);
  }

  async close(): Promise<void> {
    for (const release of [...this.#held]) await release();
    await this.#db.destroy();
  }

  #stamp(): string {
    return this.#now().toISOString();
  }
}

function masked(entry: RecordEntry): Recorded {
  const { sensitive, ...recorded } = entry;
  return sensitive?.length ? { ...recorded, attributes: maskWithDigest(recorded.attributes, sensitive) } : recorded;
}
