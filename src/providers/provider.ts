/** The interface every backend implements: observe a batch, describe steps, apply a batch. */
import type { KindSpec } from '../core/kind.js';
import type { Change, PlanWarning } from '../core/plan.js';
import type { Attributes, Observed, Recorded, Resource } from '../core/resource.js';
import type { Executor } from './exec.js';

export interface ObserveContext {
  /** Absolute project root (the manifest's folder); resource paths are relative to it. */
  readonly root: string;
  /** tmux `-L` socket name; undefined means the user's default server. */
  readonly tmuxSocket?: string;
  readonly exec: Executor;
  /** The state store's conversation identifiers of agent sessions (start/resume templates). */
  readonly conversations?: ConversationIds;
  /** A folder where a provider may keep facts it can cheaply prove still true (the SQLite provider's
   *  inspections, by file identity and times), so observing costs what changed. None: no cache. */
  readonly cacheDir?: string;
}

/** Where an agent session's conversation identifier is kept between its starts. */
export interface ConversationIds {
  get(address: string): Promise<string | undefined>;
  set(address: string, id: string): Promise<void>;
}

export interface ObserveRequest {
  /** Desired resources of this provider's kinds. */
  readonly desired: readonly Resource[];
  /** Recorded (owned) resources of this provider's kinds, including ones the manifest dropped. */
  readonly recorded: readonly Recorded[];
}

export interface ObserveResult {
  /** One entry per requested address that exists. Absent means "does not exist". */
  readonly observed: readonly Observed[];
  /** Things seen that no desired or recorded address names (for status and import). */
  readonly unmanaged?: readonly Observed[];
  readonly warnings?: readonly PlanWarning[];
}

/** One concrete step, as data: what dry-run prints. */
export interface Step {
  readonly address: string;
  readonly description: string;
  /** The exact command, when the step runs one. */
  readonly argv?: readonly string[];
  readonly cwd?: string;
}

export interface ApplyContext extends ObserveContext {
  readonly allowDataLoss: boolean;
  readonly force: boolean;
  /** Folder for database backups taken before anything destructive. */
  readonly backupDir: string;
  /** How many independent commands a provider may run at once (`--parallelism`). */
  readonly parallelism?: number;
  /** Progress and notices (backup paths) for the user. */
  log(line: string): void;
}

export type ChangeOutcome =
  | {
      readonly status: 'done';
      /** What to record as applied (defaults to the change's `after`). */
      readonly attributes?: Attributes;
      readonly notes?: readonly string[];
    }
  | {
      readonly status: 'failed';
      readonly error: string;
      readonly argv?: readonly string[];
      readonly stderr?: string;
    };

export interface Provider {
  readonly name: string;
  /** The kinds this provider handles, with their pure comparison rules. */
  readonly kinds: { readonly [kind: string]: KindSpec };
  observe(request: ObserveRequest, ctx: ObserveContext): Promise<ObserveResult>;
  /** The steps a change would run, for `apply --dry-run`. Must match what `apply` does. */
  steps(change: Change, ctx: ObserveContext): readonly Step[];
  /** Apply a batch of independent changes of this provider's kinds; one outcome per change, same order. */
  apply(changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]>;
}
