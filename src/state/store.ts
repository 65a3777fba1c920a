/** The state store's contract: ownership, apply history, the lock, and what day-two commands keep
 *  (tasks, reconcile rounds, agent conversations, the project's claim). Everything outside
 *  src/state is typed against this, never against one backend: `KyselyStateStore` implements it on
 *  any kysely dialect, and SQLite (better-sqlite3) is the default. */
import type { Attributes, Recorded } from '../core/resource.js';
import type { AgentConversation } from './lookups.js';
import type { ReconcileRecord } from './reconciles.js';
import type { NewTask, TaskFilter, TaskRecord } from './tasks.js';

export type { AgentConversation, NewTask, ReconcileRecord, TaskFilter, TaskRecord };

/** A record, with the attribute paths that are sensitive: any value there not already masked (a
 *  `sensitive:…` digest) is masked before it is written. Callers mask first; this is the backstop. */
export type RecordEntry = Recorded & { readonly sensitive?: readonly string[] };

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  /** What holds it: `gaia apply`, `gaia reconcile`. */
  readonly command: string;
}

/** The reason a held lock's `lost` signal gives: the lock went away under its holder. */
export class LockLost extends Error {}

export type LockResult =
  /** `tookOver`: the lock was left by a holder that died (certainly: see holder-guard.ts), and is now ours. */
  | {
      readonly kind: 'acquired';
      readonly release: () => Promise<void>;
      readonly tookOver?: LockHolder;
      /** Aborted if the lock is lost while held (a shared store's connection ended): start nothing new. */
      readonly lost?: AbortSignal;
    }
  /** Still held, by a living process, after waiting `timeoutMs`. */
  | { readonly kind: 'held'; readonly holder: LockHolder };

export type UnlockResult =
  | { readonly kind: 'none' }
  /** The holder had died; its lock is gone. */
  | { readonly kind: 'cleared'; readonly holder: LockHolder }
  /** The holder lives: nothing was changed. */
  | { readonly kind: 'live'; readonly holder: LockHolder }
  /** The holder lives and only its row was removed (`--force`). */
  | { readonly kind: 'forced'; readonly holder: LockHolder }
  /** A living process holds the guard but has not named itself (yet). */
  | { readonly kind: 'live-unnamed' };

export type ApplyStatus = 'running' | 'done' | 'failed' | 'interrupted';

export interface StepRecord {
  readonly address: string;
  readonly action: string;
  readonly status: 'done' | 'failed' | 'skipped';
  readonly error?: string;
  readonly argv?: readonly string[];
  readonly stderr?: string;
  readonly at: string;
}

export interface ApplyRecord {
  readonly id: number;
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** `interrupted`: stopped by a signal, or its process died (found by the next holder of the lock). */
  readonly status: ApplyStatus;
  readonly command: string;
  readonly manifestHash: string;
  readonly summary?: string;
}

export interface LandedBatch {
  readonly record: readonly Recorded[];
  readonly forget: readonly string[];
  readonly steps: readonly StepRecord[];
}

export interface StateStore {
  recorded(): Promise<readonly Recorded[]>;
  /** Only the records of one kind (opening a project needs the ports, not all 8,000 rows). */
  recordedOfKind(kind: string): Promise<readonly Recorded[]>;
  /** Insert or replace what gaia owns at `address`; call as soon as a step lands. */
  record(entry: RecordEntry): Promise<void>;
  /** Something already gone; an agent session's conversation goes with it. */
  forget(address: string): Promise<void>;
  /** Many records in one transaction: all or none (an apply's write-ahead records of a wave). */
  recordMany(entries: readonly RecordEntry[]): Promise<void>;
  /** What one provider batch of an apply did — records, forgets and history steps — in one
   *  transaction: the batch's results arrive together, and a statement and commit each made an
   *  apply of 8,000 resources spend seconds in the state store. */
  landed(applyId: number, batch: LandedBatch): Promise<void>;
  beginApply(meta: { readonly command: string; readonly manifestHash: string }): Promise<number>;
  recordStep(applyId: number, step: StepRecord): Promise<void>;
  finishApply(applyId: number, status: Exclude<ApplyStatus, 'running'>, summary: string): Promise<void>;
  applies(limit: number): Promise<readonly ApplyRecord[]>;
  steps(applyId: number): Promise<readonly StepRecord[]>;
  /** Wait up to `timeoutMs` for the lock (polling), then report who holds it. A dead holder's lock is taken over. */
  acquireLock(command: string, timeoutMs: number): Promise<LockResult>;
  /** Who the lock's row names now, without waiting (for `gaia status` and error messages). */
  lockHolder(): Promise<LockHolder | undefined>;
  /** `gaia state unlock`: clear a dead holder's lock; a living holder's row only with `force`. */
  unlock(force: boolean): Promise<UnlockResult>;
  /** Copy the whole store before an apply changes it (a few are kept); where, if this backend makes copies. */
  backUp(): Promise<string | undefined>;

  addTask(task: NewTask): Promise<TaskRecord>;
  listTasks(filter?: TaskFilter): Promise<readonly TaskRecord[]>;
  /** False when no such task is open. */
  completeTask(id: number): Promise<boolean>;
  markTaskDelivered(id: number): Promise<boolean>;

  recordReconcile(entry: Omit<ReconcileRecord, 'id'>): Promise<number>;
  reconciles(limit: number): Promise<readonly ReconcileRecord[]>;

  /** Agent sessions' conversations (see ConversationRecords in providers/provider.ts). */
  agentConversations(): Promise<readonly AgentConversation[]>;
  conversationStarted(row: AgentConversation): Promise<void>;
  conversationConfirmed(address: string, provider: string, id: string): Promise<void>;
  forgetConversation(address: string): Promise<void>;

  /** Small named values (the project's claim on the store). */
  getValue(key: string): Promise<string | undefined>;
  setValue(key: string, value: string): Promise<void>;

  close(): Promise<void>;
}

export type { Attributes };
