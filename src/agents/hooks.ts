/** Hooks from the manifest run around an apply's changes: a group's hooks for each of its sessions,
 *  the environments' hooks for each worktree. `before_destroy` runs before a delete or replace
 *  reaches its provider (a failure stops that change, unless --force); `after_create` after a create
 *  or replace landed (a failure fails the change; what was created stays). Each hook in the order
 *  written, with its own timeout; each run is returned as a step for the apply's history, with its
 *  exit code and the tail of its output.
 *
 *  A string hook is the manifest author's shell text, run by `sh -c` as written (gaia substitutes
 *  nothing into it: the facts come as environment variables); an array runs directly. */
import path from 'node:path';
import type { Change } from '../core/plan.js';
import type { Json } from '../core/resource.js';
import type { ChangeHooks, HookPass } from '../engine/apply.js';
import type { CommandResult } from '../host/exec.js';
import type { HostFiles } from '../host/host.js';
import type { HookInfo, Model } from '../manifest/model.js';
import type { ObserveContext } from '../providers/provider.js';
import type { StepRecord } from '../state/store.js';

export type HookEvent = 'after_create' | 'before_destroy';

/** What a change's hooks need: the hooks, where they run and what they are told. */
export interface HookCall {
  readonly hooks: readonly HookInfo[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

type HookModel = Pick<Model, 'groups' | 'environments' | 'environmentHooks' | 'root'>;

const OUTPUT_TAIL = 4000;
const str = (v: Json | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The hooks of a change for an event, or undefined when it has none. Pure. */
export function hookCall(change: Change, event: HookEvent, model: HookModel, tmuxSocket: string | undefined): HookCall | undefined {
  const a = change.after ?? change.before ?? {};
  const b = change.before ?? {};
  const common = {
    GAIA_EVENT: event, GAIA_ADDRESS: change.address, GAIA_ACTION: change.action,
    GAIA_PROJECT_ROOT: model.root, GAIA_TMUX_SOCKET: tmuxSocket ?? '',
  };
  const dot = change.address.indexOf('.');
  const name = change.address.slice(dot + 1);
  switch (change.kind) {
    case 'tmux_session': {
      const group = str(a.group) ?? str(b.group);
      const hooks = model.groups.find((g) => g.name === group)?.hooks?.[event] ?? [];
      if (!group || hooks.length === 0) return undefined;
      const session = str(a.name) ?? str(b.name) ?? name;
      const env = a.env && typeof a.env === 'object' && !Array.isArray(a.env) ? str((a.env as { readonly [k: string]: Json }).GAIA_ENV) : undefined;
      return { hooks, cwd: str(a.cwd) ?? str(b.cwd) ?? '.', env: { ...common, GAIA_SESSION: session, GAIA_GROUP: group, ...(env ? { GAIA_ENV: env } : {}) } };
    }
    case 'git_worktree': {
      const hooks = model.environmentHooks?.[event] ?? [];
      if (hooks.length === 0) return undefined;
      const info = model.environments.find((e) => e.name === name);
      const where = info?.path ?? str(a.path) ?? str(b.path) ?? '.';
      const branch = info?.branch ?? str(a.branch) ?? str(b.branch) ?? '';
      return { hooks, cwd: where, env: { ...common, GAIA_ENV: name, GAIA_ENV_PATH: path.resolve(model.root, where), GAIA_BRANCH: branch } };
    }
    default:
      return undefined;
  }
}

export const hookArgv = (h: HookInfo): readonly string[] => (typeof h.command === 'string' ? ['sh', '-c', h.command] : [...h.command]);

function existingDir(files: HostFiles, root: string, rel: string): string {
  const abs = path.resolve(root, rel);
  try {
    return files.stat(abs)?.kind === 'folder' ? abs : root;
  } catch {
    return root;
  }
}

export interface HookRun {
  readonly ok: boolean;
  readonly step: StepRecord;
  readonly line: string;
}

/** Runs one hook command where its change is: `cwd` relative to that place's root (the root when the
 *  folder is not there). */
export type HookRunner = (argv: readonly string[], cwd: string, env: Readonly<Record<string, string>>, timeoutMs: number) => Promise<CommandResult>;

/** Hooks on this machine, through its Host. */
export function localHookRunner(ctx: Pick<ObserveContext, 'host' | 'root'>): HookRunner {
  return (argv, cwd, env, timeoutMs) =>
    // stoppable: an interrupted apply stops a hook (and what it started) once its grace runs out.
    ctx.host.run(argv, { cwd: existingDir(ctx.host.files, ctx.root, cwd), env, timeoutMs, stoppable: true });
}

/** Run one change's hooks in order, stopping at the first that fails. */
export async function runHooks(change: Change, event: HookEvent, call: HookCall, ctx: Pick<ObserveContext, 'host' | 'root'> | HookRunner, now: () => Date): Promise<readonly HookRun[]> {
  const runs: HookRun[] = [];
  const run = typeof ctx === 'function' ? ctx : localHookRunner(ctx);
  for (const [i, hook] of call.hooks.entries()) {
    const argv = hookArgv(hook);
    const t0 = Date.now();
    let r: CommandResult;
    try {
      r = await run(argv, call.cwd, call.env, hook.timeoutMs);
    } catch (e) {
      // Its host could not be reached, or its worker failed: the hook did not run (as far as anyone knows).
      r = { argv, exitCode: 255, stdout: '', stderr: e instanceof Error ? e.message : String(e), failed: true };
    }
    const ms = Date.now() - t0;
    const timedOut = r.timedOut === true;
    const ok = !r.failed && r.exitCode === 0;
    const output = `${r.stdout}${r.stderr}`.trimEnd();
    const error = ok ? undefined : timedOut ? `timed out after ${hook.timeoutMs / 1000}s` : `exited ${r.exitCode}`;
    const label = `${event} hook ${i + 1}${hook.description ? ` (${hook.description})` : ''}`;
    runs.push({
      ok,
      step: {
        address: change.address, action: label, status: ok ? 'done' : 'failed', at: now().toISOString(), argv,
        ...(error ? { error } : {}), ...(output ? { stderr: output.slice(-OUTPUT_TAIL) } : {}),
      },
      line: `${change.address}: ${label}: ${ok ? `ok in ${ms} ms` : `FAILED (${error})`}${!ok && output ? `: ${output.split('\n').slice(-2).join(' | ')}` : ''}`,
    });
    if (!ok) break;
  }
  return runs;
}

/** The hooks an apply runs, for `applyPlan`'s `hooks` option. `runnerFor` picks where a change's hooks
 *  run (its host's); without one, or when it gives none, on this machine. */
export function applyHooks(
  model: HookModel, ctx: Pick<ObserveContext, 'host' | 'root' | 'settings'>, log: (line: string) => void, now: () => Date = () => new Date(),
  runnerFor: (change: Change) => HookRunner | undefined = () => undefined,
): ChangeHooks {
  const pass = async (changes: readonly Change[], event: HookEvent, force: boolean): Promise<HookPass> => {
    const steps: StepRecord[] = [];
    const failed = new Map<string, string>();
    await Promise.all(changes.map(async (change) => {
      const call = hookCall(change, event, model, ctx.settings.tmux.socket);
      if (!call) return;
      const runs = await runHooks(change, event, call, runnerFor(change) ?? ctx, now);
      for (const r of runs) {
        steps.push(r.step);
        log(r.line);
      }
      const bad = runs.find((r) => !r.ok);
      if (!bad) return;
      if (event === 'before_destroy' && force) log(`${change.address}: going ahead despite the failed ${bad.step.action} (--force)`);
      else failed.set(change.address, event === 'before_destroy'
        ? `refused: its ${bad.step.action} failed (${bad.step.error}); fix the hook, or pass --force to go ahead anyway`
        : `created, but its ${bad.step.action} failed (${bad.step.error})`);
    }));
    return { steps, failed };
  };
  const afterCreate = (c: Change) => c.action === 'create' || c.action === 'replace' || c.hooksPending === true;
  return {
    wantsAfter: (c) => afterCreate(c) && hookCall(c, 'after_create', model, ctx.settings.tmux.socket) !== undefined,
    before: (changes, force) => pass(changes.filter((c) => c.action === 'delete' || c.action === 'replace'), 'before_destroy', force),
    after: (changes) => pass(changes.filter(afterCreate), 'after_create', false),
  };
}
