/** Observe, then plan: the read-only half of gaia. */
import { plan as computePlan } from '../core/planner.js';
import type { Plan } from '../core/plan.js';
import type { Recorded } from '../core/resource.js';
import { kindSpecs } from '../providers/registry.js';
import { HOST_UNREACHABLE, observeEverywhere, type PlacedObservation, type UnreachableHost } from './hosts.js';
import { LOCAL, placeOf } from '../core/place.js';
import type { Conflict, PlanWarning } from '../core/plan.js';
import type { Attributes } from '../core/resource.js';
import type { Project } from './project.js';
import { missingPrograms } from './preflight.js';
import { StateUnavailable } from '../state/sqlite-store.js';
import type { Observed } from '../core/resource.js';
import { stateName } from '../state/location.js';

/** An empty store with no history while things carrying this project's marks exist means the store was
 *  lost (deleted, replaced): planning from it would treat gaia's own things as strangers or as gone. A
 *  store that has applies on record is not lost even when it records nothing: an apply whose only
 *  session failed on start leaves that session's dead pane (marked, for a look) and no record. */
function refuseLostState(observed: readonly Observed[], project: Project): void {
  const ours = observed.filter((o) => o.owner !== undefined && o.owner === project.ctx.project);
  if (ours.length === 0) return;
  throw new StateUnavailable(
    stateName(project.model.state),
    `it records nothing, but ${ours.length} thing${ours.length === 1 ? '' : 's'} in the world carr${ours.length === 1 ? 'ies' : 'y'} this project's marks (${ours.slice(0, 3).map((o) => o.address).join(', ')}${ours.length > 3 ? ', …' : ''}): the store was lost or replaced`,
    'run `gaia state rebuild` to re-derive what gaia owns from those marks and the world (or restore a backup from .gaia/backups/)',
  );
}

export interface PlanOptions {
  readonly targets?: readonly string[];
  /** Plan to remove everything gaia owns (`gaia destroy`). */
  readonly destroy?: boolean;
  readonly now?: () => Date;
  /** Plan even when the store is empty while this project's marks are out in the world (rebuild does). */
  readonly allowLostState?: boolean;
}

/** `--target` addresses that name nothing the manifest or the state holds (a typo, most likely):
 *  planning them would say "No changes." and hide the mistake. */
export class UnknownTargets extends Error {
  constructor(readonly targets: readonly string[], readonly addresses: readonly string[], readonly manifestFile: string) {
    super(`unknown --target ${targets.join(', ')}`);
  }
}

export interface PlanOutcome {
  readonly plan: Plan;
  readonly observation: PlacedObservation;
  readonly recorded: readonly Recorded[];
}

export async function makePlan(project: Project, options: PlanOptions = {}): Promise<PlanOutcome> {
  const { model, store, ctx } = project;
  const recorded = await store.recorded();
  const desired = options.destroy ? [] : model.resources;
  if (options.targets?.length) {
    const addresses = [...desired.map((r) => r.address), ...recorded.map((r) => r.address)];
    const unknown = options.targets.filter((t) => !addresses.some((a) => a === t || a.startsWith(`${t}.`)));
    if (unknown.length) throw new UnknownTargets(unknown, addresses, model.file);
  }
  const observation = await observeEverywhere(project, desired, recorded);
  if (recorded.length === 0 && !options.allowLostState && (await store.applies(1)).length === 0) {
    // A destroy desires nothing, so it observes nothing: look at what the manifest names for marks.
    const looked = options.destroy && model.resources.length ? await observeEverywhere(project, model.resources, recorded) : observation;
    refuseLostState(looked.observed, project);
  }
  // What is on a host that cannot be reached is unknown: planned neither as missing nor as gone.
  // What the manifest moved to another host is not planned either (moving is not done yet): a conflict.
  const moved = movedResources(desired, recorded);
  const unknown = new Set([...observation.unreachable.flatMap((u) => u.addresses), ...moved.map((m) => m.address)]);
  const known = <T extends { address: string }>(x: T) => !unknown.has(x.address);
  const plan = computePlan({
    desired: desired.filter(known),
    observed: observation.observed,
    recorded: recorded.filter(known),
    specs: kindSpecs,
    manifest: { path: model.file, hash: model.manifestHash },
    project: ctx.project,
    digests: ctx.digests,
    now: (options.now?.() ?? new Date()).toISOString(),
    warnings: [
      ...observation.unreachable.map(unreachableWarning),
      ...observation.warnings, ...model.warnings.map((text) => ({ code: 'manifest', text })), ...missingPrograms(desired.filter((r) => placeOf(r.attributes) === LOCAL), model.root),
    ],
    ...(options.targets?.length ? { targets: options.targets } : {}),
  });
  const withMoves = moved.length ? { ...plan, conflicts: [...plan.conflicts, ...moved] } : plan;
  return { plan: options.destroy ? { ...withMoves, destroy: true } : withMoves, observation, recorded };
}

function unreachableWarning(u: UnreachableHost): PlanWarning {
  const n = u.addresses.length;
  return { code: HOST_UNREACHABLE, text: `host ${u.host} (${u.reach}) cannot be reached: ${u.reason}. Its ${n} resource${n === 1 ? ' is' : 's are'} unknown and not planned; nothing there changes until it answers` };
}

/** Resources the manifest puts on another host than the one they are on. Moving one would be a create
 *  there and a delete here under one address, which plans do not hold yet: each is left as it is. */
function movedResources(desired: readonly { kind: string; address: string; attributes: Attributes }[], recorded: readonly Recorded[]): Conflict[] {
  const was = new Map(recorded.map((r) => [r.address, placeOf(r.attributes)]));
  return desired.flatMap((d) => {
    const from = was.get(d.address);
    const to = placeOf(d.attributes);
    if (from === undefined || from === to) return [];
    return [{
      kind: d.kind, address: d.address,
      text: `${d.address} is on ${from} and the manifest puts it on ${to}: gaia does not move things between hosts yet, so it is left as it is`,
      fix: `to move it, take it out of the manifest and apply (its work pushed, its databases backed up), then put it back on ${to}; or keep it on ${from}`,
    }];
  });
}
