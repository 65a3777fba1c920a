/** Each host of a project (core/place.ts) as a side that observes and applies there, through gaia's
 *  worker on that host over ssh; this machine's resources go to its providers directly. Observation and apply go to each host's side, all
 *  hosts at once. A host
 *  that cannot be reached makes its resources unknown: they are left out of the plan, named, never
 *  "missing, create it" nor "gone, forget it". */
import type { Change } from '../core/plan.js';
import type { Attributes, Recorded, Resource } from '../core/resource.js';
import type { ApplyContext, ChangeOutcome, ConversationRecords, ObserveContext, Step } from '../providers/provider.js';
import { HostUnreachable, WorkerFailed, type WorkerClient } from '../host/ssh/worker-client.js';
import type { DeliverOptions, Delivery } from '../providers/tmux/deliver.js';
import type { AgentProfile } from '../agents/profile.js';
import type { AgentFacts } from '../agents/observe.js';
import type { EnvironmentInfo } from '../manifest/model.js';
import type { EnvGitFacts } from '../ops/git-facts.js';
import type { StatusReport } from '../ops/status-model.js';
import type { HealthProbes } from '../ops/health.js';
import type { CommandResult } from '../host/exec.js';
import { observeAll, type Observation, type ObserveOptions } from './observe.js';
import type { ConversationOp, WorkerContext } from './worker-protocol.js';
import { WORKER_PROTOCOL } from './worker-protocol.js';
import { LOCAL, placeOf, placeOfChange } from '../core/place.js';
import type { HookRunner } from '../agents/hooks.js';
import type { Deliverer } from '../agents/send.js';

export interface HostSide {
  readonly name: string;
  /** How it is reached, for people (`dev@gpu1.internal`). */
  readonly reach: string;
  observe(desired: readonly Resource[], recorded: readonly Recorded[], options: ObserveOptions): Promise<Observation>;
  steps(change: Change): Promise<readonly Step[]>;
  apply(provider: string, changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]>;
  /** Done with it: a host's worker finishes what it was asked and ends (see WorkerClient.close). */
  close(): Promise<void>;
  /** The host's tmux socket (undefined: its user's default server). */
  readonly tmuxSocket: string | undefined;
  /** What git says of these environments there (`gaia status`). */
  gitFacts(environments: readonly EnvironmentInfo[], resources: readonly Resource[]): Promise<ReadonlyMap<string, EnvGitFacts>>;
  /** What status reads of agents there (see agents/observe.ts). */
  agentFacts(live: readonly string[], reporting: readonly string[]): Promise<AgentFacts>;
  /** Health's probes of these environments there; `status` holds only theirs, as seen from here. */
  healthProbes(environments: readonly EnvironmentInfo[], status: StatusReport): Promise<HealthProbes>;
  /** Text delivered to a session there (see worker-protocol.ts). */
  deliver(session: string, text: string, options: Omit<DeliverOptions, 'refuses'>, agent?: AgentProfile): Promise<Delivery>;
  /** The local command that runs `argv` on the host on this terminal (ssh -t). */
  terminalArgv(argv: readonly string[]): string[];
  /** `cwd` relative to the host's root; the root when that folder is not there. */
  run(argv: readonly string[], cwd: string, env: Readonly<Record<string, string>>, timeoutMs?: number): Promise<CommandResult>;
}

export interface RemoteSideOptions {
  readonly name: string;
  /** Reads a file of the project on this machine (its path relative to the project), for `sources`. */
  readonly readSource: (path: string) => string | undefined;
  readonly reach: string;
  readonly root: string;
  readonly tmuxSocket?: string;
  readonly project?: string;
  readonly digestKey: Buffer;
  readonly conversations?: ConversationRecords;
  readonly client: WorkerClient;
  readonly terminalArgv: (argv: readonly string[]) => string[];
}

/** What the host's providers recorded of conversations, into the state store here. */
async function replay(ops: readonly ConversationOp[], records: ConversationRecords | undefined): Promise<void> {
  if (!records) return;
  for (const op of ops) {
    if (op.op === 'started') await records.started(op.record);
    else if (op.op === 'confirm') await records.confirm(op.address, op.provider, op.id);
    else await records.forget(op.address);
  }
}

export function remoteSide(o: RemoteSideOptions): HostSide {
  /** The project's files these resources read: a stage database's migrations. */
  const sourcesOf = (attributes: readonly (Attributes | undefined)[]) => {
    const paths = new Set<string>();
    for (const a of attributes) {
      const migrations = a?.migrations;
      if (!Array.isArray(migrations)) continue;
      for (const m of migrations) {
        const file = m && typeof m === 'object' && !Array.isArray(m) ? (m as { file?: unknown }).file : undefined;
        if (typeof file === 'string') paths.add(file);
      }
    }
    return [...paths].flatMap((p) => {
      const text = o.readSource(p);
      return text === undefined ? [] : [{ path: p, text }];
    });
  };
  const wire = async (uses: readonly (Attributes | undefined)[] = []): Promise<WorkerContext> => ({
    root: o.root,
    sources: sourcesOf(uses),
    ...(o.project !== undefined ? { project: o.project } : {}),
    ...(o.tmuxSocket !== undefined ? { tmuxSocket: o.tmuxSocket } : {}),
    digestKey: o.digestKey.toString('hex'),
    conversations: (await o.conversations?.all()) ?? [],
  });
  // What the host's providers see has no `host` (it is their own machine); the manifest's does.
  const here = <T extends { attributes: Attributes }>(x: T): T => ({ ...x, attributes: { ...x.attributes, host: o.name } });
  const there = <T extends { attributes: Attributes }>(x: T): T => {
    const { host: _host, ...attributes } = x.attributes;
    return { ...x, attributes };
  };
  const thereChange = (c: Change): Change => ({
    ...c,
    ...(c.before ? { before: there({ attributes: c.before }).attributes } : {}),
    ...(c.after ? { after: there({ attributes: c.after }).attributes } : {}),
  });
  return {
    name: o.name,
    reach: o.reach,
    tmuxSocket: o.tmuxSocket,
    terminalArgv: o.terminalArgv,
    close: () => o.client.close(),
    async observe(desired, recorded, options) {
      const r = await o.client.request({
        protocol: WORKER_PROTOCOL, ctx: await wire(desired.map((r) => r.attributes)), op: 'observe',
        desired: desired.map(there), recorded: recorded.map(there), includeUnmanaged: options.includeUnmanaged === true,
      });
      await replay(r.conversations, o.conversations);
      const seen = r.observation ?? { observed: [], unmanaged: [], warnings: [] };
      return { observed: seen.observed.map(here), unmanaged: seen.unmanaged.map(here), warnings: seen.warnings };
    },
    async steps(change) {
      const r = await o.client.request({ protocol: WORKER_PROTOCOL, ctx: await wire([change.after]), op: 'steps', change: thereChange(change) });
      return (r.steps ?? []).map((s) => ({ ...s, description: `${s.description} (on ${o.name})` }));
    },
    async apply(provider, changes, ctx) {
      const r = await o.client.request({
        protocol: WORKER_PROTOCOL, ctx: await wire(changes.map((c) => c.after)), op: 'apply', provider, changes: changes.map(thereChange),
        allowDataLoss: ctx.allowDataLoss, force: ctx.force, ...(ctx.parallelism !== undefined ? { parallelism: ctx.parallelism } : {}),
      });
      await replay(r.conversations, o.conversations);
      for (const line of r.log) ctx.log(`${o.name}: ${line}`);
      // What the host applied is recorded with its host, as the manifest has it.
      return (r.outcomes ?? []).map((x) => (x.status === 'done' && x.attributes ? { ...x, attributes: { ...x.attributes, host: o.name } } : x));
    },
    async gitFacts(environments, resources) {
      const r = await o.client.request({ protocol: WORKER_PROTOCOL, ctx: await wire(), op: 'git-facts', environments, resources: resources.map(there) });
      return new Map(r.gitFacts ?? []);
    },
    async agentFacts(live, reporting) {
      const r = await o.client.request({ protocol: WORKER_PROTOCOL, ctx: await wire(), op: 'agent-facts', live, reporting });
      return { screens: new Map(r.agentFacts?.screens ?? []), events: new Map(r.agentFacts?.events ?? []) };
    },
    async healthProbes(environments, status) {
      const r = await o.client.request({ protocol: WORKER_PROTOCOL, ctx: await wire(), op: 'health-probes', environments, status });
      return { gitOperations: new Map(r.probes?.gitOperations ?? []), quickCheck: new Map(r.probes?.quickCheck ?? []) };
    },
    async deliver(session, text, options, agent) {
      const t0 = Date.now();
      try {
        const r = await o.client.request({ protocol: WORKER_PROTOCOL, ctx: await wire(), op: 'deliver', session, text, options, ...(agent ? { agent } : {}) });
        if (!r.delivery) throw new Error(`host ${o.name}: the worker delivered nothing`);
        return r.delivery;
      } catch (e) {
        if (!(e instanceof HostUnreachable || e instanceof WorkerFailed)) throw e;
        return { ok: false, stage: 'session', error: e.message, ms: Date.now() - t0 };
      }
    },
    async run(argv, cwd, env, timeoutMs) {
      const r = await o.client.request({ protocol: WORKER_PROTOCOL, ctx: await wire(), op: 'run', argv, cwd, env, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
      if (!r.result) throw new Error(`host ${o.name}: the worker ran nothing`);
      return r.result;
    },
  };
}

export interface UnreachableHost {
  readonly host: string;
  readonly reach: string;
  readonly reason: string;
  /** The manifest's and the state's addresses on it, left out of the plan. */
  readonly addresses: readonly string[];
}

/** The code of the warning a plan, drift and status give for a host left out. */
export const HOST_UNREACHABLE = 'host_unreachable';

/** `host vm2 (vm2) cannot be reached: …; its 9 resources are unknown`, as status and drift say it. */
export function unreachableText(u: UnreachableHost): string {
  return `host ${u.host} (${u.reach}) cannot be reached: ${u.reason}; its ${u.addresses.length} resources are unknown`;
}

export interface PlacedObservation extends Observation {
  readonly unreachable: readonly UnreachableHost[];
}

/** Every host's resources observed on that host, all hosts at once; this machine's in `ctx` (the
 *  project's context as the caller holds it: a test's tmux socket, a reconcile round's store). */
export async function observeEverywhere(
  { ctx, sides }: { readonly ctx: ObserveContext; readonly sides: ReadonlyMap<string, HostSide> },
  desired: readonly Resource[],
  recorded: readonly Recorded[],
  options: ObserveOptions = {},
): Promise<PlacedObservation> {
  const places = new Set<string>([LOCAL, ...desired.map((r) => placeOf(r.attributes)), ...recorded.map((r) => placeOf(r.attributes))]);
  const parts = await Promise.all([...places].map(async (place) => {
    const mine = <T extends { attributes: Attributes }>(x: T) => placeOf(x.attributes) === place;
    const d = desired.filter(mine);
    const r = recorded.filter(mine);
    const side = sides.get(place);
    const addresses = [...new Set([...d, ...r].map((x) => (x as { address: string }).address))];
    if (place !== LOCAL && !side) return { place, unreachable: { host: place, reach: place, reason: 'it is not among the manifest\'s hosts', addresses } };
    // Only this machine is asked for what is unmanaged when nothing there is the manifest's.
    if (place !== LOCAL && d.length === 0 && r.length === 0) return { place };
    try {
      return { place, observation: place === LOCAL || !side ? await observeAll(d, r, ctx, options) : await side.observe(d, r, options) };
    } catch (e) {
      if (e instanceof HostUnreachable) return { place, unreachable: { host: place, reach: side?.reach ?? place, reason: e.reason, addresses } };
      throw e;
    }
  }));
  return {
    observed: parts.flatMap((p) => p.observation?.observed ?? []),
    unmanaged: parts.flatMap((p) => p.observation?.unmanaged ?? []),
    warnings: parts.flatMap((p) => p.observation?.warnings ?? []),
    unreachable: parts.flatMap((p) => (p.unreachable && p.unreachable.addresses.length ? [p.unreachable] : [])),
  };
}

/** Where a change's hooks run: on its host, through the worker there; undefined for this machine. */
export function hookRunnerFor(sides: ReadonlyMap<string, HostSide>): (change: Change) => HookRunner | undefined {
  return (change) => {
    const place = placeOfChange(change);
    if (place === LOCAL) return undefined;
    const remote = remoteSideOf(sides, place);
    if (!remote) return async () => { throw new Error(`host ${place} is not among the manifest's hosts`); };
    return (argv, cwd, env, timeoutMs) => remote.run(argv, cwd, env, timeoutMs);
  };
}

export function remoteSideOf(sides: ReadonlyMap<string, HostSide>, place: string): HostSide | undefined {
  return place === LOCAL ? undefined : sides.get(place);
}

/** Delivery to a target wherever it runs: this machine's tmux server, or its host's worker. */
export function delivererFor(sides: ReadonlyMap<string, HostSide>, here: Deliverer): Deliverer {
  return async (target, text, options) => {
    if (target.host === undefined) return here(target, text, options);
    const side = remoteSideOf(sides, target.host);
    if (!side) return { ok: false, stage: 'session', error: `host ${target.host} is not among the manifest's hosts`, ms: 0 };
    const { refuses: _local, ...wire } = options;
    return side.deliver(target.session, text, wire, target.agent);
  };
}
