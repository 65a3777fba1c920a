/** Drift of a whole project: observe everything gaia owns (one bulk observation, as a plan does)
 *  and compare it with what was last applied. Reads only; the manifest's intent plays no part. */
import { detectDrift, type DriftReport } from '../core/drift.js';
import type { PlanWarning } from '../core/plan.js';
import { HOST_UNREACHABLE, observeEverywhere, unreachableText } from '../engine/hosts.js';
import type { Project } from '../engine/project.js';
import { kindSpecs } from '../providers/registry.js';

export interface ProjectDrift {
  readonly report: DriftReport;
  readonly warnings: readonly PlanWarning[];
}

export async function projectDrift(project: Pick<Project, 'store' | 'ctx' | 'sides'>): Promise<ProjectDrift> {
  const all = await project.store.recorded();
  const observation = await observeEverywhere(project, [], all);
  // What is on a host that cannot be reached has not drifted: it is unknown.
  const unknown = new Set(observation.unreachable.flatMap((u) => u.addresses));
  const recorded = all.filter((r) => !unknown.has(r.address));
  const warnings: PlanWarning[] = [
    ...observation.unreachable.map((u) => ({ code: HOST_UNREACHABLE, text: unreachableText(u) })),
    ...observation.warnings,
  ];
  return { report: detectDrift(recorded, observation.observed, kindSpecs, project.ctx.digests), warnings };
}
