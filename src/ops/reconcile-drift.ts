/** Drift of a whole project: observe everything gaia owns (one bulk observation, as a plan does)
 *  and compare it with what was last applied. Reads only; the manifest's intent plays no part. */
import { detectDrift, type DriftReport } from '../core/drift.js';
import type { PlanWarning } from '../core/plan.js';
import { observeAll } from '../engine/observe.js';
import type { Project } from '../engine/project.js';
import { kindSpecs } from '../providers/registry.js';

export interface ProjectDrift {
  readonly report: DriftReport;
  readonly warnings: readonly PlanWarning[];
}

export async function projectDrift(project: Pick<Project, 'store' | 'ctx'>): Promise<ProjectDrift> {
  const recorded = await project.store.recorded();
  const observation = await observeAll([], recorded, project.ctx);
  return { report: detectDrift(recorded, observation.observed, kindSpecs, project.ctx.digests), warnings: observation.warnings };
}
