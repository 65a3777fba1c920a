/** The state store's contract: ownership, apply history, the lock. One implementation per
 *  kysely dialect; SQLite (better-sqlite3) is the default. */
import type { Attributes, Recorded } from '../core/resource.js';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  /** What holds it: `gaia apply`, `gaia reconcile`. */
  readonly command: string;
}

export type LockResult =
  | { readonly kind: 'acquired'; readonly release: () => Promise<void> }
  /** Still held after waiting `timeoutMs`. `dead` when the holder is a process on this host that no longer runs. */
  | { readonly kind: 'held'; readonly holder: LockHolder; readonly dead: boolean };

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
  readonly status: 'running' | 'done' | 'failed';
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
  /** Insert or replace what gaia owns at `address`; call as soon as a step lands. */
  record(entry: Recorded): Promise<void>;
  forget(address: string): Promise<void>;
  /** Many records in one transaction: all or none (an apply's write-ahead records of a wave). */
  recordMany(entries: readonly Recorded[]): Promise<void>;
  /** What one provider batch of an apply did — records, forgets and history steps — in one
   *  transaction: the batch's results arrive together, and a statement and commit each made an
   *  apply of 8,000 resources spend seconds in the state store. */
  landed(applyId: number, batch: LandedBatch): Promise<void>;
  beginApply(meta: { readonly command: string; readonly manifestHash: string }): Promise<number>;
  recordStep(applyId: number, step: StepRecord): Promise<void>;
  finishApply(applyId: number, status: 'done' | 'failed', summary: string): Promise<void>;
  applies(limit: number): Promise<readonly ApplyRecord[]>;
  steps(applyId: number): Promise<readonly StepRecord[]>;
  /** Wait up to `timeoutMs` for the lock (polling), then report who holds it. */
  acquireLock(command: string, timeoutMs: number): Promise<LockResult>;
  /** Remove a lock whatever holds it (`gaia state unlock`); returns who held it. */
  breakLock(): Promise<LockHolder | undefined>;
  close(): Promise<void>;
}

export type { Attributes };
