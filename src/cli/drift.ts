/** gaia drift (and gaia plan --refresh-only): what changed outside gaia since the last apply. */
import type { Command } from 'commander';
import { hasDrift } from '../core/drift.js';
import type { Project } from '../engine/project.js';
import { projectDrift } from '../ops/reconcile-drift.js';
import { formatOptions, printReport, type FormatFlags } from './format.js';
import { DEFAULT_FILE, withProject } from './project.js';

export interface DriftFlags extends FormatFlags {
  readonly detailedExitcode?: boolean;
}

export function register(program: Command, setCode: (code: number) => void): void {
  const cmd = program
    .command('drift')
    .description('show what changed outside gaia since the last apply (sessions killed, files edited, branches moved, databases deleted); changes nothing')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE);
  formatOptions(cmd, 'drift', 'drift')
    .option('--detailed-exitcode', 'exit 0 when there is no drift, 2 when there is, 1 on error')
    .action(async (opts: DriftFlags & { file: string }) => {
      setCode(await withProject(opts.file, (project) => runDrift(project, opts)));
    });
}

/** Print the drift; the exit code: 2 with `--detailed-exitcode` when there is drift, else 0. */
export async function runDrift(project: Project, flags: DriftFlags): Promise<number> {
  const { report, warnings } = await projectDrift(project);
  printReport(flags, 'drift', { report, warnings, now: new Date().toISOString() });
  return flags.detailedExitcode && hasDrift(report) ? 2 : 0;
}
