/** Execute a plan: waves of independent changes, each provider's batch at once, every result recorded
 *  the moment it lands. Returns a result per change instead of throwing half-way. */
import { applyWaves, prerequisiteGraph } from '../core/graph.js';
import type { Digests } from '../core/digest.js';
import { keepsRecordedDigests, priorFor, storedAttributes } from '../core/planner.js';
import { assertNever, HOOKS_PENDING_PREFIX, PENDING_PREFIX, type Change, type Plan } from '../core/plan.js';
import type { Recorded } from '../core/resource.js';
import type { ApplyContext, ChangeOutcome, Provider } from '../providers/provider.js';
import { providerFor } from '../providers/registry.js';
import type { StateStore, StepRecord } from '../state/store.js';
import { redact, redactFields, secretsOf } from './redact.js';
import { changeLine } from '../render/apply-terminal.js';
import { HostUnreachable } from '../host/ssh/worker-client.js';
import type { HostSide } from './hosts.js';
import { LOCAL, oldCopyKey, placeOf, placeOfChange } from '../core/place.js';

/** `interrupted`: not started, because the apply was interrupted (a signal) before its turn. */
export type ChangeStatus = 'done' | 'failed' | 'skipped' | 'refused' | 'interrupted';

export interface ChangeResult {
  readonly address: string;
  readonly action: Change['action'];
  readonly status: ChangeStatus;
  readonly error?: string;
  readonly argv?: readonly string[];
  readonly stderr?: string;
  readonly notes?: readonly string[];
  readonly ms?: number;
}

export interface ApplyResult {
  readonly results: readonly ChangeResult[];
  readonly ok: boolean;
  readonly ms: number;
  /** The apply stopped early because `signal` was aborted: what ran finished, nothing new started. */
  readonly interrupted: boolean;
  /** The state store stopped taking writes (a full disk): the apply stopped, and results from then on are not recorded. */
  readonly storeError?: string;
}

/** What an apply reports as it goes, as data, for its caller to show (src/render/apply-terminal.ts). */
export type ApplyEvent =
  /** Before anything runs: how many changes, in how many waves. */
  | { readonly kind: 'begin'; readonly total: number; readonly waves: number }
  /** A wave (numbered from 1) starts. */
  | { readonly kind: 'wave'; readonly index: number; readonly waves: number; readonly size: number }
  /** A provider starts on a change. */
  | { readonly kind: 'started'; readonly address: string; readonly action: Change['action'] }
  /** A change's result (again, if its after_create hooks fail it later). `ran`: a provider ran it (or it
   *  was adopted); false when it settled without running (skipped, refused, forgotten, not started). */
  | { readonly kind: 'settled'; readonly result: ChangeResult; readonly ran: boolean };

export interface ApplyOptions {
  readonly allowDataLoss: boolean;
  readonly force: boolean;
  readonly backupDir: string;
  readonly command: string;
  readonly manifestHash: string;
  readonly log: (line: string) => void;
  /** Each event as it happens. Without it, each change's start and result is a line through `log`
   *  (what pipes, logs and reconcile show); with it, showing them is the caller's. */
  readonly onEvent?: (event: ApplyEvent) => void;
  readonly now?: () => Date;
  /** The manifest's hooks around changes (before_destroy, after_create); their runs are recorded as steps. */
  readonly hooks?: ChangeHooks;
  /** Aborted (a signal): start no new step; what runs finishes and is recorded. */
  readonly signal?: AbortSignal;
  /** The hosts of a project with `hosts:`: each change goes to its host's side. Without: all here. */
  readonly sides?: ReadonlyMap<string, HostSide>;
}

/** What hooks did for a set of changes: steps for the history, and the changes they stop or fail. */
export interface HookPass {
  readonly steps: readonly StepRecord[];
  /** Address → why: for `before`, changes that must not run; for `after`, changes that count as failed. */
  readonly failed: ReadonlyMap<string, string>;
}

export interface ChangeHooks {
  /** Whether `after` has hooks to run for this change (its record is marked until they finish). */
  wantsAfter(change: Change): boolean;
  /** Before a wave's changes reach their providers. */
  before(changes: readonly Change[], force: boolean): Promise<HookPass>;
  /** After a wave's changes landed (only the ones that did). */
  after(changes: readonly Change[]): Promise<HookPass>;
}


export async function applyPlan(plan: Plan, store: StateStore, ctx: Omit<ApplyContext, 'allowDataLoss' | 'force' | 'backupDir' | 'log'>, options: ApplyOptions): Promise<ApplyResult> {
  const started = Date.now();
  const now = () => (options.now?.() ?? new Date()).toISOString();
  // Nothing printed or recorded below may hold a value the manifest marks sensitive.
  const secrets = secretsOf([...plan.changes, ...(plan.moves ?? [])]);
  const log = (line: string) => options.log(redact(line, secrets));
  const clean = <T extends ChangeResult | StepRecord>(x: T): T => redactFields(x, secrets);
  const emit = options.onEvent ?? ((event: ApplyEvent) => {
    const line = changeLine(event);
    if (line !== undefined) log(line);
  });
  const applyCtx: ApplyContext = { ...ctx, allowDataLoss: options.allowDataLoss, force: options.force, backupDir: options.backupDir, log };
  // Only updates of things holding sensitive values are masked against their records (no-ops are not
  // recorded again): the rest need no records read.
  const keptSecrets = plan.changes.some((c) => c.sensitive?.length && c.action !== 'noop' && keepsRecordedDigests(c.action));
  const keep: Keep = { digests: ctx.digests, recorded: new Map(keptSecrets ? (await store.recorded()).map((r) => [r.address, r]) : []) };
  const applyId = await store.beginApply({ command: options.command, manifestHash: options.manifestHash });
  // A state store that stops taking writes (a full disk, a read-only folder) stops the apply like an
  // interruption: nothing new starts, and what ran is still reported, from memory.
  let storeError: string | undefined;
  const write = async (fn: () => Promise<unknown>): Promise<void> => {
    if (storeError !== undefined) return;
    try {
      await fn();
    } catch (e) {
      storeError = e instanceof Error ? e.message : String(e);
    }
  };
  const results = new Map<string, ChangeResult>();
  const pre = prerequisiteGraph(plan.changes);
  const notDone = (address: string) => results.get(address)?.status !== 'done';

  const stepOf = (change: Change, result: ChangeResult): StepRecord => ({
    address: change.address, action: change.action, status: historyStatus(result.status), at: now(),
    ...(result.error ? { error: result.error } : {}), ...(result.argv ? { argv: result.argv } : {}), ...(result.stderr ? { stderr: result.stderr } : {}),
  });
  const finish = async (change: Change, raw: ChangeResult, ran = false) => {
    const result = clean(raw);
    results.set(change.address, result);
    await write(() => store.recordStep(applyId, stepOf(change, result)));
    emit({ kind: 'settled', result, ran });
  };

  // A move's old copy is kept under a key of its own before its new copy is made elsewhere (which
  // takes over the address's record): a crash between the two leaves it known, and the next plan
  // deletes it then.
  const moves = plan.moves ?? [];
  const keyOf = (c: Change) => oldCopyKey(c.address, placeOf(c.before));
  const held = moves.some((m) => !m.stateOnly) ? new Map((await store.recorded()).map((r) => [r.address, r])) : new Map<string, Recorded>();
  // The record as it stands (its attributes as recorded, which is how its provider finds it again).
  const keys = moves.flatMap((m) => {
    const r = held.get(m.address);
    return !m.stateOnly && r && placeOf(r.attributes) === placeOf(m.before) ? [{ ...r, address: keyOf(m) }] : [];
  });
  if (keys.length) await write(() => store.recordMany(keys));

  const waves = applyWaves(plan.changes);
  emit({ kind: 'begin', total: plan.changes.filter((c) => c.action !== 'noop').length + moves.length, waves: waves.length });
  // Adoptions only take ownership; nothing runs.
  for (const c of plan.changes.filter((x) => x.action === 'adopt')) {
    await write(() => store.record(recordOf(c, keep, c.specHash ?? '')));
    await finish(c, { address: c.address, action: c.action, status: 'done' }, true);
  }

  const interrupted = () => options.signal?.aborted === true || storeError !== undefined;
  /** What a change's record becomes once its after_create hooks have finished. */
  const finalRecord = new Map<string, Recorded>();
  const notStarted = async (changes: readonly Change[]) => {
    for (const c of changes) if (!results.has(c.address)) await finish(c, { address: c.address, action: c.action, status: 'interrupted', error: 'not started: the apply was interrupted' });
  };

  for (const [w, wave] of waves.entries()) {
    emit({ kind: 'wave', index: w + 1, waves: waves.length, size: wave.length });
    if (interrupted()) {
      await notStarted(wave);
      continue;
    }
    // Every delete runs in an earlier wave than any other change, so whether one of them failed is
    // settled here: look it up once per wave, not once per change (8,000 × 8,000 at scale).
    let failedDelete: { readonly address: string | undefined } | undefined;
    const blockerOf = (c: Change): string | undefined => {
      if (pre.isDelete(c.address)) return pre.own.get(c.address)?.find(notDone);
      failedDelete ??= { address: pre.deletes.find(notDone) };
      return failedDelete.address ?? pre.own.get(c.address)?.find(notDone);
    };
    let runnable: Change[] = [];
    /** Changes whose after_create hooks run once the wave's providers are done. */
    const hookReady: Change[] = [];
    for (const c of wave) {
      const blocker = blockerOf(c);
      const refusal = refusalOf(c, options);
      if (blocker) await finish(c, { address: c.address, action: c.action, status: 'skipped', error: `skipped: ${blocker} did not complete` });
      else if (refusal) await finish(c, { address: c.address, action: c.action, status: 'refused', error: refusal });
      else if (c.stateOnly) {
        await write(() => store.forget(c.address));
        await finish(c, { address: c.address, action: c.action, status: 'done', notes: ['forgotten (already gone)'] });
      } else if (c.hooksOnly) {
        hookReady.push(c);
        await finish(c, { address: c.address, action: c.action, status: 'done', notes: ['its after_create hooks run again'] });
      } else runnable.push(c);
    }
    if (options.hooks) {
      const pass = await options.hooks.before(runnable, options.force);
      for (const s of pass.steps) await write(() => store.recordStep(applyId, clean(s)));
      for (const c of runnable) if (pass.failed.has(c.address)) await finish(c, { address: c.address, action: c.action, status: 'refused', error: pass.failed.get(c.address)! });
      runnable = runnable.filter((c) => !pass.failed.has(c.address));
    }
    if (interrupted()) {
      await notStarted(runnable);
      continue;
    }
    // Write-ahead: a create killed half-way is still known to be gaia's on the next plan.
    const pending = runnable.filter((c) => c.action === 'create').map((c) => recordOf(c, keep, `${PENDING_PREFIX}${c.specHash ?? ''}`));
    if (pending.length) await write(() => store.recordMany(pending));
    // Without its write-ahead record a create could not be known as gaia's after a crash: do not start it.
    if (storeError !== undefined) {
      await notStarted(runnable);
      continue;
    }

    await Promise.all([...byProvider(runnable)].map(async ([provider, batch]) => {
      for (const c of batch) emit({ kind: 'started', address: c.address, action: c.action });
      const t0 = Date.now();
      const outcomes = await applyOnHosts(provider, batch, applyCtx, options.sides);
      const ms = Date.now() - t0;
      // The batch's results arrived together: record them together, one transaction.
      const landed = { record: [] as Recorded[], forget: [] as string[], steps: [] as StepRecord[] };
      const wantsHooks = (c: Change) => options.hooks?.wantsAfter(c) === true;
      const settled: ChangeResult[] = [];
      for (const [i, c] of batch.entries()) {
        const o = outcomes[i] ?? { status: 'failed' as const, error: `${provider.name} returned no outcome` };
        let result: ChangeResult;
        if (o.status === 'done') {
          if (c.action === 'delete') landed.forget.push(c.address);
          else if (wantsHooks(c)) {
            // Marked until its after_create hooks finish: a kill or an interruption before then leaves
            // them to the next apply instead of never running them.
            landed.record.push(recordOf(c, keep, `${HOOKS_PENDING_PREFIX}${c.specHash ?? ''}`, o.attributes));
            finalRecord.set(c.address, recordOf(c, keep, c.specHash ?? '', o.attributes));
          } else landed.record.push(recordOf(c, keep, c.specHash ?? '', o.attributes));
          result = clean({ address: c.address, action: c.action, status: 'done', ms, ...(o.notes ? { notes: o.notes } : {}) });
        } else {
          // A failed create leaves nothing of gaia's: drop the write-ahead record so ownership is never claimed by mistake.
          // One whose host went away under it may have landed: its record stays for the next plan to look,
          // marked so that its after_create hooks, which cannot have run, run then if it is there.
          if (c.action === 'create' && !o.unknown) landed.forget.push(c.address);
          else if (c.action === 'create' && wantsHooks(c)) landed.record.push(recordOf(c, keep, `${HOOKS_PENDING_PREFIX}${c.specHash ?? ''}`));
          result = clean({ address: c.address, action: c.action, status: 'failed', error: o.error, ...(o.argv ? { argv: o.argv } : {}), ...(o.stderr ? { stderr: o.stderr } : {}), ms });
        }
        results.set(c.address, result);
        settled.push(result);
        landed.steps.push(stepOf(c, result));
      }
      await write(() => store.landed(applyId, landed));
      for (const result of settled) emit({ kind: 'settled', result, ran: true });
    }));
    if (options.hooks && !interrupted()) {
      const ready = [...hookReady, ...runnable.filter((c) => results.get(c.address)?.status === 'done')];
      const pass = await options.hooks.after(ready);
      for (const s of pass.steps) await write(() => store.recordStep(applyId, clean(s)));
      for (const [address, error] of pass.failed) {
        const result = clean({ ...results.get(address)!, status: 'failed' as const, error });
        results.set(address, result);
        emit({ kind: 'settled', result, ran: false });
      }
      const finished = ready.filter((c) => options.hooks!.wantsAfter(c) && !pass.failed.has(c.address));
      if (finished.length) await write(() => store.recordMany(finished.map((c) => finalRecord.get(c.address) ?? recordOf(c, keep, c.specHash ?? ''))));
    }
  }

  /** The old copies of moved resources, after everything else, dependents first: each once its new
   *  copy is there (or the manifest no longer has it), with the usual refusals and hooks. */
  async function removeOldCopies(): Promise<ChangeResult[]> {
    const done = new Map<string, ChangeResult>();
    const graph = prerequisiteGraph(moves);
    const newCopies = new Map(plan.changes.map((x) => [x.address, x]));
    const settle = async (c: Change, raw: ChangeResult, ran: boolean) => {
      const result = clean(raw);
      done.set(c.address, result);
      await write(() => store.recordStep(applyId, stepOf(c, result)));
      emit({ kind: 'settled', result, ran });
    };
    const where = (c: Change) => `the old copy on ${placeOf(c.before)}${c.movedTo !== undefined ? `, moved to ${c.movedTo}` : ''}`;
    for (const wave of applyWaves(moves)) {
      const runnable: Change[] = [];
      for (const c of wave) {
        const arrived = newCopies.get(c.address);
        const waiting = arrived && arrived.action !== 'noop' && results.get(c.address)?.status !== 'done';
        const blocker = graph.own.get(c.address)?.find((a) => done.get(a)?.status !== 'done');
        const refusal = refusalOf(c, options);
        const base = { address: c.address, action: c.action };
        if (interrupted()) await settle(c, { ...base, status: 'interrupted', error: 'not started: the apply was interrupted' }, false);
        else if (waiting) await settle(c, { ...base, status: 'skipped', error: `skipped: ${where(c)}; its new copy is not there yet` }, false);
        else if (blocker) await settle(c, { ...base, status: 'skipped', error: `skipped: ${blocker} did not complete` }, false);
        else if (refusal) await settle(c, { ...base, status: 'refused', error: `${refusal} (${where(c)})` }, false);
        else if (c.stateOnly) {
          await write(() => store.forget(keyOf(c)));
          await settle(c, { ...base, status: 'done', notes: [c.reasons[0]?.code === 'moved_back' ? 'kept: the manifest wants it where it is' : `${where(c)}: already gone`] }, true);
        } else runnable.push(c);
      }
      let ready = runnable;
      if (options.hooks && ready.length) {
        const pass = await options.hooks.before(ready, options.force);
        for (const s of pass.steps) await write(() => store.recordStep(applyId, clean(s)));
        for (const c of ready) if (pass.failed.has(c.address)) await settle(c, { address: c.address, action: c.action, status: 'refused', error: pass.failed.get(c.address)! }, false);
        ready = ready.filter((c) => !pass.failed.has(c.address));
      }
      await Promise.all([...byProvider(ready)].map(async ([provider, batch]) => {
        for (const c of batch) emit({ kind: 'started', address: c.address, action: c.action });
        const t0 = Date.now();
        const outcomes = await applyOnHosts(provider, batch, applyCtx, options.sides);
        const ms = Date.now() - t0;
        for (const [i, c] of batch.entries()) {
          const o = outcomes[i] ?? { status: 'failed' as const, error: `${provider.name} returned no outcome` };
          if (o.status === 'done') {
            await write(() => store.forget(keyOf(c)));
            await settle(c, { address: c.address, action: c.action, status: 'done', ms, notes: [where(c), ...(o.notes ?? [])] }, true);
          } else {
            await settle(c, { address: c.address, action: c.action, status: 'failed', error: `${o.error} (${where(c)})`, ...(o.argv ? { argv: o.argv } : {}), ...(o.stderr ? { stderr: o.stderr } : {}), ms }, true);
          }
        }
      }));
    }
    return moves.map((c) => done.get(c.address)!).filter(Boolean);
  }

  const moved = moves.length ? await removeOldCopies() : [];
  const all = [...plan.changes.filter((c) => c.action !== 'noop').map((c) => results.get(c.address)!).filter(Boolean), ...moved];
  const ok = all.every((r) => r.status === 'done');
  const count = (s: ChangeStatus) => all.filter((r) => r.status === s).length;
  const stopped = options.signal?.aborted === true;
  const summary = `${count('done')} done, ${count('failed')} failed, ${count('refused')} refused, ${count('skipped')} skipped${stopped ? `, ${count('interrupted')} not started` : ''}`;
  await write(() => store.finishApply(applyId, stopped || storeError !== undefined ? 'interrupted' : ok ? 'done' : 'failed', summary));
  return { results: all, ok: ok && storeError === undefined, ms: Date.now() - started, interrupted: stopped, ...(storeError !== undefined ? { storeError } : {}) };
}

/** Changes by the provider that applies them, in their order. */
function byProvider(changes: readonly Change[]): Map<Provider, Change[]> {
  const out = new Map<Provider, Change[]>();
  for (const c of changes) {
    const p = providerFor(c.kind);
    const batch = out.get(p);
    if (batch) batch.push(c);
    else out.set(p, [c]);
  }
  return out;
}

/** A provider's batch, each part on its host, all hosts at once; outcomes in the batch's order. A
 *  provider that throws fails its part; a host that cannot be reached leaves its part unknown. */
async function applyOnHosts(provider: Provider, batch: readonly Change[], ctx: ApplyContext, sides: ReadonlyMap<string, HostSide> | undefined): Promise<readonly ChangeOutcome[]> {
  const parts = new Map<string, number[]>();
  batch.forEach((c, i) => {
    const place = placeOfChange(c);
    parts.set(place, [...(parts.get(place) ?? []), i]);
  });
  const outcomes: ChangeOutcome[] = new Array(batch.length);
  await Promise.all([...parts].map(async ([place, indexes]) => {
    const changes = indexes.map((i) => batch[i]!);
    let got: readonly ChangeOutcome[];
    try {
      const side = sides?.get(place);
      if (place !== LOCAL && !side) throw new Error(`host ${place} is not among the hosts this apply reaches`);
      got = place === LOCAL ? await provider.apply(changes, ctx) : await side!.apply(provider.name, changes, ctx);
    } catch (e) {
      const unknown = e instanceof HostUnreachable;
      const error = unknown ? `${e.message}: whether it happened is not known; the next plan looks again` : `${provider.name} failed: ${e instanceof Error ? e.message : String(e)}`;
      got = changes.map(() => ({ status: 'failed' as const, error, ...(unknown ? { unknown: true as const } : {}) }));
    }
    indexes.forEach((i, k) => {
      outcomes[i] = got[k] ?? { status: 'failed', error: `${provider.name} returned no outcome` };
    });
  }));
  return outcomes;
}

function historyStatus(status: ChangeStatus): StepRecord['status'] {
  switch (status) {
    case 'done':
    case 'failed':
    case 'skipped':
      return status;
    case 'refused':
      return 'failed';
    case 'interrupted':
      return 'skipped';
    default:
      return assertNever(status);
  }
}

/** How records are masked: with the project's digests, against what was recorded where the planner
 *  compared against it (priorFor), so a record and the marks made from its spec hash agree. */
interface Keep {
  readonly digests: Digests;
  readonly recorded: ReadonlyMap<string, Recorded>;
}

function recordOf(c: Change, keep: Keep, specHash: string, attributes = c.after): Recorded {
  const prior = c.sensitive?.length ? priorFor(c.action, keep.recorded.get(c.address)) : undefined;
  return {
    kind: c.kind, address: c.address, specHash, dependsOn: c.dependsOn,
    attributes: storedAttributes({ attributes: attributes ?? {}, ...(c.sensitive ? { sensitive: c.sensitive } : {}) }, keep.digests, prior),
  };
}

function refusalOf(c: Change, o: Pick<ApplyOptions, 'allowDataLoss'>): string | undefined {
  const prevent = c.hazards.find((h) => h.code === 'prevent_destroy');
  if (prevent) return `refused: ${prevent.text} (preventDestroy is set in the manifest)`;
  const loss = c.hazards.find((h) => h.code === 'data_loss');
  if (loss && !o.allowDataLoss) return `refused: ${loss.text}; pass --allow-data-loss to go ahead (databases are backed up first)`;
  return undefined;
}
