/** The manifest as written (after schema validation): mirrors schemas/orchestration.schema.json. */

export type Command = string | readonly string[];
export type EnvValue = string | number | boolean | { readonly value?: string; readonly fromEnv?: string; readonly sensitive?: boolean };
export type EnvVars = { readonly [name: string]: EnvValue };
export type PortSpec = number | { readonly range: readonly [number, number] };

/** Seconds, or a string such as `500ms`, `30s`, `5m`, `1h`. */
export type Duration = number | string;

export interface ProviderSpec {
  /** Required unless `start` is given (the schema says so). */
  readonly command?: Command;
  /** A session's first start, with `{conversation}` for the identifier gaia assigns. Default: command. */
  readonly start?: Command;
  /** Continues a recorded conversation, with `{conversation}`. */
  readonly resume?: Command;
  readonly costPerMonth?: number;
  readonly agent?: boolean | AgentSpec;
  readonly vars?: EnvVars;
}

export type AgentPreset = 'claude' | 'codex' | 'ollama' | 'aider' | 'gemini' | 'generic';

/** How to read an agent's pane; every field overrides the preset's default. */
export interface AgentSpec {
  readonly preset?: AgentPreset;
  readonly patterns?: { readonly waiting?: string; readonly working?: string; readonly idle?: string };
  readonly tailLines?: number;
  readonly activeWindow?: Duration;
  readonly waitingAlert?: Duration;
}

export type HookSpec = Command | { readonly command: Command; readonly timeout?: Duration; readonly description?: string };

export interface HooksSpec {
  readonly after_create?: readonly HookSpec[];
  readonly before_destroy?: readonly HookSpec[];
}

export interface ReadySpec {
  readonly pattern: string;
  readonly timeout?: Duration;
}

export interface GroupPolicySpec {
  readonly maxConcurrentStarts?: number;
  readonly startInterval?: Duration;
  readonly budget?: number;
  readonly onBudget?: 'warn' | 'refuse';
}

export interface StageSpec {
  readonly database?: {
    readonly path: string;
    readonly schema?: string;
    readonly migrations?: string;
    readonly preventDestroy?: boolean;
  };
  readonly port?: PortSpec;
  readonly vars?: EnvVars;
}

export interface EnvironmentsSpec {
  readonly count?: number;
  readonly name?: string;
  readonly names?: readonly string[];
  readonly path?: string;
  readonly branch?: string;
  readonly base?: string;
  readonly source?: 'worktree' | 'clone';
  readonly sync?: 'rebase' | 'merge';
  /** Host names (or `local`) the environments are spread over, round-robin in order. */
  readonly hosts?: readonly string[];
  readonly stages?: { readonly [stage: string]: StageSpec };
  readonly hooks?: HooksSpec;
}

export interface GroupSpec {
  readonly description?: string;
  readonly count?: number;
  readonly perEnvironment?: boolean;
  readonly names?: readonly string[];
  readonly name?: string;
  readonly provider?: string | readonly string[];
  readonly env?: string;
  readonly cwd?: string;
  /** The host a group that is not perEnvironment runs on (a name from hosts:, or `local`). */
  readonly host?: string;
  readonly command?: Command;
  readonly vars?: EnvVars;
  readonly costPerSession?: number;
  readonly remainOnExit?: boolean;
  readonly costAdjustment?: number;
  readonly ready?: ReadySpec;
  readonly hooks?: HooksSpec;
  readonly policy?: GroupPolicySpec;
}

export interface FileSpec {
  readonly path: string;
  readonly content?: string;
  readonly json?: unknown;
  readonly perEnvironment?: boolean;
  readonly perStage?: boolean;
  readonly mode?: string;
}

/** A machine gaia reaches over ssh (`hosts.NAME`). */
export interface HostSpec {
  /** `[user@]host[:port]`, or an alias from the ssh config. */
  readonly ssh: string;
  /** Absolute, or `~/…` in the remote user's home. */
  readonly root: string;
  readonly tmux?: { readonly socket?: string };
  readonly channels?: number;
}

export interface RoutingRule {
  readonly type?: string;
  readonly env?: boolean;
  readonly group: string;
}

export interface Manifest {
  readonly version: 1;
  readonly project: string;
  readonly settings?: {
    readonly tmux?: { readonly socket?: string | null };
    readonly state?: string;
    readonly parallelism?: number;
    readonly ssh?: { readonly config?: string };
  };
  readonly repository?: { readonly path?: string; readonly url?: string; readonly base?: string };
  readonly hosts?: { readonly [name: string]: HostSpec };
  readonly providers?: { readonly [name: string]: ProviderSpec };
  readonly environments?: EnvironmentsSpec;
  readonly groups?: { readonly [name: string]: GroupSpec };
  readonly files?: { readonly [name: string]: FileSpec };
  readonly cost?: {
    readonly baseline?: { readonly label?: string; readonly monthly?: number; readonly provider?: string };
    readonly budget?: number;
  };
  readonly routing?: { readonly rules?: readonly RoutingRule[]; readonly default?: string };
  /** GitOps policy for `gaia reconcile` (defaults: auto, no prune, no self-heal). */
  readonly sync?: SyncSpec;
}

export interface SyncSpec {
  /** auto: rounds apply; manual: rounds only record OutOfSync. */
  readonly mode?: 'auto' | 'manual';
  /** Delete owned resources the manifest dropped. */
  readonly prune?: boolean;
  /** Repair drift: restart dead sessions (with back-off), rewrite edited files, recreate deleted things. */
  readonly selfHeal?: boolean;
}

/** A problem in the manifest, located so a person can jump to it. */
export interface ManifestError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Where in the manifest: `groups.pr_review.provider[2]`. */
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}
