/** What gaia on this machine asks gaia on another host (`gaia worker`, over the ssh connection's
 *  stdin and stdout), and what comes back: the providers' own calls — observe a batch, describe steps,
 *  apply a batch — as plain JSON, so a remote host's SQLite files, folders, ports and tmux server are
 *  read and changed where they are, in one round trip per batch instead of a command per file.
 *  The state store never leaves this machine: what a provider records of agent conversations on the
 *  host comes back as operations, replayed here. */
import { createHash } from 'node:crypto';
import type { Change, PlanWarning } from '../core/plan.js';
import type { Observed, Recorded, Resource } from '../core/resource.js';
import type { ChangeOutcome, ConversationRecord, Step } from '../providers/provider.js';
import type { CommandResult } from '../host/exec.js';
import type { DeliverOptions, Delivery } from '../providers/tmux/deliver.js';
import type { AgentProfile } from '../agents/profile.js';
import type { AgentEvent } from '../agents/events.js';
import type { EnvironmentInfo } from '../manifest/model.js';
import type { EnvGitFacts } from '../ops/git-facts.js';
import type { StatusReport } from '../ops/status-model.js';

/** Bumped when a request or response changes shape; a worker of another protocol refuses the request. */
export const WORKER_PROTOCOL = 1;

/** Settings of the planning gaia that hold on every host (the worker is started with them): how long
 *  an agent must stay up to count as started, and how long what outlives a session gets after
 *  SIGTERM (milliseconds, or empty for the default). */
const WORKER_TUNING = ['GAIA_AGENT_START_GRACE', 'GAIA_TEARDOWN_GRACE'] as const;

/** Those settings of `env` as `NAME=VALUE` (digits only: they go on a command line). The planning
 *  gaia starts its workers with them; a worker names its kept worker's socket after them. */
export function workerTuning(env: NodeJS.ProcessEnv): string[] {
  return WORKER_TUNING.filter((k) => env[k] !== undefined && /^\d*$/.test(env[k]!)).map((k) => `${k}=${env[k]}`);
}

/** The name of the socket a kept worker started with these settings (`NAME=VALUE`) listens on, in
 *  the `run/` folder of its version's folder: the worker names it, and a client looks for it. */
export function keptSocketName(settings: readonly string[]): string {
  return `${createHash('sha256').update(settings.join('\0')).digest('hex').slice(0, 12)}.sock`;
}

/** Asked of a worker started for one command: keep one of the same code and settings running on the
 *  host for the commands after this one (host/local/worker-daemon.ts). The answer is the unix socket
 *  it listens on there, or why there is none. */
export interface ServeRequest {
  readonly protocol: number;
  readonly op: 'serve';
}
export type ServeResponse = { readonly ok: true; readonly socket: string } | { readonly ok: false; readonly error: string };

/** The first line on every connection to a kept worker, so a client knows a worker answers (and not
 *  a socket ssh accepted for a forward whose far end is gone). */
const WORKER_HELLO = 'gaia-worker';
export const helloLine = (): string => `${JSON.stringify({ hello: WORKER_HELLO })}\n`;
export function isHello(line: string): boolean {
  try {
    return (JSON.parse(line) as { hello?: unknown }).hello === WORKER_HELLO;
  } catch {
    return false;
  }
}

export interface WorkerContext {
  /** The project's folder on the host as written in the manifest: absolute, or `~/…` (the remote user's home). */
  readonly root: string;
  /** The project's identity (`name@root` on the machine that plans), carried by the marks on what gaia makes. */
  readonly project?: string;
  readonly tmuxSocket?: string;
  /** The project's digest key (hex): the host computes the same keyed digests of sensitive values. */
  readonly digestKey: string;
  /** The agent conversations on record, for sessions on this host. */
  readonly conversations: readonly ConversationRecord[];
  /** The project's files its resources read (a stage database's migrations), by path relative to the
   *  project: the host keeps a copy at the same path under its root. */
  readonly sources?: readonly { readonly path: string; readonly text: string }[];
}

export type WorkerRequest = { readonly protocol: number; readonly ctx: WorkerContext } & (
  | { readonly op: 'observe'; readonly desired: readonly Resource[]; readonly recorded: readonly Recorded[]; readonly includeUnmanaged: boolean }
  | { readonly op: 'steps'; readonly change: Change }
  | {
      readonly op: 'apply';
      readonly provider: string;
      readonly changes: readonly Change[];
      readonly allowDataLoss: boolean;
      readonly force: boolean;
      readonly parallelism?: number;
    }
  /** Text for a session there, delivered and confirmed on its pane (src/providers/tmux/deliver.ts); an
   *  agent's screen is read with its profile. */
  | {
      readonly op: 'deliver';
      readonly session: string;
      readonly text: string;
      readonly options: Omit<DeliverOptions, 'refuses'>;
      readonly agent?: AgentProfile;
    }
  /** What git says of these environments there (ahead/behind, dirty, conflicts): `gaia status`. */
  | { readonly op: 'git-facts'; readonly environments: readonly EnvironmentInfo[]; readonly resources: readonly Resource[] }
  /** What status reads of agents there: the live ones' screens, the reporting ones' last event. */
  | { readonly op: 'agent-facts'; readonly live: readonly string[]; readonly reporting: readonly string[] }
  /** Health's probes of these environments there (git operations in progress, quick_check of databases). */
  | { readonly op: 'health-probes'; readonly environments: readonly EnvironmentInfo[]; readonly status: StatusReport }
  /** One command of the manifest's (a hook), in a folder relative to the root (the root when it is not there). */
  | { readonly op: 'run'; readonly argv: readonly string[]; readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly timeoutMs?: number }
);

/** What a provider recorded of conversations on the host, to replay into the state store. */
export type ConversationOp =
  | { readonly op: 'started'; readonly record: ConversationRecord }
  | { readonly op: 'confirm'; readonly address: string; readonly provider: string; readonly id: string }
  | { readonly op: 'forget'; readonly address: string };

export interface WorkerObservation {
  readonly observed: readonly Observed[];
  readonly unmanaged: readonly Observed[];
  readonly warnings: readonly PlanWarning[];
}

export type WorkerResponse =
  | {
      readonly ok: true;
      /** The project's folder on the host, resolved there. */
      readonly root: string;
      readonly observation?: WorkerObservation;
      readonly steps?: readonly Step[];
      readonly outcomes?: readonly ChangeOutcome[];
      readonly result?: CommandResult;
      readonly delivery?: Delivery;
      readonly gitFacts?: ReadonlyArray<readonly [string, EnvGitFacts]>;
      readonly agentFacts?: { readonly screens: ReadonlyArray<readonly [string, string]>; readonly events: ReadonlyArray<readonly [string, AgentEvent]> };
      readonly probes?: {
        readonly gitOperations: ReadonlyArray<readonly [string, readonly string[]]>;
        readonly quickCheck: ReadonlyArray<readonly [string, { readonly ok: true } | { readonly ok: false; readonly error: string }]>;
      };
      /** Lines the providers logged (backups taken, notices). */
      readonly log: readonly string[];
      readonly conversations: readonly ConversationOp[];
    }
  | { readonly ok: false; readonly error: string };
