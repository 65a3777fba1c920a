/** GitOps, pull-based (Argo CD / Flux style): each round fetches the manifest's repository, moves the
 *  machine's working copy to the followed ref when the manifest there is valid, plans, and applies
 *  under the manifest's sync policy. Every round is recorded; invalid revisions are refused and the
 *  last good one keeps running; sessions that keep dying back off. Holds the apply lock per round. */
import path from 'node:path';
import { hasChanges, type Plan } from '../core/plan.js';
import type { Observed } from '../core/resource.js';
import { applyPlan, type ApplyResult } from '../engine/apply.js';
import { makePlan, type PlanOutcome } from '../engine/plan.js';
import { contextOnStore, openProject, type Project } from '../engine/project.js';
import type { ManifestError } from '../manifest/types.js';
import type { Host } from '../host/host.js';
import { nameOf } from '../providers/tmux/session.js';
import { LockLost, type LockResult, type ReconcileRecord, type StateStore } from '../state/store.js';
import {
  DEFAULT_BACKOFF, delayAfter, isCrashLooping, parseBackoff, restarted, settle,
  type BackoffPolicy, type BackoffState,
} from './reconcile-backoff.js';
import { fastForward, fetchFor, git, locate, moveBack, nearestGitTop, resolveCommit } from './reconcile-git.js';
import { isDeadSession, lastOutput } from './reconcile-heal.js';
import { loadManifestAt } from './reconcile-manifest.js';
import { applyPolicy, syncPolicy, type Held, type SyncPolicy } from './reconcile-policy.js';
import { crashLoopText, roundSummary, type CrashLoop } from './reconcile-summary.js';

export const RECONCILE_COMMAND = 'gaia reconcile';
/** State-store keys: self-heal back-off per session, and the revision the machine runs. */
export const BACKOFF_KEY = 'reconcile.backoff';
export const REVISION_KEY = 'reconcile.revision';

export interface ReconcileOptions {
  /** The manifest; relative paths are inside `repo` when it is given, else from the current folder. */
  readonly file: string;
  /** The machine's working copy (default: the repository holding the manifest). */
  readonly repo?: string;
  /** What to follow (default: the current branch's upstream, else HEAD). */
  readonly ref?: string;
  /** `git fetch` first (default true). */
  readonly fetch?: boolean;
  /** The machine the working copy and the manifest's resources are on. */
  readonly host: Host;
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
  readonly backoff?: BackoffPolicy;
  /** Aborted: a round not yet applying is abandoned; one applying finishes. */
  readonly signal?: AbortSignal;
  readonly lockTimeoutMs?: number;
}

/**
 * - `synced`: nothing to do; `applied`: changes made, nothing left out;
 * - `out-of-sync`: the policy left something undone (manual mode, prune or selfHeal off, back-off);
 * - `failed`: a change failed; `refused`: the new revision (or the working copy) cannot be used;
 * - `locked`: another apply or reconcile holds the lock (not recorded); `abandoned`: stopped by a signal.
 */
export type RoundResult = 'synced' | 'applied' | 'out-of-sync' | 'failed' | 'refused' | 'locked' | 'abandoned';

export interface RoundOutcome {
  readonly result: RoundResult;
  /** The revision the machine runs after this round (the last good one). */
  readonly revision?: string;
  /** The revision found at the followed ref, when it differs from `revision` (refused). */
  readonly offered?: string;
  readonly ref?: string;
  readonly summary: string;
  readonly errors: readonly ManifestError[];
  readonly error?: string;
  readonly policy?: SyncPolicy;
  readonly plan?: Plan;
  readonly held: readonly Held[];
  readonly restarted: readonly string[];
  readonly crashLooping: readonly CrashLoop[];
  readonly apply?: ApplyResult;
  readonly startedAt: string;
  readonly finishedAt: string;
}

const EMPTY = { errors: [], held: [], restarted: [], crashLooping: [] } as const;

function manifestPathOf(options: ReconcileOptions): string {
  return options.repo && !path.isAbsolute(options.file) ? path.resolve(options.repo, options.file) : path.resolve(options.file);
}

/** One reconcile round. Never throws for a bad revision or a failed step: the outcome says what happened. */
export async function reconcileRound(options: ReconcileOptions): Promise<RoundOutcome> {
  const host = options.host;
  const clock = () => options.now?.() ?? new Date();
  const log = options.log ?? (() => undefined);
  const startedAt = clock().toISOString();
  const done = (o: Omit<RoundOutcome, 'startedAt' | 'finishedAt' | 'errors' | 'held' | 'restarted' | 'crashLooping'> & Partial<RoundOutcome>): RoundOutcome =>
    ({ ...EMPTY, ...o, startedAt, finishedAt: clock().toISOString() });

  const file = manifestPathOf(options);
  // Not in a working copy at all: say so before opening (and creating) any state.
  if (!nearestGitTop(host.files, path.resolve(options.repo ?? path.dirname(file)))) {
    const error = `${options.repo ?? path.dirname(file)} is not inside a git repository; gaia reconcile follows a git ref`;
    return done({ result: 'failed', summary: error, error });
  }
  // Independent look-ups side by side: a round with nothing to do should cost no more than a plan.
  const [where, opened] = await Promise.all([locate(host, file, options.repo, options.ref === undefined), openProject(file, host)]);
  if (!where.ok) {
    if (opened.ok) await opened.project.close();
    return done({ result: 'failed', summary: where.error, error: where.error });
  }
  const { top, manifest } = where.value;
  if (!opened.ok) {
    const summary = `the working copy's manifest ${file} is invalid; fix or reset the working copy`;
    return done({ result: 'failed', summary, errors: opened.errors, error: summary });
  }
  let project = opened.project;
  const store = project.store;
  try {
    const lock = await takeLock(store, options.lockTimeoutMs ?? 0, log);
    if (lock.kind === 'held') {
      const h = lock.holder;
      const summary = `the state is locked by ${h.command} (pid ${h.pid} on ${h.host}, since ${h.since})`;
      return done({ result: 'locked', summary, error: summary });
    }
    // A shared store's lock lost under the round (its connection ended) stops it as a signal would.
    const signal = lock.lost ? AbortSignal.any([lock.lost, ...(options.signal ? [options.signal] : [])]) : options.signal;
    const roundOptions: ReconcileOptions = { ...options, ...(signal ? { signal } : {}) };
    const runningBefore = await store.getValue(REVISION_KEY);
    const record = async (o: RoundOutcome): Promise<RoundOutcome> => {
      await store.recordReconcile({
        ...((o.offered ?? o.revision) ? { revision: o.offered ?? o.revision } : {}),
        startedAt: o.startedAt, ...(o.finishedAt ? { finishedAt: o.finishedAt } : {}),
        summary: o.summary, result: o.result, ...(o.error ? { error: o.error } : {}),
      });
      if (o.revision && o.result !== 'refused' && o.revision !== runningBefore) await store.setValue(REVISION_KEY, o.revision);
      return o;
    };
    try {
      // Default: the current branch's upstream, else HEAD itself (then only drift is repaired).
      const ref = options.ref ?? where.value.upstream ?? 'HEAD';
      // The fetch and the plan of what runs now go side by side: with no new revision, that plan is the round's.
      const [target, current] = await Promise.all([
        // Following HEAD itself, nothing fetched could move the working copy.
        followed(host, top, ref, (options.fetch ?? true) && ref !== 'HEAD'),
        makePlan(project, { now: clock }),
      ]);
      const notes = target.fetchError ? [`fetch failed, using what is already fetched: ${target.fetchError}`] : [];
      if (!target.head) return record(done({ result: 'failed', ref, summary: `cannot resolve HEAD in ${top}`, error: `cannot resolve HEAD in ${top}` }));
      if (!target.offered) {
        const error = `${ref} is not a revision in ${top}${target.fetchError ? ` (${target.fetchError})` : ''}`;
        return record(done({ result: 'failed', ref, revision: target.head, summary: error, error }));
      }

      let planned: PlanOutcome = current;
      if (target.offered !== target.head) {
        const moved = await moveTo(host, top, manifest, ref, target.head, target.offered, file);
        if (!moved.ok) {
          log(`refused ${target.offered.slice(0, 12)}: ${moved.summary}`);
          // The last good revision keeps running, self-heal included; the round still counts as refused.
          const kept = await converge(project, current, { ...roundOptions, clock, log, revision: target.head, ref, notes, done });
          return record(done({
            ...kept, result: 'refused', revision: target.head, offered: target.offered,
            summary: `${moved.summary} | running ${target.head.slice(0, 12)}: ${kept.summary}`,
            errors: moved.errors, error: [moved.error, kept.error].filter(Boolean).join('\n'),
          }));
        }
        // The moved project's context, on the store this round holds (the reopened one is closed).
        project = { ...moved.project, store, ctx: contextOnStore(moved.project.ctx, store), close: project.close };
        log(`moved ${top} from ${target.head.slice(0, 12)} to ${target.offered.slice(0, 12)} (${ref})`);
        planned = await makePlan(project, { now: clock });
      }
      const revision = target.offered;
      return record(await converge(project, planned, { ...roundOptions, clock, log, revision, ref, notes, done }));
    } finally {
      await lock.release();
    }
  } finally {
    await project.close();
  }
}

interface ConvergeContext extends ReconcileOptions {
  readonly clock: () => Date;
  readonly log: (line: string) => void;
  readonly revision: string;
  readonly ref: string;
  readonly notes: readonly string[];
  readonly done: (o: Omit<RoundOutcome, 'startedAt' | 'finishedAt' | 'errors' | 'held' | 'restarted' | 'crashLooping'> & Partial<RoundOutcome>) => RoundOutcome;
}

/** Plan → policy → apply → back-off bookkeeping, for the revision the working copy now holds. */
async function converge(project: Project, planned: PlanOutcome, c: ConvergeContext): Promise<RoundOutcome> {
  const { model, store } = project;
  const policy = syncPolicy(model.manifest.sync);
  const nowMs = c.clock().getTime();
  const backoffPolicy = c.backoff ?? DEFAULT_BACKOFF;
  const before = parseBackoff(await store.getValue(BACKOFF_KEY));
  const observed = new Map(planned.observation.observed.map((o) => [o.address, o]));
  const base = { ref: c.ref, revision: c.revision, policy };

  if (policy.mode === 'manual') {
    const pending = hasChanges(planned.plan);
    const summary = roundSummary({ plan: planned.plan.summary, changed: pending, held: [], crashLooping: [], notes: [...c.notes, ...(pending ? ['sync is manual: run `gaia apply`'] : [])] });
    return c.done({ ...base, result: pending ? 'out-of-sync' : 'synced', summary, plan: planned.plan });
  }

  const decided = applyPolicy(planned.plan, planned.recorded, project.ctx.digests, policy, before, nowMs, backoffPolicy);
  const waiting = decided.held.filter((h) => h.why.kind === 'backoff').map((h) => h.change.address);
  // Read what dying sessions printed before a restart replaces their panes.
  const dead = [...decided.restarts.map((r) => r.address), ...waiting].map((a) => observed.get(a)).filter((o): o is Observed => isDeadSession(o));
  const output = await lastOutput(project.ctx, dead.map((o) => nameOf(o.address, o.attributes)));
  const outputOf = (address: string) => {
    const o = observed.get(address);
    return o ? output.get(nameOf(o.address, o.attributes)) : undefined;
  };

  if (c.signal?.aborted) {
    return c.done({ ...base, result: 'abandoned', summary: 'stopped by a signal before applying; the next round starts over', plan: decided.plan, held: decided.held });
  }

  let apply: ApplyResult | undefined;
  if (hasChanges(decided.plan)) {
    apply = await applyPlan(decided.plan, store, { ...project.ctx, parallelism: model.parallelism }, {
      allowDataLoss: false, force: false, backupDir: project.backupDir, command: RECONCILE_COMMAND,
      manifestHash: model.manifestHash, log: c.log, now: c.clock, ...(c.signal ? { signal: c.signal } : {}), sides: project.sides,
    });
    if (apply.interrupted) {
      const done = apply.results.filter((r) => r.status === 'done').length;
      const why = c.signal?.reason instanceof LockLost ? `the state lock was lost (${c.signal.reason.message})` : 'interrupted by a signal';
      return c.done({ ...base, result: 'abandoned', summary: `${why}: ${done} of ${apply.results.length} changes applied; the next round finishes`, plan: decided.plan, held: decided.held, apply });
    }
  }

  // Back-off: count this round's restarts, keep the evidence, forgive sessions that stayed up.
  let state: BackoffState = before;
  for (const r of decided.restarts) state = restarted(state, r.address, nowMs, outputOf(r.address));
  for (const a of waiting) {
    const out = outputOf(a);
    if (out && state[a]) state = { ...state, [a]: { ...state[a]!, lastOutput: out } };
  }
  const restartedNow = new Set(decided.restarts.map((r) => r.address));
  const alive = new Set(planned.observation.observed.filter((o) => o.kind === 'tmux_session' && !isDeadSession(o) && !restartedNow.has(o.address)).map((o) => o.address));
  const known = new Set(model.resources.filter((r) => r.kind === 'tmux_session').map((r) => r.address));
  state = settle(state, alive, known, nowMs, backoffPolicy);
  if (JSON.stringify(state) !== JSON.stringify(before)) await store.setValue(BACKOFF_KEY, JSON.stringify(state));

  const crashLooping: CrashLoop[] = [...restartedNow, ...waiting]
    .filter((a) => isCrashLooping(state[a], backoffPolicy))
    .map((a) => crashLoopOf(a, state, backoffPolicy));
  for (const loop of crashLooping) c.log(crashLoopText([loop]));

  const failed = apply?.results.filter((r) => r.status !== 'done') ?? [];
  const result: RoundResult = failed.length ? 'failed' : decided.held.length ? 'out-of-sync' : apply ? 'applied' : 'synced';
  const summary = roundSummary({ plan: decided.plan.summary, changed: hasChanges(decided.plan), held: decided.held, crashLooping, notes: c.notes });
  const errors = [
    ...failed.map((r) => `${r.address} (${r.action}): ${r.error ?? r.status}`),
    ...(crashLooping.length ? [crashLoopText(crashLooping)] : []),
  ];
  return c.done({
    ...base, result, summary, plan: decided.plan, held: decided.held, restarted: [...restartedNow], crashLooping,
    ...(apply ? { apply } : {}), ...(errors.length ? { error: errors.join('\n') } : {}),
  });
}

function crashLoopOf(address: string, state: BackoffState, policy: BackoffPolicy): CrashLoop {
  const e = state[address]!;
  return {
    address, restarts: e.restarts,
    nextRestart: new Date(e.lastRestart + delayAfter(e.restarts, policy)).toISOString(),
    ...(e.lastOutput ? { lastOutput: e.lastOutput } : {}),
  };
}

/** The apply lock; a lock left by any gaia that died is taken over (its unfinished work is in this
 *  round's plan). A living holder is reported. */
async function takeLock(store: StateStore, timeoutMs: number, log: (line: string) => void): Promise<LockResult> {
  const lock = await store.acquireLock(RECONCILE_COMMAND, timeoutMs);
  if (lock.kind === 'acquired' && lock.tookOver) {
    const h = lock.tookOver;
    log(`took over the lock of ${h.command} (pid ${h.pid} on ${h.host}, since ${h.since}), which died`);
  }
  return lock;
}

/** Fetch, then what HEAD and the followed ref name. */
async function followed(host: Host, top: string, ref: string, fetch: boolean): Promise<{ head?: string; offered?: string; fetchError?: string }> {
  const fetched = fetch ? await fetchFor(host, top, ref) : { ok: true as const, value: undefined };
  // --revs-only: a ref that names nothing is left out of the output instead of failing the call.
  const r = await git(host, top, ['rev-parse', '--revs-only', '--end-of-options', 'HEAD^{commit}', `${ref}^{commit}`]);
  const lines = r.failed ? [] : r.stdout.trim().split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l));
  const [head, offered] = lines.length === 2 ? lines : [await resolveCommit(host, top, 'HEAD'), undefined];
  return { ...(head ? { head } : {}), ...(offered ? { offered } : {}), ...(fetched.ok ? {} : { fetchError: fetched.error }) };
}

type Moved =
  | { readonly ok: true; readonly project: Project }
  | { readonly ok: false; readonly summary: string; readonly errors: readonly ManifestError[]; readonly error: string };

/** Validate the manifest at `offered` in isolation, fast-forward the working copy, open it there.
 *  Anything wrong: the working copy stays (or goes back) where it was. */
async function moveTo(host: Host, top: string, manifest: string, ref: string, head: string, offered: string, file: string): Promise<Moved> {
  const short = offered.slice(0, 12);
  const loaded = await loadManifestAt(host, top, offered, manifest, short);
  if (loaded.kind === 'missing') {
    const error = `${manifest} does not exist at ${ref} (${short}); keeping ${head.slice(0, 12)}`;
    return { ok: false, summary: error, errors: [], error };
  }
  if (!loaded.result.ok) {
    const errors = loaded.result.errors;
    const summary = `manifest at ${ref} (${short}) is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}); keeping ${head.slice(0, 12)}`;
    return { ok: false, summary, errors, error: errors.map((e) => `${e.file}:${e.line}:${e.col}  ${e.path}: ${e.message}`).join('\n') };
  }
  const ff = await fastForward(host, top, offered);
  if (!ff.ok) return { ok: false, summary: `cannot move to ${ref} (${short}): ${ff.error}`, errors: [], error: ff.error };
  const reopened = await openProject(file, host);
  if (!reopened.ok) {
    // Valid alone but not against this machine's state (ports allocated earlier): step back.
    await moveBack(host, top, head);
    const errors = reopened.errors;
    return { ok: false, summary: `manifest at ${ref} (${short}) is invalid here; keeping ${head.slice(0, 12)}`, errors, error: errors.map((e) => `${e.file}:${e.line}:${e.col}  ${e.path}: ${e.message}`).join('\n') };
  }
  // Only the model and context are wanted; the caller keeps its own store (it holds the lock).
  await reopened.project.close();
  return { ok: true, project: reopened.project };
}

export interface WatchOptions extends ReconcileOptions {
  readonly intervalMs: number;
  readonly onRound?: (outcome: RoundOutcome) => void;
}

/** Rounds until the signal is aborted; a round in progress finishes (or is abandoned before applying). */
export async function reconcileWatch(options: WatchOptions): Promise<void> {
  while (!options.signal?.aborted) {
    const outcome = await reconcileRound(options);
    options.onRound?.(outcome);
    await sleep(options.intervalMs, options.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface SyncStatus {
  /** Argo CD's sync axis: the last round left the machine matching the revision it runs, or not;
   *  Unknown when no round has run. */
  readonly sync: 'Synced' | 'OutOfSync' | 'Unknown';
  /** The revision the machine runs (the last good one). */
  readonly revision?: string;
  readonly lastRound?: ReconcileRecord;
  /** For the health axis: sessions self-heal keeps restarting, with their last output. */
  readonly crashLooping: readonly CrashLoop[];
}

/** The sync axis for `gaia status` and the dashboard, from the recorded rounds (no git, no tmux). */
export async function syncStatus(project: Pick<Project, 'store'>, policy: BackoffPolicy = DEFAULT_BACKOFF): Promise<SyncStatus> {
  const [lastRound] = await project.store.reconciles(1);
  const revision = (await project.store.getValue(REVISION_KEY)) ?? undefined;
  const state = parseBackoff(await project.store.getValue(BACKOFF_KEY));
  const crashLooping = Object.keys(state).filter((a) => isCrashLooping(state[a], policy)).sort().map((a) => crashLoopOf(a, state, policy));
  const sync = !lastRound ? 'Unknown' : lastRound.result === 'synced' || lastRound.result === 'applied' ? 'Synced' : 'OutOfSync';
  return { sync, ...(revision ? { revision } : {}), ...(lastRound ? { lastRound } : {}), crashLooping };
}
