/** Observe, then plan: the read-only half of gaia. */
import { plan as computePlan } from '../core/planner.js';
import type { Plan } from '../core/plan.js';
import type { Recorded } from '../core/resource.js';
import { kindSpecs } from '../providers/registry.js';
import { observeAll, type Observation } from './observe.js';
import type { Project } from './project.js';
import { missingPrograms } from './preflight.js';

export interface PlanOptions {
  readonly targets?: readonly string[];
  /** Plan to remove everything gaia owns (`gaia destroy`). */
  readonly destroy?: boolean;
  readonly now?: () => Date;
}

export interface PlanOutcome {
  readonly plan: Plan;
  readonly observation: Observation;
  readonly recorded: readonly Recorded[];
}

export async function makePlan(project: Project, options: PlanOptions = {}): Promise<PlanOutcome> {
  const { model, store, ctx } = project;
  const recorded = await store.recorded();
  const desired = options.destroy ? [] : model.resources;
  const observation = await observeAll(desired, recorded, ctx);
  const plan = computePlan({
    desired,
    observed: observation.observed,
    recorded,
    specs: kindSpecs,
    manifest: { path: model.file, hash: model.manifestHash },
    now: (options.now?.() ?? new Date()).toISOString(),
    warnings: [...observation.warnings, ...model.warnings.map((text) => ({ code: 'manifest', text })), ...missingPrograms(desired, model.root)],
    ...(options.targets?.length ? { targets: options.targets } : {}),
  });
  return { plan: options.destroy ? { ...plan, destroy: true } : plan, observation, recorded };
}
