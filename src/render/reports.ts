/** Every report gaia renders, by name: the one value each command (and the dashboard) hands to a
 *  format. A format (terminal.ts, markdown.ts, json.ts) renders the reports it can. */
import type { DiffReport } from '../core/diff.js';
import type { DriftReport } from '../core/drift.js';
import type { Plan, PlanWarning } from '../core/plan.js';
import type { Recorded } from '../core/resource.js';
import type { Model } from '../manifest/model.js';
import type { ManifestError } from '../manifest/types.js';
import type { CostReport } from '../ops/cost.js';
import type { ReportTables } from '../ops/export.js';
import type { HealthReport, Verdict } from '../ops/health.js';
import type { RoundOutcome, SyncStatus } from '../ops/reconcile.js';
import type { StatusReport } from '../ops/status-model.js';
import type { SendResult } from '../agents/send.js';
import type { AddTaskResult } from '../ops/tasks.js';
import type { ApplyRecord, StepRecord, UnlockResult } from '../state/store.js';
import type { TaskRecord } from '../state/tasks.js';
import type { ApplyEvent } from '../engine/apply.js';
import type { RebuildResult } from '../engine/rebuild.js';
import type { ApplyProgress } from './apply-terminal.js';

export interface DriftView {
  readonly report: DriftReport;
  readonly warnings: readonly PlanWarning[];
  /** When it was checked (the JSON's createdAt). */
  readonly now: string;
}

/** `gaia status`: the environments and groups, and the two axes beside them. */
export interface StatusView {
  readonly report: StatusReport;
  readonly sync: SyncStatus;
  /** Absent where it is not computed (the dashboard serves health on its own route). */
  readonly health?: Verdict;
}

export interface TaskList {
  readonly tasks: readonly TaskRecord[];
  /** Done tasks are included (`--all`). */
  readonly all: boolean;
}

/** One of the report's tables, as the dashboard serves it. */
export interface TableView {
  readonly project: ReportTables['project'];
  readonly generatedAt: ReportTables['generatedAt'];
  readonly name: 'directories' | 'environments' | 'pr_groups';
  readonly rows: unknown;
}

/** `gaia send`: every target's delivery (each was also shown as it settled, on a terminal). */
export interface SendReport {
  readonly results: readonly SendResult[];
}

/** `gaia task add`: the task as recorded, how it was routed, and its delivery if asked for. */
export interface TaskAdded {
  readonly added: Extract<AddTaskResult, { kind: 'added' }>;
  /** The routing rule that chose the group, numbered from 1 as the manifest lists them; undefined: routing.default. */
  readonly ruleNumber?: number;
}

/** `gaia validate`: the manifest's errors, or what it expands to. */
export type ValidateView = {
  readonly file: string;
  /** Not errors: a `fromEnv` variable unset on this machine (plan and apply refuse it). */
  readonly warnings: readonly string[];
} & (
  | { readonly valid: false; readonly errors: readonly ManifestError[] }
  | {
    readonly valid: true;
    readonly model: Model;
    /** Resources by kind, the kinds in the order they first appear. */
    readonly counts: Readonly<Record<string, number>>;
    /** List every resource with its dependencies (`--print-resources`). */
    readonly printResources: boolean;
  }
);

/** `gaia state unlock`, when it did what was asked (a living holder is refused as an error). */
export type StateUnlocked = Extract<UnlockResult, { readonly kind: 'none' | 'cleared' | 'forced' }>;

/** `gaia state history`: the latest applies, newest first, each with its steps. */
export interface StateHistory {
  readonly applies: readonly (ApplyRecord & { readonly steps: readonly StepRecord[] })[];
}

export interface Reports {
  readonly validate: ValidateView;
  /** `gaia state list`: every resource gaia owns. */
  readonly stateList: { readonly recorded: readonly Recorded[] };
  /** `gaia state show`: one owned resource as recorded. */
  readonly stateResource: Recorded;
  readonly stateUnlocked: StateUnlocked;
  /** `gaia state rebuild` moved a damaged store aside, to `path`, before rebuilding. */
  readonly stateSetAside: { readonly path: string };
  readonly stateRebuilt: RebuildResult;
  readonly stateHistory: StateHistory;
  /** One `gaia reconcile` round (with `--watch`, one per round; JSON: one line each). */
  readonly reconcileRound: RoundOutcome;
  readonly plan: Plan;
  readonly diff: DiffReport;
  readonly drift: DriftView;
  readonly health: HealthReport;
  readonly status: StatusView;
  readonly cost: CostReport;
  readonly tasks: TaskList;
  readonly tables: ReportTables;
  readonly table: TableView;
  readonly send: SendReport;
  readonly taskAdded: TaskAdded;
  /** One change of an apply starting or settling: a line of its log. */
  readonly applyStep: ApplyEvent;
  /** A long apply's progress line on a terminal. */
  readonly applyProgress: ApplyProgress;
}

export type ReportName = keyof Reports;

export interface RenderOptions {
  readonly color: boolean;
  /** Show what passes or does not change too. */
  readonly verbose?: boolean;
  /** A size budget (markdown). */
  readonly maxChars?: number;
  /** One document on one line (a stream of JSON lines, e.g. `health --watch --json`). */
  readonly oneLine?: boolean;
  /** The terminal's width in columns, for a line that must not wrap. */
  readonly width?: number;
}

export type Renderer<T> = (value: T, options: RenderOptions) => string;

export interface Format {
  /** What `--<name>` does, completed with the report's noun (e.g. "print the plan as JSON"). */
  readonly describe: (noun: string) => string;
  readonly reports: { readonly [K in ReportName]?: Renderer<Reports[K]> };
  /** Reports that can also come as numbered parts, each within `maxChars` (`--split DIR`). */
  readonly parts?: { readonly [K in ReportName]?: (value: Reports[K], options: RenderOptions) => readonly string[] };
}
