/** The state database as kysely sees it. Portable column types only: text, integer; times are
 *  ISO-8601 text (sorts correctly, same in SQLite and PostgreSQL); JSON is stored as text. */
import type { Generated } from 'kysely';

export interface ResourcesTable {
  readonly address: string;
  readonly kind: string;
  /** JSON text of the attributes last applied (sensitive values already masked). */
  readonly attributes: string;
  readonly spec_hash: string;
  /** JSON text: an array of addresses. */
  readonly depends_on: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface AppliesTable {
  readonly id: Generated<number>;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly status: 'running' | 'done' | 'failed' | 'interrupted';
  readonly command: string;
  readonly manifest_hash: string;
  readonly summary: string | null;
}

export interface ApplyStepsTable {
  readonly id: Generated<number>;
  readonly apply_id: number;
  readonly address: string;
  readonly action: string;
  readonly status: 'done' | 'failed' | 'skipped';
  readonly error: string | null;
  /** JSON text: the argv of the step's command, when it ran one. */
  readonly argv: string | null;
  readonly stderr: string | null;
  readonly at: string;
}

/** At most one row (id = 1): the primary key makes taking the lock one atomic INSERT. */
export interface LockTable {
  readonly id: number;
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly command: string;
}

export interface TasksTable {
  readonly id: Generated<number>;
  readonly text: string;
  readonly type: string | null;
  readonly env: string | null;
  readonly session: string | null;
  readonly status: 'open' | 'done';
  readonly created_at: string;
  readonly done_at: string | null;
  /** 0 or 1 (portable boolean): the task was handed to its session. */
  readonly delivered: number;
}

export interface ReconcilesTable {
  readonly id: Generated<number>;
  readonly revision: string | null;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly summary: string | null;
  readonly result: string | null;
  readonly error: string | null;
}

export interface AgentConversationsTable {
  readonly address: string;
  /** The provider identity the conversation belongs to; null for rows kept from before it was recorded. */
  readonly provider: string | null;
  /** Null until learned (a CLI that picks its own identifier). Unique. */
  readonly conversation_id: string | null;
  /** When gaia last started the session fresh (ISO). */
  readonly started_at: string;
  readonly updated_at: string;
}

export interface KvTable {
  readonly key: string;
  readonly value: string;
}

export interface Database {
  readonly resources: ResourcesTable;
  readonly applies: AppliesTable;
  readonly apply_steps: ApplyStepsTable;
  readonly lock: LockTable;
  readonly tasks: TasksTable;
  readonly reconciles: ReconcilesTable;
  readonly agent_conversations: AgentConversationsTable;
  readonly kv: KvTable;
}
