/** The StateStore on any kysely dialect. Every query here is portable (kysely's builder, ISO-text
 *  times, JSON as text, ON CONFLICT, RETURNING); what differs per database (opening, pragmas,
 *  DDL details) lives in the file that opens it (`sqlite-store.ts`, `postgres-store.ts`). */
import type { Kysely } from 'kysely';
import { isMasked, maskSensitive, UNMATCHABLE_DIGEST } from '../core/mask.js';
import type { Recorded } from '../core/resource.js';
import * as history from './history.js';
import * as lock from './lock.js';
import * as lookups from './lookups.js';
import * as reconcile from './reconciles.js';
import * as resources from './resources.js';
import type { Database } from './schema.js';
import type { HolderGuard } from './holder-guard.js';
import type { ApplyRecord, ApplyStatus, LandedBatch, LockHolder, LockResult, RecordEntry, StateStore, StepRecord, UnlockResult } from './store.js';
import * as tasks from './tasks.js';

export type { TaskRecord, NewTask, TaskFilter } from './tasks.js';
export type { ReconcileRecord } from './reconciles.js';
export type { AgentConversation } from './lookups.js';

export type { RecordEntry } from './store.js';

export interface StoreOptions {
  /** What proves the lock's holder alive (for SQLite, an OS lock on a file beside the database). */
  readonly guard: HolderGuard;
  /** A copy of the whole store, made before an apply changes it; returns where. */
  readonly backUp?: (now: Date) => Promise<string>;
  readonly now?: () => Date;
  /** How often a waiting `acquireLock` retries. */
  readonly lockPollMs?: number;
}

export class KyselyStateStore implements StateStore {
  readonly #db: Kysely<Database>;
  readonly #now: () => Date;
  readonly #pollMs: number;
  readonly #guard: HolderGuard;
  readonly #backUp: ((now: Date) => Promise<string>) | undefined;
  /** Locks this store holds, released on close so a forgotten release does not leave a lock behind. */
  readonly #held = new Set<() => Promise<void>>();

  constructor(db: Kysely<Database>, options: StoreOptions) {
    this.#db = db;
    this.#guard = options.guard;
    this.#backUp = options.backUp;
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

  /** Something already gone: an agent session's conversation goes with it (the next session at that
   *  address starts fresh). Deletes that kill a session forget theirs in the tmux provider. */
  forget(address: string): Promise<void> {
    return this.#db.transaction().execute(async (trx) => {
      await resources.forget(trx, address);
      await lookups.forgetConversations(trx, [address]);
    });
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

  finishApply(applyId: number, status: Exclude<ApplyStatus, 'running'>, summary: string): Promise<void> {
    return history.finishApply(this.#db, applyId, status, summary, this.#stamp());
  }

  applies(limit: number): Promise<readonly ApplyRecord[]> {
    return history.applies(this.#db, limit);
  }

  steps(applyId: number): Promise<readonly StepRecord[]> {
    return history.steps(this.#db, applyId);
  }

  async acquireLock(command: string, timeoutMs: number): Promise<LockResult> {
    const result = await lock.acquireLock(this.#db, this.#guard, command, timeoutMs, { now: this.#now, pollMs: this.#pollMs });
    if (result.kind === 'held') return result;
    const release = async (): Promise<void> => {
      this.#held.delete(release);
      await result.release();
    };
    this.#held.add(release);
    return { ...result, release };
  }

  /** Who holds the lock now, without waiting (for `gaia status` and error messages). */
  lockHolder(): Promise<LockHolder | undefined> {
    return lock.readLock(this.#db);
  }

  /** A backup of the store as it is now (undefined where the backend keeps its own, as a server does). */
  async backUp(): Promise<string | undefined> {
    return this.#backUp?.(this.#now());
  }

  unlock(force: boolean): Promise<UnlockResult> {
    return lock.unlock(this.#db, this.#guard, force);
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

  agentConversations(): Promise<readonly lookups.AgentConversation[]> {
    return lookups.agentConversations(this.#db);
  }

  conversationStarted(row: lookups.AgentConversation): Promise<void> {
    return lookups.conversationStarted(this.#db, row, this.#stamp());
  }

  conversationConfirmed(address: string, provider: string, id: string): Promise<void> {
    return lookups.conversationConfirmed(this.#db, address, provider, id, this.#stamp());
  }

  forgetConversation(address: string): Promise<void> {
    return lookups.forgetConversations(this.#db, [address]);
  }

  getValue(key: string): Promise<string | undefined> {
    return lookups.getValue(this.#db, key);
  }

  setValue(key: string, value: string): Promise<void> {
    return lookups.setValue(this.#db, key, value);
  }

  async close(): Promise<void> {
    for (const release of [...this.#held]) await release();
    await this.#guard.close?.();
    await this.#db.destroy();
  }

  #stamp(): string {
    return this.#now().toISOString();
  }
}

function masked(entry: RecordEntry): Recorded {
  const { sensitive, ...recorded } = entry;
  // The store holds no key: a value nobody digested is replaced by a digest that matches nothing.
  return sensitive?.length ? { ...recorded, attributes: maskSensitive(recorded.attributes, sensitive, (v) => (isMasked(v) ? (v as string) : UNMATCHABLE_DIGEST)) } : recorded;
}
