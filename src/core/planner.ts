/** plan = f(desired, observed, recorded): the heart of gaia, and pure. Providers supply per-kind
 *  comparison rules (KindSpecs); nothing here knows about tmux, git or SQLite. */
import { hashOf, hashOfLines } from './hash.js';
import type { Digests } from './digest.js';
import { maskWithDigest } from './mask.js';
import { dependencyOrder } from './graph.js';
import {
  HOOKS_PENDING_PREFIX, PENDING_PREFIX, PLAN_FORMAT_VERSION, summarise,
  type Change, type Conflict, type Plan, type PlanWarning,
} from './plan.js';
import type { KindSpec, KindSpecs } from './kind.js';
import type { Attributes, Observed, Recorded, Resource } from './resource.js';

export interface PlanInput {
  readonly desired: readonly Resource[];
  readonly observed: readonly Observed[];
  readonly recorded: readonly Recorded[];
  readonly specs: KindSpecs;
  readonly manifest: { readonly path: string; readonly hash: string };
  readonly now: string;
  /** Only these addresses (and what they need, or for deletes what needs them). */
  readonly targets?: readonly string[];
  readonly warnings?: readonly PlanWarning[];
  /** This project's identity (`name@root`): a thing marked by another project is never ours. */
  readonly project?: string;
  /** The project's name when its store is shared by its clones (PostgreSQL): a thing the store records
   *  whose mark is `name@<another folder>` was made by one of them before they shared one identity,
   *  and is ours. */
  readonly sharedBy?: string;
  /** The project's keyed digests of sensitive values. */
  readonly digests: Digests;
}

/** What gets recorded and compared: desired attributes with sensitive values replaced by their digest.
 *  Against `prior` (what is recorded), a recorded digest that still stands for the value is kept (see
 *  maskWithDigest): an old store's unkeyed digests then plan no change. */
export function storedAttributes(
  r: Pick<Resource, 'attributes' | 'sensitive'>, digests: Digests, prior?: Attributes, unverifiable?: (path: string) => void,
): Attributes {
  return r.sensitive?.length ? maskWithDigest(r.attributes, r.sensitive, digests, prior, unverifiable) : r.attributes;
}

/** What a change's record is masked against: a thing made anew (create, replace, adopt) gets fresh keyed
 *  digests; one kept (update, no-op) keeps the recorded digests that still hold, as its marks were made from them. */
export function priorFor(action: Change['action'], recorded: Recorded | undefined): Attributes | undefined {
  return keepsRecordedDigests(action) ? recorded?.attributes : undefined;
}

export function keepsRecordedDigests(action: Change['action']): boolean {
  return action === 'update' || action === 'noop';
}

export function specHashOf(r: Resource, spec: KindSpec | undefined, digests: Digests, prior?: Attributes): string {
  return hashOfStored(r, storedAttributes(r, digests, prior), spec);
}

function hashOfStored(r: Resource, attributes: Attributes, spec: KindSpec | undefined): string {
  return spec?.specHash ? spec.specHash({ ...r, attributes }) : hashOf({ kind: r.kind, attributes });
}

export function plan(input: PlanInput): Plan {
  const observed = new Map(input.observed.map((o) => [o.address, o]));
  const recorded = new Map(input.recorded.map((r) => [r.address, r]));
  const desired = new Map(input.desired.map((d) => [d.address, d]));
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  const unverifiable: string[] = [];
  /** Marked by another project: not ours, unless a clone's own from before (see sharedBy) and on record. */
  const foreignOwner = (o: Observed, recordedHere: boolean): boolean =>
    o.owner !== undefined && o.owner !== input.project && !(recordedHere && input.sharedBy !== undefined && o.owner.startsWith(`${input.sharedBy}@`));

  for (const d of dependencyOrder(input.desired)) {
    const spec = input.specs[d.kind];
    if (!spec) throw new Error(`no provider handles kind ${d.kind}`);
    const o = observed.get(d.address);
    const r = recorded.get(d.address);
    const specHash = specHashOf(d, spec, input.digests);

    if (!o) {
      const text = spec.missingText ?? `${d.kind.replace(/_/g, ' ')} missing`;
      const reasons = r && !r.specHash.startsWith(PENDING_PREFIX) ? [{ code: 'gone', text: `${text} (gaia created it; it was removed outside gaia)` }] : [{ code: 'missing', text }];
      changes.push(desiredChange(d, specHash, 'create', NO_BEFORE, reasons, [], []));
      continue;
    }
    if (foreignOwner(o, r !== undefined)) {
      conflicts.push({ kind: d.kind, address: d.address, owner: o.owner!, text: `${d.address} exists and belongs to another gaia project (${o.owner})`, fix: 'give one of the projects another name for it, or its own tmux socket (settings.tmux.socket)' });
      continue;
    }
    // A mark without a project (gaia before projects were told apart) counts only with a record.
    const owned = r !== undefined || (o.marker !== undefined && o.marker !== '' && o.owner !== undefined);
    if (!owned) {
      const u = spec.unowned?.(d, o, input.digests) ?? { kind: 'conflict' as const, text: `${d.address} exists and gaia did not create it` };
      if (u.kind === 'adopt') changes.push(desiredChange(d, specHash, 'adopt', o.attributes, [u.reason], [], []));
      else conflicts.push({ kind: d.kind, address: d.address, text: u.text, ...(u.fix ? { fix: u.fix } : {}) });
      continue;
    }
    const lostKey: string[] = [];
    const stored = storedAttributes(d, input.digests, r?.attributes, (p) => lostKey.push(`${d.address}.${p}`));
    const cmp = spec.compare(stored === d.attributes ? d : { ...d, attributes: stored }, o, r, input.digests);
    const hooksPending = r?.specHash.startsWith(HOOKS_PENDING_PREFIX) === true;
    // Kept in place: the hash of what is kept (see priorFor), which is what its marks were made from.
    const keptHash = stored === d.attributes ? specHash : hashOfStored(d, stored, spec);
    if (cmp.kind !== 'replace') unverifiable.push(...lostKey);
    switch (cmp.kind) {
      case 'same':
        changes.push(hooksPending
          ? withHooksPending(desiredChange(d, keptHash, 'update', o.attributes, [HOOKS_PENDING], [], []), true)
          : desiredChange(d, keptHash, 'noop', o.attributes, [], [], []));
        continue;
      case 'update':
        changes.push(withHooksPending(desiredChange(d, keptHash, 'update', o.attributes, cmp.reasons, cmp.diffs, []), false, hooksPending));
        break;
      case 'replace':
        changes.push(withHooksPending(desiredChange(d, specHash, 'replace', o.attributes, cmp.reasons, cmp.diffs, spec.hazards?.(o, 'replace') ?? []), false, hooksPending));
        break;
    }
  }

  // Owned things the manifest no longer mentions: delete them, dependents first.
  const gone = input.recorded.filter((r) => !desired.has(r.address));
  for (const r of dependencyOrder(gone).reverse()) {
    const spec = input.specs[r.kind];
    const o = observed.get(r.address);
    if (o !== undefined && foreignOwner(o, true)) {
      // Ours is gone; what has its name now is another project's: only forget.
      changes.push(deleteChange(r, r.attributes, true, [{ code: 'removed_and_gone', text: `removed from manifest; what is there now belongs to another gaia project (${o.owner}), only forgotten` }], []));
    } else if (!o) {
      changes.push(deleteChange(r, r.attributes, true, [{ code: 'removed_and_gone', text: 'removed from manifest; already gone, only forgotten' }], []));
    } else {
      changes.push(deleteChange(r, o.attributes, false, [{ code: 'removed', text: 'removed from manifest' }], spec?.hazards?.(o, 'delete') ?? []));
    }
  }

  const selected = input.targets?.length ? selectTargets(changes, input.targets) : changes;
  const warnings = unverifiable.length ? [...(input.warnings ?? []), lostKeyWarning(unverifiable)] : input.warnings ?? [];
  const body = { changes: selected, conflicts, warnings };
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: input.now,
    manifest: input.manifest,
    fingerprint: fingerprintOf(selected, conflicts, input.recorded),
    ...(input.targets?.length ? { targets: input.targets } : {}),
    ...body,
    summary: summarise(selected, conflicts.length),
  };
}

/** Digests recorded with another key (the key file was lost or replaced) say nothing about the value:
 *  it is taken as unchanged rather than replacing what runs, and said so. */
function lostKeyWarning(paths: readonly string[]): PlanWarning {
  const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? `, … (${paths.length} in all)` : '');
  return {
    code: 'digest_key_changed',
    text: `${shown}: recorded with another digest key (.gaia/digest.key was lost or replaced), so a change of ${paths.length === 1 ? 'this sensitive value' : 'these sensitive values'} cannot be seen; taken as unchanged until the resource is next created or replaced, which records it with the current key`,
  };
}

type Building = { -readonly [K in keyof Change]: Change[K] };

const HOOKS_PENDING = { code: 'hooks_pending', text: 'its after_create hooks did not finish; they run again' } as const;

function withHooksPending(c: Change, only: boolean, pending = true): Change {
  if (!pending) return c;
  const b = c as Building;
  b.hooksPending = true;
  if (only) b.hooksOnly = true;
  return b;
}
const NO_BEFORE = Symbol('no before');

/* Changes are built property by property, always in the same order (the order their JSON shows),
 * not by spreading a shared object: every object made by a spread gets a hidden class of its own,
 * so each later read of 8,000 changes (summary, fingerprint, rendering, apply) went through a
 * megamorphic lookup — ten times slower than on objects that share their class. */

function desiredChange(
  d: Resource, specHash: string, action: Change['action'], before: Attributes | typeof NO_BEFORE,
  reasons: Change['reasons'], diffs: Change['diffs'], hazards: Change['hazards'],
): Change {
  const c = { kind: d.kind, address: d.address, after: d.attributes, dependsOn: d.dependsOn, specHash } as Building;
  if (d.sensitive) c.sensitive = d.sensitive;
  c.action = action;
  if (before !== NO_BEFORE) c.before = before;
  c.reasons = reasons;
  c.diffs = diffs;
  c.hazards = hazards;
  return c;
}

function deleteChange(r: Recorded, before: Attributes, stateOnly: boolean, reasons: Change['reasons'], hazards: Change['hazards']): Change {
  const c = { kind: r.kind, address: r.address, before, dependsOn: r.dependsOn, diffs: [] } as unknown as Building;
  c.action = 'delete';
  if (stateOnly) c.stateOnly = true;
  c.reasons = reasons;
  c.hazards = hazards;
  return c;
}

/** What a plan was made against: its changes and the recorded state. Re-planning later and getting
 *  another fingerprint means the world moved, so a saved plan is stale. */
export function fingerprintOf(changes: readonly Change[], conflicts: readonly Conflict[], recorded: readonly Recorded[]): string {
  // Addresses, actions, codes and attribute paths hold neither tabs nor newlines.
  return hashOfLines((function* lines() {
    for (const c of changes) yield `c\t${c.address}\t${c.action}\t${c.specHash ?? ''}\t${c.reasons.map((r) => r.code).join(',')}\t${c.diffs.map((d) => d.path).join(',')}`;
    for (const c of conflicts) yield `x\t${c.address}`;
    for (const r of [...recorded].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))) yield `r\t${r.address}\t${r.specHash}`;
  })(), 32);
}

/** Targets plus what they need (for creates) or what needs them (for deletes), like Terraform's -target. */
function selectTargets(changes: readonly Change[], targets: readonly string[]): Change[] {
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  const keep = new Set<string>();
  const visit = (addr: string) => {
    if (keep.has(addr)) return;
    keep.add(addr);
    const c = byAddress.get(addr);
    if (!c) return;
    if (c.action === 'delete') {
      for (const other of changes) if (other.action === 'delete' && other.dependsOn.includes(addr)) visit(other.address);
    } else {
      for (const dep of c.dependsOn) visit(dep);
    }
  };
  for (const t of targets) {
    for (const c of changes) if (c.address === t || c.address.startsWith(`${t}.`)) visit(c.address);
  }
  return changes.filter((c) => keep.has(c.address));
}
