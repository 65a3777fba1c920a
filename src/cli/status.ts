/** gaia status: environments and session groups as they are now, from one bulk observation. */
import type { Command } from 'commander';
import type { Model } from '../manifest/model.js';
import { assessHealth } from '../ops/health.js';
import { probeHealth } from '../ops/health-probe.js';
import { syncStatus } from '../ops/reconcile.js';
import { buildStatus } from '../ops/status.js';
import { filterStatus } from '../ops/status-model.js';
import { UserError } from './errors.js';
import { formatOptions, printReport, type FormatFlags } from './format.js';
import { DEFAULT_FILE, withProject } from './project.js';

interface StatusFlags extends FormatFlags {
  file: string;
  group?: string;
  env?: string;
}

export function register(program: Command, _setCode: (code: number) => void): void {
  const cmd = program
    .command('status')
    .description('every environment (branch, ahead/behind, dirty files, databases, ports) and session group (up/down, provider, uptime, command)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--group <group>', 'only this session group')
    .option('--env <env>', 'only this environment and the sessions working in it');
  formatOptions(cmd, 'status', 'the status', { json: 'print the status as JSON (what the dashboard serves)' })
    .action(async (opts: StatusFlags) => {
      await withProject(opts.file, async (project) => {
        checkNames(project.model, opts);
        const [full, sync] = await Promise.all([buildStatus(project), syncStatus(project)]);
        const report = filterStatus(full, { ...(opts.group ? { group: opts.group } : {}), ...(opts.env ? { env: opts.env } : {}) });
        const health = assessHealth(full, probeHealth(project.ctx.host, project.model, full, project.ctx.settings.sqlite.cacheDir)).verdict;
        printReport(opts, 'status', { report, sync, health });
      });
    });
}

/** Unknown names are errors that list the valid ones. */
export function checkNames(model: Pick<Model, 'groups' | 'environments'>, opts: { readonly group?: string; readonly env?: string }): void {
  if (opts.group !== undefined && !model.groups.some((g) => g.name === opts.group)) {
    throw new UserError(`unknown group "${opts.group}"`, `groups: ${model.groups.map((g) => g.name).join(', ') || 'none defined'}`);
  }
  if (opts.env !== undefined && !model.environments.some((e) => e.name === opts.env)) {
    throw new UserError(`unknown environment "${opts.env}"`, `environments: ${model.environments.map((e) => e.name).join(', ') || 'none defined'}`);
  }
}
