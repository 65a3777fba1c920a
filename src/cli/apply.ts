/** gaia apply / gaia destroy: plan under the lock, confirm, execute, report every step. */
import type { Command } from 'commander';
import { hasChanges, type Plan } from '../core/plan.js';
import { applyHooks } from '../agents/hooks.js';
import { applyPlan } from '../engine/apply.js';
import { HOST_UNREACHABLE, hookRunnerFor } from '../engine/hosts.js';
import { dryRun } from '../engine/dry-run.js';
import { makePlan } from '../engine/plan.js';
import type { Project } from '../engine/project.js';
import { renderApplySummary, renderDryRun } from '../render/apply-terminal.js';
import { renderPlanTerminal } from '../render/plan-terminal.js';
import type { LockHolder } from '../state/store.js';
import { holderText } from '../render/lock-holder.js';
import { UserError } from './errors.js';
import { catchInterruptions, type Interruption } from './interrupt.js';
import { err, isInteractive, out, parseDuration, terminalConfirm, useColor, type Confirm } from './io.js';
import { collect, DEFAULT_FILE, gaiaCommand, withProject } from './project.js';
import { readPlanFile } from './plan-file.js';
import { durationText, wholeNumberText } from './flags.js';
import { applyOutput, PROGRESS_MIN } from './apply-output.js';
import { stateName } from '../state/location.js';

export interface ApplyFlags {
  file: string;
  autoApprove?: boolean;
  dryRun?: boolean;
  parallelism?: string;
  target?: string[];
  allowDataLoss?: boolean;
  force?: boolean;
  lockTimeout: string;
  /** false with --no-progress: a line per change on a terminal too. */
  progress?: boolean;
}

export function register(program: Command, setCode: (code: number) => void): void {
  const common = (cmd: Command) => cmd
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--auto-approve', 'do not ask for confirmation')
    .option('--dry-run', 'print the exact commands each step would run; change nothing')
    .option('--parallelism <n>', 'how many provider batches run at once', wholeNumberText(1))
    .option('--target <address>', 'limit to this address and what it needs (repeatable)', collect)
    .option('--allow-data-loss', 'allow deleting databases that hold rows (a backup is written first)')
    .option('--force', 'allow removing worktrees with uncommitted or unpushed work, and unmerged branches')
    .option('--lock-timeout <duration>', 'how long to wait for another apply to finish', durationText, '0s')
    .option('--no-progress', `on a terminal, a line per change instead of one progress line (which applies of more than ${PROGRESS_MIN} changes get)`);

  common(program.command('apply [planfile]').description('make the world match the manifest'))
    .action(async (planfile: string | undefined, opts: ApplyFlags) => {
      setCode(await interruptible((interruption) => withProject(opts.file, (p) => runApply(p, { ...opts, planfile, destroy: false }, interruption))));
    });
  common(program.command('destroy').description('remove everything gaia owns, dependents first'))
    .action(async (opts: ApplyFlags) => {
      setCode(await interruptible((interruption) => withProject(opts.file, (p) => runApply(p, { ...opts, destroy: true }, interruption))));
    });
}

/** Signals are caught from before the project opens: one that comes while the state is read still ends
 *  the command as an interruption (exit 128+n), not a crash. */
async function interruptible(fn: (interruption: Interruption) => Promise<number>): Promise<number> {
  const interruption = catchInterruptions((line) => err(line));
  try {
    return await fn(interruption);
  } finally {
    interruption.dispose();
  }
}

export async function runApply(
  project: Project,
  opts: ApplyFlags & { planfile?: string; destroy: boolean },
  interruption: Interruption,
  confirm: Confirm = terminalConfirm,
): Promise<number> {
  const saved = opts.planfile ? readSavedPlan(opts.planfile, project, opts.file) : undefined;
  const targets = saved?.targets ?? opts.target;
  const destroy = saved?.destroy ?? opts.destroy;
  const planOptions = { ...(targets?.length ? { targets } : {}), destroy };
  const color = useColor();

  if (opts.dryRun) {
    const { plan } = await makePlan(project, planOptions);
    out(renderPlanTerminal(plan, { color }));
    if (hasChanges(plan)) out(renderDryRun(await dryRun(plan, project.ctx, project.sides)));
    return 0;
  }

  const parallelism = opts.parallelism === undefined ? project.model.parallelism : Number(opts.parallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new UserError(`--parallelism must be a positive whole number, not "${opts.parallelism}"`);
  const command = `gaia ${destroy ? 'destroy' : 'apply'}`;
  const lock = await storeWrites(project, () => project.store.acquireLock(command, parseDuration(opts.lockTimeout)));
  if (lock.kind === 'held') {
    throw new UserError(`the state is locked by ${holderText(lock.holder)}, which is still running`, 'wait for it to finish, or pass --lock-timeout 5m to wait');
  }
  if (lock.tookOver) out(tookOverText(lock.tookOver));
  // A shared store's lock can be lost under a running apply (its connection ended): then it starts
  // nothing new, as when interrupted, for another gaia may take the lock over.
  const lockLost = lock.lost;
  lockLost?.addEventListener('abort', () => out(`\nLost the state lock (${stateName(project.model.state)}: ${(lockLost.reason as Error).message}): starting nothing new; running steps finish.`));
  const stop = lockLost ? AbortSignal.any([interruption.signal, lockLost]) : interruption.signal;
  try {
    const { plan } = await makePlan(project, planOptions);
    if (saved && saved.fingerprint !== plan.fingerprint) {
      throw new UserError(`the saved plan ${opts.planfile} is stale: the world or the state changed since it was made`, replanHint(saved, opts.planfile!, opts.file));
    }
    out(renderPlanTerminal(plan, { color }));
    const cancelled = () => {
      out(`${destroy ? 'Destroy' : 'Apply'} cancelled.`);
      return interruption.exitCode() ?? 1;
    };
    if (interruption.signal.aborted) return cancelled();
    if (!hasChanges(plan)) return plan.conflicts.length ? conflictsRemain(plan) : hostsLeftOut(plan);
    if (!opts.autoApprove && !saved) {
      if (!isInteractive()) throw new UserError('refusing to apply without confirmation: not running in a terminal', 'review the plan, then run again with --auto-approve');
      if (!(await confirm(`Do you want gaia to perform these actions?`)) || interruption.signal.aborted) return cancelled();
    }
    await backUpState(project);
    const output = applyOutput({
      tty: opts.progress !== false && process.stdout.isTTY === true && process.env.TERM !== 'dumb',
      columns: () => process.stdout.columns || 80,
      write: (text) => process.stdout.write(text),
      now: () => Date.now(),
    }, destroy);
    const result = await storeWrites(project, () => applyPlan(plan, project.store, { ...project.ctx, parallelism }, {
      allowDataLoss: opts.allowDataLoss ?? false,
      force: opts.force ?? false,
      backupDir: project.backupDir,
      command,
      manifestHash: project.model.manifestHash,
      log: output.log,
      onEvent: output.onEvent,
      hooks: applyHooks(project.model, project.ctx, output.log, undefined, hookRunnerFor(project.sides)),
      signal: stop,
      sides: project.sides,
    })).finally(output.finish);
    out(renderApplySummary(result, destroy, interruption.received()));
    if (result.storeError !== undefined) {
      throw new UserError(`the state store ${stateName(project.model.state)} stopped taking writes: ${result.storeError}`,
        'free space or make its folder writable, then run `gaia apply`: what ran before is recorded, and what ran since carries write-ahead records, so nothing is lost');
    }
    if (lockLost?.aborted) throw new UserError(`the state lock was lost while applying (${stateName(project.model.state)}); what ran is recorded where the store could still be written`,
      'run `gaia plan` to see what is left, then `gaia apply` again');
    if (result.interrupted) return interruption.exitCode() ?? 1;
    if (!result.ok) return 1;
    return plan.conflicts.length ? conflictsRemain(plan) : hostsLeftOut(plan);
  } finally {
    await lock.release();
  }
}

/** Hosts that could not be reached had nothing applied: the apply is not complete (exit 1), said once more at the end. */
function hostsLeftOut(plan: Plan): number {
  const left = plan.warnings.filter((w) => w.code === HOST_UNREACHABLE);
  if (left.length === 0) return 0;
  err(`Not applied on ${left.length} host${left.length === 1 ? '' : 's'} that could not be reached (see the warning${left.length === 1 ? '' : 's'} above): run gaia apply again once ${left.length === 1 ? 'it answers' : 'they answer'}.`);
  return 1;
}

/** A copy of the store before this apply changes it; a store that cannot even be copied (a full disk)
 *  stops the apply before anything is done. */
async function backUpState(project: Project): Promise<void> {
  try {
    await project.store.backUp();
  } catch (e) {
    throw new UserError(`cannot back up the state store ${stateName(project.model.state)} before applying: ${(e as Error).message}`,
      'free space or make its folder writable, then run the command again; nothing was changed');
  }
}

/** A store that refuses the apply's first write (its history row): nothing was done yet. */
async function storeWrites<T>(project: Project, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/.test(code)) throw e;
    throw new UserError(`the state store ${stateName(project.model.state)} cannot be written: ${(e as Error).message}`,
      'free space or make its folder writable, then run the command again; nothing was changed');
  }
}

/** Conflicts are things the manifest wants that gaia may not touch: the apply did not make the world match. */
function conflictsRemain(plan: Plan): number {
  const n = plan.conflicts.length;
  out(`\n${n} conflict${n === 1 ? '' : 's'} remain${n === 1 ? 's' : ''} unresolved (see above): the world does not match the manifest yet.`);
  return 1;
}

function readSavedPlan(path: string, project: Project, file: string): Plan {
  const plan = readPlanFile(path, gaiaCommand(file, 'plan', ['-o', path]));
  if (plan.manifest.hash !== project.model.manifestHash) {
    throw new UserError(`the saved plan ${path} is stale: ${project.model.file} changed since it was made`, replanHint(plan, path, file));
  }
  return plan;
}

/** The commands that make the saved plan again (same targets, same kind) and apply it. */
function replanHint(plan: Plan, path: string, file: string): string {
  const targets = (plan.targets ?? []).flatMap((t) => ['--target', t]);
  const replan = gaiaCommand(file, 'plan', [...(plan.destroy ? ['--destroy'] : []), ...targets, '-o', path]);
  return `run \`${replan}\` again, then \`${gaiaCommand(file, 'apply', [path])}\``;
}


export const tookOverText = (h: LockHolder): string =>
  `Took over the lock of ${h.command} (pid ${h.pid} on ${h.host}, since ${h.since}), which died; its unfinished work is in this plan.`;
