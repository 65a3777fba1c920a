/** gaia drift (and gaia plan --refresh-only): what changed outside gaia since the last apply. */
import type { Command } from 'commander';
import { hasDrift } from '../core/drift.js';
import type { Project } from '../engine/project.js';
import { projectDrift } from '../ops/reconcile-drift.js';
import { renderDriftJson } from '../render/drift-json.js';
import { renderDriftTerminal } from '../render/drift-terminal.js';
import { out, useColor } from './io.js';
import { DEFAULT_FILE, withProject } from './project.js';

export interface DriftFlags {
  readonly json?: boolean;
  readonly detailedExitcode?: boolean;
}

export function register(program: Command, setCode: (code: number) => void): void {
  program
    .command('drift')
    .description('show what changed outside gaia since the last apply (sessions killed, files edited, branches moved, databases deleted); changes nothing')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--json', 'print drift as JSON')
    .option('--detailed-exitcode', 'exit 0 when there is no drift, 2 when there is, 1 on error')
    .action(async (opts: DriftFlags & { file: string }) => {
      setCode(await withProject(opts.file, (project) => runDrift(project, opts)));
    });
}

/** Print the drift; the exit code: 2 with `--detailed-exitcode` when there is drift, else 0. */
export async function runDrift(project: Project, flags: DriftFlags): Promise<number> {
  const { report, warnings } = await projectDrift(project);
  out(flags.json ? renderDriftJson(report, warnings, { now: new Date().toISOString() }) : renderDriftTerminal(report, warnings, { color: useColor() }));
  return flags.detailedExitcode && hasDrift(report) ? 2 : 0;
}
