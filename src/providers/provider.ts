/** The interface every backend implements: observe a batch, describe steps, apply a batch. */
import type { Digests } from '../core/digest.js';
import type { KindSpec } from '../core/kind.js';
import type { Change, PlanWarning } from '../core/plan.js';
import type { Attributes, Observed, Recorded, Resource } from '../core/resource.js';
import type { Host } from '../host/host.js';
import type { SqliteSettings } from './sqlite/settings.js';
import type { TmuxSettings } from './tmux/settings.js';

export interface ObserveContext {
  /** Absolute project root (the manifest's folder); resource paths are relative to it. */
  readonly root: string;
  /** This project's identity, `name@root`, carried by the marks on what gaia makes. */
  readonly project?: string;
  /** Where the resources of this call are: every command, file, process and database goes through it. */
  readonly host: Host;
  /** The project's keyed digests of sensitive values (what the store keeps instead of them). */
  readonly digests: Digests;
  /** Each provider's own settings, typed by the provider that reads them. */
  readonly settings: ProviderSettings;
}

export interface ProviderSettings {
  readonly tmux: TmuxSettings;
  readonly sqlite: SqliteSettings;
}

/** What gaia knows of an agent session's conversation between its starts. */
export interface ConversationRecord {
  readonly address: string;
  /** The provider identity it belongs to (see conversation.ts); null when recorded before that was kept. */
  readonly provider: string | null;
  /** Absent until learned, for a CLI that picks its own identifier. */
  readonly id?: string;
  /** When gaia last started the session fresh (ISO): a CLI's own record of the conversation starts after it. */
  readonly startedAt: string;
}

/** Where conversations are kept. An identifier belongs to one address: recording it for one takes it
 *  from any other. */
export interface ConversationRecords {
  all(): Promise<readonly ConversationRecord[]>;
  /** The session was started fresh: replaces what was on record at its address. */
  started(record: ConversationRecord): Promise<void>;
  /** The identifier the session at `address` really uses (learned, or resumed). */
  confirm(address: string, provider: string, id: string): Promise<void>;
  forget(address: string): Promise<void>;
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
      /** Its program started and exited within the start grace (a CLI that could not resume, a typo). */
      readonly exitedAtStart?: { readonly status?: number; readonly signal?: number };
      /** Its host could not be reached (or the connection ended under it): whether it happened is not known. */
      readonly unknown?: true;
    };

export interface Provider {
  readonly name: string;
  /** The kinds this provider handles, with their pure comparison rules. */
  readonly kinds: { readonly [kind: string]: KindSpec };
  observe(request: ObserveRequest, ctx: ObserveContext): Promise<ObserveResult>;
  /** The steps a change would run, for `apply --dry-run`. Must match what `apply` does (a provider
   *  that decides something at apply time from the state store, as tmux picks a conversation, reads it). */
  steps(change: Change, ctx: ObserveContext): readonly Step[] | Promise<readonly Step[]>;
  /** Apply a batch of independent changes of this provider's kinds; one outcome per change, same order. */
  apply(changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]>;
}
