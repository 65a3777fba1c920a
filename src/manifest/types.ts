/** The manifest as written (after schema validation): mirrors schemas/orchestration.schema.json. */

export type Command = string | readonly string[];
export type EnvValue = string | number | boolean | { readonly value?: string; readonly fromEnv?: string; readonly sensitive?: boolean };
export type EnvVars = { readonly [name: string]: EnvValue };
export type PortSpec = number | { readonly range: readonly [number, number] };

export interface ProviderSpec {
  readonly command: Command;
  readonly costPerMonth?: number;
  readonly agent?: boolean;
  readonly vars?: EnvVars;
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
  readonly stages?: { readonly [stage: string]: StageSpec };
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
  readonly command?: Command;
  readonly vars?: EnvVars;
  readonly costPerSession?: number;
  readonly costAdjustment?: number;
}

export interface FileSpec {
  readonly path: string;
  readonly content?: string;
  readonly json?: unknown;
  readonly perEnvironment?: boolean;
  readonly perStage?: boolean;
  readonly mode?: string;
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
  };
  readonly repository?: { readonly path?: string; readonly url?: string; readonly base?: string };
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
