/** What the dashboard serves, built by the same functions and renderers as the CLI's `--json`
 *  outputs: `gaia status --json` (plus the reconcile sync axis), `gaia task export`'s tables,
 *  `gaia health --json`, `gaia plan --json`, `gaia task list --json`. Nothing is computed here that
 *  the CLI computes differently.
 *
 *  Each answer opens the project afresh (the manifest may have been edited since the server
 *  started), observes, and closes it; answers are kept for `ttlMs` (1 s) so polling clients share
 *  one observation. Status, the report tables and health come from one observation. */
import { checkNames } from '../cli/status.js';
import { formatManifestError, UserError } from '../cli/errors.js';
import { makePlan } from '../engine/plan.js';
import { openProject, type Project } from '../engine/project.js';
import { reportTables, type ReportTables } from '../ops/export.js';
import { assessHealth, type HealthReport } from '../ops/health.js';
import { probeHealth } from '../ops/health-probe.js';
import { syncStatus, type SyncStatus } from '../ops/reconcile.js';
import { buildStatus } from '../ops/status.js';
import { filterStatus, type StatusReport } from '../ops/status-model.js';
import { render } from '../render/registry.js';
import type { ReportName, Reports } from '../render/reports.js';
import type { Model } from '../manifest/model.js';
import { ttlCache } from './cache.js';

/** A failure to tell the client about: a status code, a message, and lines of detail. */
export class RequestProblem extends Error {
  constructor(readonly status: 400 | 404 | 500, message: string, readonly details: readonly string[] = []) {
    super(message);
  }
}

export type TableName = 'directories' | 'environments' | 'pr_groups';

export interface StatusFilter {
  readonly group?: string;
  readonly env?: string;
}

/** Each returns the JSON text to send. */
export interface DashboardData {
  status(filter: StatusFilter): Promise<string>;
  table(name: TableName): Promise<string>;
  health(): Promise<string>;
  plan(): Promise<string>;
  tasks(all: boolean): Promise<string>;
}

export interface DataOptions {
  /** How long an answer is reused. */
  readonly ttlMs?: number;
  readonly open?: typeof openProject;
}

/** One observation's worth of everything but the plan. */
interface Overview {
  readonly model: Pick<Model, 'groups' | 'environments'>;
  readonly status: StatusReport;
  readonly sync: SyncStatus;
  readonly tables: ReportTables;
  readonly health: HealthReport;
}

/** Every answer is the CLI's `--json` rendering of the same report. */
const json = <K extends ReportName>(report: K, value: Reports[K]): string => render('json', report, value, { color: false })!;

export function dashboardData(file: string, options: DataOptions = {}): DashboardData {
  const cache = ttlCache(options.ttlMs ?? 1000);
  const open = options.open ?? openProject;

  async function withProject<T>(fn: (project: Project) => Promise<T>): Promise<T> {
    const opened = await open(file);
    if (!opened.ok) throw new RequestProblem(500, `the manifest ${file} is invalid`, opened.errors.map(formatManifestError));
    try {
      return await fn(opened.project);
    } finally {
      await opened.project.close();
    }
  }

  const overview = () => cache.get('overview', () => withProject(async (project): Promise<Overview> => {
    // `gaia status` + `gaia task export` + `gaia reconcile`'s sync axis, from one observation;
    // health is `checkHealth` (assess + probe) over that same status instead of a second one.
    const [status, tasks, sync] = await Promise.all([buildStatus(project), project.store.listTasks({}), syncStatus(project)]);
    return {
      model: project.model,
      status,
      sync,
      tables: reportTables(status, tasks),
      health: assessHealth(status, probeHealth(project.ctx.host, project.model, status, project.ctx.settings.sqlite.cacheDir)),
    };
  }));

  return {
    async status(filter) {
      const o = await overview();
      try {
        checkNames(o.model, filter);
      } catch (e) {
        if (e instanceof UserError) throw new RequestProblem(400, e.message, e.hint ? [e.hint] : []);
        throw e;
      }
      return json('status', { report: filterStatus(o.status, filter), sync: o.sync });
    },
    async table(name) {
      const { tables } = await overview();
      const rows: Record<TableName, unknown> = { directories: tables.directories, environments: tables.environments, pr_groups: tables.pr_groups };
      return json('table', { project: tables.project, generatedAt: tables.generatedAt, name, rows: rows[name] });
    },
    async health() {
      return json('health', (await overview()).health);
    },
    plan: () => cache.get('plan', () => withProject(async (project) => json('plan', (await makePlan(project)).plan))),
    tasks: (all) => cache.get(all ? 'tasks:all' : 'tasks:open', () => withProject(async (project) => json('tasks', { tasks: await project.store.listTasks(all ? {} : { status: 'open' }), all }))),
  };
}
