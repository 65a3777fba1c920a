/** `checkHealth(project)`: the status observation, the in-process probes, the pure verdict. */
import type { Project } from '../engine/project.js';
import { assessHealth, type HealthProbes, type HealthReport } from './health.js';
import { groupBy } from '../core/collections.js';
import { remoteSideOf } from '../engine/hosts.js';
import { unlessHostGone } from '../host/ssh/worker-client.js';
import { probeHealth } from './health-probe.js';
import { buildStatus, type StatusOptions } from './status.js';

export async function checkHealth(project: Project, options: StatusOptions = {}): Promise<HealthReport> {
  const status = await buildStatus(project, options);
  const here = probeHealth(project.ctx.host, project.model, status, project.ctx.settings.sqlite.cacheDir);
  // Each host probes its own environments (those it answered for: an unknown one gets no checks).
  const hosts = groupBy(status.environments.filter((e) => e.host !== undefined && !e.unknown), (e) => e.host!);
  const there = await Promise.all([...hosts].map(async ([host, envs]) => {
    const side = remoteSideOf(project.sides, host);
    const names = new Set(envs.map((e) => e.name));
    // A host that went away since status is shown by its host check the next time.
    return side ? unlessHostGone(side.healthProbes(project.model.environments.filter((e) => names.has(e.name)), { ...status, environments: envs })) : undefined;
  }));
  const probes: HealthProbes = {
    gitOperations: new Map([...here.gitOperations, ...there.flatMap((p) => [...(p?.gitOperations ?? [])])]),
    quickCheck: new Map([...here.quickCheck, ...there.flatMap((p) => [...(p?.quickCheck ?? [])])]),
  };
  return assessHealth(status, probes);
}
