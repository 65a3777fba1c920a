/** Execute a plan: waves of independent changes, each provider's batch at once, every result recorded
 *  the moment it lands. Returns a result per change instead of throwing half-way. */
import { applyWaves, prerequisiteGraph } from '../core/graph.js';
import { storedAttributes } from '../core/planner.js';
import { PENDING_PREFIX, type Change, type Plan } from '../core/plan.js';
import type { Recorded } from '../core/resource.js';
import type { ApplyContext, ChangeOutcome, Provider } from '../providers/provider.js';
import { providerFor } from '../providers/registry.js';
import type { StateStore, StepRecord } from '../state/store.js';
import { redact, redactFields, secretsOf } from './redact.js';

export type ChangeStatus = 'done' | 'failed' | 'skipped' | 'refused';

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
}

export interface ApplyOptions {
  readonly allowDataLoss: boolean;
  readonly force: boolean;
  readonly backupDir: string;
  readonly command: string;
  readonly manifestHash: string;
  readonly log: (line: string) => void;
  readonly now?: () => Date;
  /** The manifest's hooks around changes (before_destroy, after_create); their runs are recorded as steps. */
  readonly hooks?: ChangeHooks;
}

/** What hooks did for a set of changes: steps for the history, and the changes they stop or fail. */
export interface HookPass {
  readonly steps: readonly StepRecord[];
  /** Address → why: for `before`, changes that must not run; for `after`, changes that count as failed. */
  readonly failed: ReadonlyMap<string, string>;
}

export interface ChangeHooks {
  /** Before a wave's changes reach their providers. */
  before(changes: readonly Change[], force: boolean): Promise<HookPass>;
  /** After a wave's changes landed (only the ones that did). */
  after(changes: readonly Change[]): Promise<HookPass>;
}


export async function applyPlan(plan: Plan, store: StateStore, ctx: Omit<ApplyContext, 'allowDataLoss' | 'force' | 'backupDir' | 'log'>, options: ApplyOptions): Promise<ApplyResult> {
  const started = Date.now();
  const now = () => (options.now?.() ?? new Date()).toISOString();
  // Nothing printed or recorded below may hold a value the manifest marks sensitive.
  const secrets = secretsOf(plan.changes);
  const log = (line: string) => options.log(redact(line, secrets));
  const clean = <T extends ChangeResult | StepRecord>(x: T): T => redactFields(x, secrets);
  const applyCtx: ApplyContext = { ...ctx, allowDataLoss: options.allowDataLoss, force: options.force, backupDir: options.backupDir, log };
  const applyId = await store.beginApply({ command: options.command, manifestHash: options.manifestHash });
  const results = new Map<string, ChangeResult>();
  const pre = prerequisiteGraph(plan.changes);
  const notDone = (address: string) => results.get(address)?.status !== 'done';

  const stepOf = (change: Change, result: ChangeResult): StepRecord => ({
    address: change.address, action: change.action, status: result.status === 'refused' ? 'failed' : result.status, at: now(),
    ...(result.error ? { error: result.error } : {}), ...(result.argv ? { argv: result.argv } : {}), ...(result.stderr ? { stderr: result.stderr } : {}),
  });
  const finish = async (change: Change, raw: ChangeResult) => {
    const result = clean(raw);
    results.set(change.address, result);
    await store.recordStep(applyId, stepOf(change, result));
  };

  // Adoptions only take ownership; nothing runs.
  for (const c of plan.changes.filter((x) => x.action === 'adopt')) {
    await store.record(recordOf(c, c.specHash ?? ''));
    await finish(c, { address: c.address, action: c.action, status: 'done' });
    log(`${c.address}: adopted`);
  }

  for (const wave of applyWaves(plan.changes)) {
    // Every delete runs in an earlier wave than any other change, so whether one of them failed is
    // settled here: look it up once per wave, not once per change (8,000 × 8,000 at scale).
    let failedDelete: { readonly address: string | undefined } | undefined;
    const blockerOf = (c: Change): string | undefined => {
      if (pre.isDelete(c.address)) return pre.own.get(c.address)?.find(notDone);
      failedDelete ??= { address: pre.deletes.find(notDone) };
      return failedDelete.address ?? pre.own.get(c.address)?.find(notDone);
    };
    let runnable: Change[] = [];
    for (const c of wave) {
      const blocker = blockerOf(c);
      const refusal = refusalOf(c, options);
      if (blocker) await finish(c, { address: c.address, action: c.action, status: 'skipped', error: `skipped: ${blocker} did not complete` });
      else if (refusal) await finish(c, { address: c.address, action: c.action, status: 'refused', error: refusal });
      else if (c.stateOnly) {
        await store.forget(c.address);
        await finish(c, { address: c.address, action: c.action, status: 'done', notes: ['forgotten (already gone)'] });
      } else runnable.push(c);
    }
    if (options.hooks) {
      const pass = await options.hooks.before(runnable, options.force);
      for (const s of pass.steps) await store.recordStep(applyId, clean(s));
      for (const c of runnable) if (pass.failed.has(c.address)) await finish(c, { address: c.address, action: c.action, status: 'refused', error: pass.failed.get(c.address)! });
      runnable = runnable.filter((c) => !pass.failed.has(c.address));
    }
    // Write-ahead: a create killed half-way is still known to be gaia's on the next plan.
    const pending = runnable.filter((c) => c.action === 'create').map((c) => recordOf(c, `${PENDING_PREFIX}${c.specHash ?? ''}`));
    if (pending.length) await store.recordMany(pending);

    const byProvider = new Map<Provider, Change[]>();
    for (const c of runnable) {
      const p = providerFor(c.kind);
      const batch = byProvider.get(p);
      if (batch) batch.push(c);
      else byProvider.set(p, [c]);
    }
    await Promise.all([...byProvider].map(async ([provider, batch]) => {
      for (const c of batch) log(`${c.address}: ${verb(c)}…`);
      const t0 = Date.now();
      let outcomes: readonly ChangeOutcome[];
      try {
        outcomes = await provider.apply(batch, applyCtx);
      } catch (e) {
        outcomes = batch.map(() => ({ status: 'failed' as const, error: `${provider.name} failed: ${e instanceof Error ? e.message : String(e)}` }));
      }
      const ms = Date.now() - t0;
      // The batch's results arrived together: record them together, one transaction.
      const landed = { record: [] as Recorded[], forget: [] as string[], steps: [] as StepRecord[] };
      const lines: string[] = [];
      for (const [i, c] of batch.entries()) {
        const o = outcomes[i] ?? { status: 'failed' as const, error: `${provider.name} returned no outcome` };
        let result: ChangeResult;
        if (o.status === 'done') {
          if (c.action === 'delete') landed.forget.push(c.address);
          else landed.record.push(recordOf(c, c.specHash ?? '', o.attributes));
          result = clean({ address: c.address, action: c.action, status: 'done', ms, ...(o.notes ? { notes: o.notes } : {}) });
          lines.push(`${c.address}: ${pastTense(c)}${o.notes?.length ? ` (${o.notes.join('; ')})` : ''}`);
        } else {
          // A failed create leaves nothing of gaia's: drop the write-ahead record so ownership is never claimed by mistake.
          if (c.action === 'create') landed.forget.push(c.address);
          result = clean({ address: c.address, action: c.action, status: 'failed', error: o.error, ...(o.argv ? { argv: o.argv } : {}), ...(o.stderr ? { stderr: o.stderr } : {}), ms });
          lines.push(`${c.address}: failed: ${o.error}`);
        }
        results.set(c.address, result);
        landed.steps.push(stepOf(c, result));
      }
      await store.landed(applyId, landed);
      for (const line of lines) log(line);
    }));
    if (options.hooks) {
      const pass = await options.hooks.after(runnable.filter((c) => results.get(c.address)?.status === 'done'));
      for (const s of pass.steps) await store.recordStep(applyId, clean(s));
      for (const [address, error] of pass.failed) results.set(address, clean({ ...results.get(address)!, status: 'failed', error }));
    }
  }

  const all = plan.changes.filter((c) => c.action !== 'noop').map((c) => results.get(c.address)!).filter(Boolean);
  const ok = all.every((r) => r.status === 'done');
  const count = (s: ChangeStatus) => all.filter((r) => r.status === s).length;
  await store.finishApply(applyId, ok ? 'done' : 'failed', `${count('done')} done, ${count('failed')} failed, ${count('refused')} refused, ${count('skipped')} skipped`);
  return { results: all, ok, ms: Date.now() - started };
}

function recordOf(c: Change, specHash: string, attributes = c.after): Recorded {
  return {
    kind: c.kind, address: c.address, specHash, dependsOn: c.dependsOn,
    attributes: storedAttributes({ attributes: attributes ?? {}, ...(c.sensitive ? { sensitive: c.sensitive } : {}) }),
  };
}

function refusalOf(c: Change, o: Pick<ApplyOptions, 'allowDataLoss'>): string | undefined {
  const prevent = c.hazards.find((h) => h.code === 'prevent_destroy');
  if (prevent) return `refused: ${prevent.text} (preventDestroy is set in the manifest)`;
  const loss = c.hazards.find((h) => h.code === 'data_loss');
  if (loss && !o.allowDataLoss) return `refused: ${loss.text}; pass --allow-data-loss to go ahead (databases are backed up first)`;
  return undefined;
}

function verb(c: Change): string {
  return { create: 'creating', update: 'updating', replace: 'replacing', delete: 'destroying', adopt: 'adopting', noop: 'checking' }[c.action];
}

function pastTense(c: Change): string {
  return { create: 'created', update: 'updated', replace: 'replaced', delete: 'destroyed', adopt: 'adopted', noop: 'unchanged' }[c.action];
}
