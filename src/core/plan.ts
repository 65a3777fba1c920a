/** Plans are values: what will change, why, and a fingerprint of the world they were made against. */
import type { Attributes, Json } from './resource.js';

/** The closed set of actions (Terraform's, plus adopt: take ownership of a matching thing, change nothing). */
export type Action = 'create' | 'update' | 'replace' | 'delete' | 'adopt' | 'noop';
export const ACTIONS: readonly Action[] = ['create', 'update', 'replace', 'delete', 'adopt', 'noop'];

/** Why a change is planned. `code` is stable for machines; `text` is a short phrase for people. */
export interface Reason {
  readonly code: string;
  readonly text: string;
}

export interface AttributeDiff {
  readonly path: string;
  readonly before?: Json;
  readonly after?: Json;
  /** This attribute cannot change in place. */
  readonly forcesReplace?: boolean;
  /** A unified diff for long text (file content), made at the edge where the text is known. */
  readonly unified?: string;
}

/** Something a user must notice before approving: a running agent replaced, rows deleted. */
export interface Hazard {
  readonly code: 'running_session' | 'data_loss' | 'unpushed_work' | 'prevent_destroy';
  readonly text: string;
}

export interface Change {
  readonly kind: string;
  readonly address: string;
  readonly action: Action;
  readonly reasons: readonly Reason[];
  /** Attributes as they are now (observed, else recorded); absent for create. */
  readonly before?: Attributes;
  /** Attributes as the manifest wants them; absent for delete. */
  readonly after?: Attributes;
  readonly diffs: readonly AttributeDiff[];
  readonly dependsOn: readonly string[];
  readonly hazards: readonly Hazard[];
  readonly sensitive?: readonly string[];
  /** Spec hash of `after`, recorded on success. */
  readonly specHash?: string;
  /** The thing is already gone; deleting only forgets it in the state store. */
  readonly stateOnly?: boolean;
  /** Its after_create hooks never finished (interrupted, killed or failed): they run with this change. */
  readonly hooksPending?: boolean;
  /** Nothing to change but those hooks: no provider runs. */
  readonly hooksOnly?: boolean;
  /** The old copy of a resource the manifest moved to another host (in `Plan.moves`): where it went. */
  readonly movedTo?: string;
}

/** A thing with a manifest name that gaia does not own: reported, never touched. */
export interface Conflict {
  readonly kind: string;
  readonly address: string;
  readonly text: string;
  readonly fix?: string;
  /** Another gaia project's mark is on it (`name@root`). */
  readonly owner?: string;
}

export interface PlanWarning {
  readonly code: string;
  readonly text: string;
  readonly address?: string;
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly adopt: number;
  readonly noop: number;
  readonly conflicts: number;
}

export const PLAN_FORMAT_VERSION = 1;

/** Spec hash of a record written before its create ran (write-ahead): owned, but maybe not there yet. */
export const PENDING_PREFIX = 'pending:';

/** Spec hash of a record whose after_create hooks have not finished yet (written before they start). */
export const HOOKS_PENDING_PREFIX = 'hooks-pending:';

export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly createdAt: string;
  readonly manifest: { readonly path: string; readonly hash: string };
  /** Hash of everything observed and recorded that the plan depends on; apply refuses a plan whose world moved. */
  readonly fingerprint: string;
  /** Ordered: creates and updates in dependency order, then deletes in reverse dependency order. */
  readonly changes: readonly Change[];
  /** Moving a resource to another host is its create there (in `changes`), then the delete of its old
   *  copy here: these deletes, run after every change, dependents first, each only once its new copy
   *  is there. Same addresses as in `changes`; each runs on its old copy's host. */
  readonly moves?: readonly Change[];
  readonly conflicts: readonly Conflict[];
  readonly warnings: readonly PlanWarning[];
  readonly summary: PlanSummary;
  /** The plan was limited to these addresses (`--target`); applying a saved plan re-plans with them. */
  readonly targets?: readonly string[];
  /** A plan to remove everything gaia owns (`gaia destroy`). */
  readonly destroy?: boolean;
  /** Only drift since the last apply was looked for (`plan --refresh-only`). */
  readonly refreshOnly?: boolean;
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== 'noop') || (plan.moves?.length ?? 0) > 0;
}

export function summarise(changes: readonly Change[], conflicts: number): PlanSummary {
  const count = (a: Action) => changes.filter((c) => c.action === a).length;
  return {
    add: count('create'),
    change: count('update'),
    replace: count('replace'),
    destroy: count('delete'),
    adopt: count('adopt'),
    noop: count('noop'),
    conflicts,
  };
}

/** Fails to compile when an action is added and a switch forgot it. */
export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
