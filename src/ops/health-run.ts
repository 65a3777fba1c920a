/** `checkHealth(project)`: the status observation, the in-process probes, the pure verdict. */
import type { Project } from '../engine/project.js';
import { assessHealth, type HealthReport } from './health.js';
import { probeHealth } from './health-probe.js';
import { buildStatus, type StatusOptions } from './status.js';

export async function checkHealth(project: Project, options: StatusOptions = {}): Promise<HealthReport> {
  const status = await buildStatus(project, options);
  return assessHealth(status, probeHealth(project.ctx.host, project.model, status, project.ctx.settings.sqlite.cacheDir));
}
