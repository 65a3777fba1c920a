/** The expanded manifest: concrete environments, groups and resources, ready for the planner and the day-two operations. */
import type { Resource } from '../core/resource.js';
import type { Command, Manifest, RoutingRule } from './types.js';
import type { PathSegment } from './parse.js';
import type { StateLocation } from '../state/location.js';

/** A machine gaia reaches over ssh (`hosts.NAME`); this machine is never one. */
export interface HostInfo {
  readonly name: string;
  /** As ssh takes it, parsed from `ssh:` */
  readonly target: { readonly host: string; readonly user?: string; readonly port?: number };
  /** As written: absolute, or `~/…` (the remote user's home). */
  readonly root: string;
  readonly tmuxSocket?: string;
  readonly channels?: number;
}

export interface StageInfo {
  readonly name: string;
  readonly port?: number;
  /** Database path relative to the project root (on a remote environment: to its host's root). */
  readonly database?: string;
  readonly vars: { readonly [name: string]: string };
}

export interface EnvironmentInfo {
  readonly name: string;
  readonly index: number;
  readonly path: string;
  readonly branch: string;
  readonly base: string;
  readonly source: 'worktree' | 'clone';
  readonly sync: 'rebase' | 'merge';
  readonly stages: readonly StageInfo[];
  /** The remote host it lives on (its path relative to that host's root); absent: this machine. */
  readonly host?: string;
}

export interface SessionInfo {
  readonly name: string;
  readonly address: string;
  readonly group: string;
  readonly provider: string | null;
  readonly env?: string;
  readonly cwd: string;
  readonly costPerMonth: number;
  readonly agent: boolean;
  /** The remote host it runs on (its cwd relative to that host's root); absent: this machine. */
  readonly host?: string;
}

export interface GroupInfo {
  readonly name: string;
  readonly description?: string;
  readonly sessions: readonly SessionInfo[];
  readonly costAdjustment: number;
  readonly perEnvironment: boolean;
  /** The name pattern as written (`pr_impl{n}`), for recognising unmanaged sessions. */
  readonly pattern?: string;
  /** Text gaia delivers waits until this shows in the pane. */
  readonly ready?: ReadyInfo;
  readonly hooks?: HooksInfo;
  readonly policy?: PolicyInfo;
}

export interface ReadyInfo {
  readonly pattern: string;
  readonly timeoutMs: number;
}

export interface HookInfo {
  /** A string runs with `sh -c`, an array directly. */
  readonly command: Command;
  readonly timeoutMs: number;
  readonly description?: string;
}

export interface HooksInfo {
  readonly after_create: readonly HookInfo[];
  readonly before_destroy: readonly HookInfo[];
}

export interface PolicyInfo {
  readonly maxConcurrentStarts?: number;
  readonly startIntervalMs: number;
  readonly budget?: number;
  readonly onBudget: 'warn' | 'refuse';
}

export interface Model {
  readonly manifest: Manifest;
  /** Manifest file as given (for messages) and the absolute project root (its folder). */
  readonly file: string;
  readonly root: string;
  readonly tmuxSocket?: string;
  /** The remote hosts defined under hosts:, in manifest order (used or not). */
  readonly hosts: readonly HostInfo[];
  /** settings.ssh.config as written: ssh's -F file. */
  readonly sshConfig?: string;
  /** Where the state store lives (a SQLite file, or a shared PostgreSQL database). */
  readonly state: StateLocation;
  readonly parallelism: number;
  readonly environments: readonly EnvironmentInfo[];
  readonly groups: readonly GroupInfo[];
  readonly resources: readonly Resource[];
  readonly routing: { readonly rules: readonly RoutingRule[]; readonly default?: string };
  /** Hooks run for every environment (environments.hooks). */
  readonly environmentHooks?: HooksInfo;
  readonly warnings: readonly string[];
  /** Hash of the manifest text, recorded with each apply. */
  readonly manifestHash: string;
}

/** A problem found while expanding, placed by manifest path (the loader turns it into line:col). */
export interface Problem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly fix?: string;
  readonly at?: 'key' | 'value';
}
