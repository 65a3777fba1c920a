/** plan = f(desired, observed, recorded): the heart of gaia, and pure. Providers supply per-kind
 *  comparison rules (KindSpecs); nothing here knows about tmux, git or SQLite. */
import { hashOf, hashOfLines } from './hash.js';
import { maskSensitive, sensitiveDigest } from './mask.js';
import { dependencyOrder } from './graph.js';
import {
  PENDING_PREFIX, PLAN_FORMAT_VERSION, summarise,
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
}

/** What gets recorded and compared: desired attributes with sensitive values replaced by their digest. */
export function storedAttributes(r: Pick<Resource, 'attributes' | 'sensitive'>): Attributes {
  return r.sensitive?.length ? maskSensitive(r.attributes, r.sensitive, sensitiveDigest) : r.attributes;
}

export function specHashOf(r: Resource, spec: KindSpec | undefined): string {
  const stored = { ...r, attributes: storedAttributes(r) };
  return spec?.specHash ? spec.specHash(stored) : hashOf({ kind: r.kind, attributes: stored.attributes });
}

export function plan(input: PlanInput): Plan {
  const observed = new Map(input.observed.map((o) => [o.address, o]));
  const recorded = new Map(input.recorded.map((r) => [r.address, r]));
  const desired = new Map(input.desired.map((d) => [d.address, d]));
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];

  for (const d of dependencyOrder(input.desired)) {
    const spec = input.specs[d.kind];
    if (!spec) throw new Error(`no provider handles kind ${d.kind}`);
    const o = observed.get(d.address);
    const r = recorded.get(d.address);
    const specHash = specHashOf(d, spec);

    if (!o) {
      const text = spec.missingText ?? `${d.kind.replace(/_/g, ' ')} missing`;
      const reasons = r && !r.specHash.startsWith(PENDING_PREFIX) ? [{ code: 'gone', text: `${text} (gaia created it; it was removed outside gaia)` }] : [{ code: 'missing', text }];
      changes.push(desiredChange(d, specHash, 'create', NO_BEFORE, reasons, [], []));
      continue;
    }
    const owned = r !== undefined || (o.marker !== undefined && o.marker !== '');
    if (!owned) {
      const u = spec.unowned?.(d, o) ?? { kind: 'conflict' as const, text: `${d.address} exists and gaia did not create it` };
      if (u.kind === 'adopt') changes.push(desiredChange(d, specHash, 'adopt', o.attributes, [u.reason], [], []));
      else conflicts.push({ kind: d.kind, address: d.address, text: u.text, ...(u.fix ? { fix: u.fix } : {}) });
      continue;
    }
    const stored = storedAttributes(d);
    const cmp = spec.compare(stored === d.attributes ? d : { ...d, attributes: stored }, o, r);
    switch (cmp.kind) {
      case 'same':
        changes.push(desiredChange(d, specHash, 'noop', o.attributes, [], [], []));
        break;
      case 'update':
        changes.push(desiredChange(d, specHash, 'update', o.attributes, cmp.reasons, cmp.diffs, []));
        break;
      case 'replace':
        changes.push(desiredChange(d, specHash, 'replace', o.attributes, cmp.reasons, cmp.diffs, spec.hazards?.(o, 'replace') ?? []));
        break;
    }
  }

  // Owned things the manifest no longer mentions: delete them, dependents first.
  const gone = input.recorded.filter((r) => !desired.has(r.address));
  for (const r of dependencyOrder(gone).reverse()) {
    const spec = input.specs[r.kind];
    const o = observed.get(r.address);
    if (!o) {
      changes.push(deleteChange(r, r.attributes, true, [{ code: 'removed_and_gone', text: 'removed from manifest; already gone, only forgotten' }], []));
    } else {
      changes.push(deleteChange(r, o.attributes, false, [{ code: 'removed', text: 'removed from manifest' }], spec?.hazards?.(o, 'delete') ?? []));
    }
  }

  const selected = input.targets?.length ? selectTargets(changes, input.targets) : changes;
  const body = { changes: selected, conflicts, warnings: input.warnings ?? [] };
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

type Building = { -readonly [K in keyof Change]: Change[K] };
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
