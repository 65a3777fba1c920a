/** gaia plan: what apply would do, for a terminal, a pull request (--markdown) or a machine (--json). */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { hasChanges } from '../core/plan.js';
import { makePlan } from '../engine/plan.js';
import { renderPlanJson } from '../render/plan-json.js';
import { chosenFormat, formatOptions, rendered, writeParts, type FormatFlags } from './format.js';
import { collect, DEFAULT_FILE, gaiaCommand, withProject } from './project.js';
import { out } from './io.js';
import { UserError } from './errors.js';
import { runDrift } from './drift.js';

interface PlanFlags extends FormatFlags {
  file: string;
  out?: string;
  target?: string[];
  detailedExitcode?: boolean;
  maxChars?: string;
  split?: string;
  destroy?: boolean;
  refreshOnly?: boolean;
}

export function register(program: Command, setCode: (code: number) => void): void {
  const cmd = program
    .command('plan')
    .description('show what apply would change, and why')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('-o, --out <planfile>', 'save the plan for `gaia apply PLANFILE`')
    .option('--target <address>', 'limit to this address and what it needs (repeatable)', collect)
    .option('--detailed-exitcode', 'exit 0 when nothing changes, 2 when there are changes, 1 on error');
  formatOptions(cmd, 'plan', 'the plan', { json: 'print the plan as JSON (schemas/plan.schema.json)' })
    .option('--max-chars <n>', 'size budget for --markdown (default 65000)')
    .option('--split <dir>', 'with --markdown: write numbered parts into DIR instead of folding details')
    .option('--destroy', 'plan to remove everything gaia owns')
    .option('--refresh-only', 'only show what changed outside gaia since the last apply (same as gaia drift)')
    .action(async (opts: PlanFlags) => {
      await withProject(opts.file, async (project) => {
        if (opts.refreshOnly) return setCode(await runDrift(project, opts));
        const { plan } = await makePlan(project, { ...(opts.target ? { targets: opts.target } : {}), destroy: opts.destroy ?? false });
        if (opts.out) writeFileSync(opts.out, renderPlanJson(plan));
        const maxChars = opts.maxChars === undefined ? undefined : Number(opts.maxChars);
        if (maxChars !== undefined && !(maxChars >= 1000)) throw new UserError(`--max-chars must be a number of at least 1000, not "${opts.maxChars}"`);
        const format = chosenFormat(opts, 'plan');
        const options = maxChars ? { maxChars } : {};
        if (!(opts.split && writeParts(format, 'plan', plan, opts.split, 'plan', options))) out(rendered(format, 'plan', plan, options));
        if (opts.out && format !== 'json') out(`Saved the plan to ${opts.out}. To perform exactly these actions, run: ${gaiaCommand(opts.file, 'apply', [opts.out])}`);
        if (opts.detailedExitcode && hasChanges(plan)) setCode(2);
      });
    });
}
