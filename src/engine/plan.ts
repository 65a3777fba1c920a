/** Observe, then plan: the read-only half of gaia. */
import { plan as computePlan } from '../core/planner.js';
import type { Plan } from '../core/plan.js';
import type { Recorded } from '../core/resource.js';
import { kindSpecs } from '../providers/registry.js';
import { HOST_UNREACHABLE, observeEverywhere, type PlacedObservation, type UnreachableHost } from './hosts.js';
import { LOCAL, oldCopyKey, oldCopyOf, placeOf } from '../core/place.js';
import type { Change, PlanWarning } from '../core/plan.js';
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
  // A resource the manifest moved to another host is created there by the plan, and its old copy is
  // deleted afterwards (`moves`): the old copy is observed where it is, apart from the rest.
  const copies = oldCopies(desired, recorded);
  const moving = new Set(copies.filter((c) => !c.kept).map((c) => c.record.address));
  const oldKeys = new Set(copies.map((c) => c.key));
  const [observation, oldObservation] = await Promise.all([
    observeEverywhere(project, desired, recorded.filter((r) => !oldKeys.has(r.address) && !moving.has(r.address))),
    copies.length ? observeEverywhere(project, [], copies.map((c) => c.record)) : undefined,
  ]);
  if (recorded.length === 0 && !options.allowLostState && (await store.applies(1)).length === 0) {
    // A destroy desires nothing, so it observes nothing: look at what the manifest names for marks.
    const looked = options.destroy && model.resources.length ? await observeEverywhere(project, model.resources, recorded) : observation;
    refuseLostState(looked.observed, project);
  }
  // What is on a host that cannot be reached is unknown: planned neither as missing nor as gone. While
  // an old copy's host cannot be reached, its resource is unknown too (its move waits).
  const unknown = new Set([
    ...observation.unreachable.flatMap((u) => u.addresses),
    ...(oldObservation?.unreachable.flatMap((u) => u.addresses) ?? []),
  ]);
  const known = <T extends { address: string }>(x: T) => !unknown.has(x.address);
  // The main plan sees a moving resource as new where it goes; the old copy's record is not its record.
  const recordedHere = recorded.filter((r) => known(r) && !oldKeys.has(r.address) && !moving.has(r.address));
  const common = {
    specs: kindSpecs,
    manifest: { path: model.file, hash: model.manifestHash },
    project: ctx.project,
    ...(model.state.kind === 'postgres' ? { sharedBy: model.manifest.project } : {}),
    digests: ctx.digests,
    now: (options.now?.() ?? new Date()).toISOString(),
    ...(options.targets?.length ? { targets: options.targets } : {}),
  };
  const plan = computePlan({
    ...common,
    desired: desired.filter(known),
    observed: observation.observed,
    recorded: recordedHere,
    warnings: [
      ...observation.unreachable.map(unreachableWarning),
      ...(oldObservation?.unreachable.map(unreachableWarning) ?? []),
      ...observation.warnings, ...model.warnings.map((text) => ({ code: 'manifest', text })), ...missingPrograms(desired.filter((r) => placeOf(r.attributes) === LOCAL), model.root),
    ],
  });
  const moves = copies.length ? planMoves(copies.filter((c) => known(c.record)), oldObservation!.observed, common) : [];
  const withMoves: Plan = moves.length ? { ...plan, moves, summary: { ...plan.summary, destroy: plan.summary.destroy + moves.filter((m) => !m.stateOnly).length } } : plan;
  return { plan: options.destroy ? { ...withMoves, destroy: true } : withMoves, observation, recorded };
}

/** The old copy of a resource on its way to another host: its record as it was (its own address, on
 *  the host it is on), the key that record is kept under while the move lasts, and where it goes
 *  (undefined: the manifest no longer has it, or wants it back where the old copy is). */
interface OldCopy {
  readonly record: Recorded;
  readonly key: string;
  readonly to: string | undefined;
  /** Its record is already kept under `key` (an earlier apply began the move). */
  readonly kept: boolean;
}

/** Records on another host than the manifest now puts them, and old copies kept from an earlier apply. */
function oldCopies(desired: readonly { address: string; attributes: Attributes }[], recorded: readonly Recorded[]): OldCopy[] {
  const wanted = new Map(desired.map((d) => [d.address, placeOf(d.attributes)]));
  return recorded.flatMap((r): OldCopy[] => {
    const from = placeOf(r.attributes);
    const stood = oldCopyOf(r);
    if (stood !== undefined) return [{ record: { ...r, address: stood }, key: r.address, to: wanted.get(stood), kept: true }];
    const to = wanted.get(r.address);
    return to !== undefined && to !== from ? [{ record: r, key: oldCopyKey(r.address, from), to, kept: false }] : [];
  });
}

/** The deletes of the old copies, as any delete is planned (data-loss and unpushed-work hazards
 *  included), each saying where its resource went. An old copy kept where the manifest wants the
 *  resource again is that resource: only its key is forgotten. */
function planMoves(copies: readonly OldCopy[], observed: readonly Observed[], common: Omit<Parameters<typeof computePlan>[0], 'desired' | 'observed' | 'recorded'>): Change[] {
  const back = copies.filter((c) => c.to === placeOf(c.record.attributes));
  const away = copies.filter((c) => !back.includes(c));
  const leaving = new Set(away.map((c) => c.record.address));
  const planned = computePlan({ ...common, desired: [], observed: observed.filter((o) => leaving.has(o.address)), recorded: away.map((c) => c.record) });
  const to = new Map(away.map((c) => [c.record.address, c.to]));
  return [
    ...back.map((c): Change => ({
      kind: c.record.kind, address: c.record.address, action: 'delete', reasons: [{ code: 'moved_back', text: `the manifest wants it on ${placeOf(c.record.attributes)} again, where it still is` }],
      before: c.record.attributes, diffs: [], dependsOn: c.record.dependsOn, hazards: [], stateOnly: true, movedTo: placeOf(c.record.attributes),
    })),
    ...planned.changes.filter((c) => c.action === 'delete').map((c): Change => {
      const where = to.get(c.address);
      // No longer in the manifest (or a destroy): the old copy of an unfinished move goes like the rest.
      if (where === undefined) return { ...c, reasons: [{ code: 'moved', text: 'the old copy of a move the manifest no longer has' }] };
      const text = c.stateOnly ? `moved to ${where}; the old copy is gone already` : `moved to ${where}; the old copy is deleted once the new one is there`;
      return { ...c, reasons: [{ code: 'moved', text }], movedTo: where };
    }),
  ];
}

function unreachableWarning(u: UnreachableHost): PlanWarning {
  const n = u.addresses.length;
  return { code: HOST_UNREACHABLE, text: `host ${u.host} (${u.reach}) cannot be reached: ${u.reason}. Its ${n} resource${n === 1 ? ' is' : 's are'} unknown and not planned; nothing there changes until it answers` };
}
