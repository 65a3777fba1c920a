/** gaia apply / gaia destroy: plan under the lock, confirm, execute, report every step. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { hasChanges, PLAN_FORMAT_VERSION, type Plan } from '../core/plan.js';
import { applyHooks } from '../agents/hooks.js';
import { applyPlan, type ApplyResult } from '../engine/apply.js';
import { makePlan } from '../engine/plan.js';
import type { Project } from '../engine/project.js';
import { quoteForDisplay } from '../providers/exec.js';
import { providerFor } from '../providers/registry.js';
import { renderPlanTerminal } from '../render/plan-terminal.js';
import { UserError } from './errors.js';
import { isInteractive, out, parseDuration, terminalConfirm, useColor, type Confirm } from './io.js';
import { collect, DEFAULT_FILE, withProject } from './project.js';

export interface ApplyFlags {
  file: string;
  autoApprove?: boolean;
  dryRun?: boolean;
  parallelism?: string;
  target?: string[];
  allowDataLoss?: boolean;
  force?: boolean;
  lockTimeout: string;
}

export function register(program: Command, setCode: (code: number) => void): void {
  const common = (cmd: Command) => cmd
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--auto-approve', 'do not ask for confirmation')
    .option('--dry-run', 'print the exact commands each step would run; change nothing')
    .option('--parallelism <n>', 'how many provider batches run at once')
    .option('--target <address>', 'limit to this address and what it needs (repeatable)', collect)
    .option('--allow-data-loss', 'allow deleting databases that hold rows (a backup is written first)')
    .option('--force', 'allow removing worktrees with uncommitted or unpushed work, and unmerged branches')
    .option('--lock-timeout <duration>', 'how long to wait for another apply to finish', '0s');

  common(program.command('apply [planfile]').description('make the world match the manifest'))
    .action(async (planfile: string | undefined, opts: ApplyFlags) => {
      setCode(await withProject(opts.file, (p) => runApply(p, { ...opts, planfile, destroy: false })));
    });
  common(program.command('destroy').description('remove everything gaia owns, dependents first'))
    .action(async (opts: ApplyFlags) => {
      setCode(await withProject(opts.file, (p) => runApply(p, { ...opts, destroy: true })));
    });
}

export async function runApply(
  project: Project,
  opts: ApplyFlags & { planfile?: string; destroy: boolean },
  confirm: Confirm = terminalConfirm,
): Promise<number> {
  const saved = opts.planfile ? readPlanFile(opts.planfile, project) : undefined;
  const targets = saved?.targets ?? opts.target;
  const destroy = saved?.destroy ?? opts.destroy;
  const planOptions = { ...(targets?.length ? { targets } : {}), destroy };
  const color = useColor();

  if (opts.dryRun) {
    const { plan } = await makePlan(project, planOptions);
    out(renderPlanTerminal(plan, { color }));
    if (hasChanges(plan)) out(dryRunSteps(plan, project));
    return 0;
  }

  const parallelism = opts.parallelism === undefined ? project.model.parallelism : Number(opts.parallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new UserError(`--parallelism must be a positive whole number, not "${opts.parallelism}"`);
  const command = `gaia ${destroy ? 'destroy' : 'apply'}`;
  const lock = await project.store.acquireLock(command, parseDuration(opts.lockTimeout));
  if (lock.kind === 'held') {
    const h = lock.holder;
    throw new UserError(
      `the state is locked by ${h.command} (pid ${h.pid} on ${h.host}, since ${h.since})`,
      lock.dead
        ? `that process no longer runs; if no gaia is running, clear the lock with \`gaia state unlock\``
        : `wait for it to finish, or pass --lock-timeout 5m to wait`,
    );
  }
  try {
    const { plan } = await makePlan(project, planOptions);
    if (saved && saved.fingerprint !== plan.fingerprint) {
      throw new UserError(`the saved plan ${opts.planfile} is stale: the world or the state changed since it was made`, 'run `gaia plan -out FILE` again');
    }
    out(renderPlanTerminal(plan, { color }));
    if (!hasChanges(plan)) return 0;
    if (!opts.autoApprove && !saved) {
      if (!isInteractive()) throw new UserError('refusing to apply without confirmation: not running in a terminal', 'review the plan, then run again with --auto-approve');
      if (!(await confirm(`Do you want gaia to perform these actions?`))) {
        out('Apply cancelled.');
        return 1;
      }
    }
    const result = await applyPlan(plan, project.store, { ...project.ctx, parallelism }, {
      allowDataLoss: opts.allowDataLoss ?? false,
      force: opts.force ?? false,
      backupDir: project.backupDir,
      command,
      manifestHash: project.model.manifestHash,
      log: (line) => out(line),
      hooks: applyHooks(project.model, project.ctx, (line) => out(line)),
    });
    out(applySummary(result, destroy));
    return result.ok ? 0 : 1;
  } finally {
    await lock.release();
  }
}

function readPlanFile(path: string, project: Project): Plan {
  let plan: Plan;
  try {
    plan = JSON.parse(readFileSync(path, 'utf8')) as Plan;
  } catch (e) {
    throw new UserError(`cannot read plan file ${path}: ${(e as Error).message}`);
  }
  if (plan?.formatVersion !== PLAN_FORMAT_VERSION) throw new UserError(`${path} is not a gaia plan of format ${PLAN_FORMAT_VERSION}`);
  if (plan.manifest.hash !== project.model.manifestHash) {
    throw new UserError(`the saved plan ${path} is stale: ${project.model.file} changed since it was made`, 'run `gaia plan -out FILE` again');
  }
  return plan;
}

export function dryRunSteps(plan: Plan, project: Project): string {
  const lines = ['Dry run: these are the exact steps apply would run. Nothing was changed.', ''];
  for (const c of plan.changes) {
    if (c.action === 'noop') continue;
    lines.push(`${c.address} (${c.action}):`);
    if (c.action === 'adopt' || c.stateOnly) lines.push(`  record in the state store only`);
    else {
      for (const s of providerFor(c.kind).steps(c, project.ctx)) {
        lines.push(s.argv ? `  $ ${s.argv.map(quoteForDisplay).join(' ')}${s.cwd ? `   (in ${s.cwd})` : ''}` : `  - ${s.description}`);
      }
    }
  }
  return lines.join('\n');
}

export function applySummary(result: ApplyResult, destroy: boolean): string {
  const n = (action: string) => result.results.filter((r) => r.status === 'done' && r.action === action).length;
  const bad = result.results.filter((r) => r.status !== 'done');
  const counts = `${n('create')} added, ${n('update')} changed, ${n('replace')} replaced, ${n('delete')} destroyed${n('adopt') ? `, ${n('adopt')} adopted` : ''}`;
  if (result.ok) return `\n${destroy ? 'Destroy' : 'Apply'} complete! Resources: ${counts}. (${(result.ms / 1000).toFixed(1)}s)`;
  const lines = ['', `${destroy ? 'Destroy' : 'Apply'} finished with errors. Resources: ${counts}.`];
  for (const r of bad) {
    lines.push(`  ${r.status.toUpperCase()} ${r.address} (${r.action}): ${r.error ?? ''}`);
    if (r.stderr && !(r.error ?? '').includes(r.stderr.trim())) lines.push(`    stderr: ${r.stderr.trim()}`);
  }
  lines.push('Run `gaia plan` to see what remains; the next apply continues from here.');
  return lines.join('\n');
}
