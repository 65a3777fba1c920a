/** plan = f(desired, observed, recorded): the heart of gaia, and pure. Providers supply per-kind
 *  comparison rules (KindSpecs); nothing here knows about tmux, git or SQLite. */
import { hashOf } from './hash.js';
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
    const after = d.attributes;
    const common = { kind: d.kind, address: d.address, after, dependsOn: d.dependsOn, specHash: specHashOf(d, spec), ...(d.sensitive ? { sensitive: d.sensitive } : {}) };

    if (!o) {
      const text = spec.missingText ?? `${d.kind.replace(/_/g, ' ')} missing`;
      const reasons = r && !r.specHash.startsWith(PENDING_PREFIX) ? [{ code: 'gone', text: `${text} (gaia created it; it was removed outside gaia)` }] : [{ code: 'missing', text }];
      changes.push({ ...common, action: 'create', reasons, diffs: [], hazards: [] });
      continue;
    }
    const owned = r !== undefined || (o.marker !== undefined && o.marker !== '');
    if (!owned) {
      const u = spec.unowned?.(d, o) ?? { kind: 'conflict' as const, text: `${d.address} exists and gaia did not create it` };
      if (u.kind === 'adopt') changes.push({ ...common, action: 'adopt', before: o.attributes, reasons: [u.reason], diffs: [], hazards: [] });
      else conflicts.push({ kind: d.kind, address: d.address, text: u.text, ...(u.fix ? { fix: u.fix } : {}) });
      continue;
    }
    const cmp = spec.compare({ ...d, attributes: storedAttributes(d) }, o, r);
    switch (cmp.kind) {
      case 'same':
        changes.push({ ...common, action: 'noop', before: o.attributes, reasons: [], diffs: [], hazards: [] });
        break;
      case 'update':
        changes.push({ ...common, action: 'update', before: o.attributes, reasons: cmp.reasons, diffs: cmp.diffs, hazards: [] });
        break;
      case 'replace':
        changes.push({ ...common, action: 'replace', before: o.attributes, reasons: cmp.reasons, diffs: cmp.diffs, hazards: spec.hazards?.(o, 'replace') ?? [] });
        break;
    }
  }

  // Owned things the manifest no longer mentions: delete them, dependents first.
  const gone = input.recorded.filter((r) => !desired.has(r.address));
  for (const r of dependencyOrder(gone).reverse()) {
    const spec = input.specs[r.kind];
    const o = observed.get(r.address);
    const base = { kind: r.kind, address: r.address, before: o?.attributes ?? r.attributes, dependsOn: r.dependsOn, diffs: [] };
    if (!o) {
      changes.push({ ...base, action: 'delete', stateOnly: true, reasons: [{ code: 'removed_and_gone', text: 'removed from manifest; already gone, only forgotten' }], hazards: [] });
    } else {
      changes.push({ ...base, action: 'delete', reasons: [{ code: 'removed', text: 'removed from manifest' }], hazards: spec?.hazards?.(o, 'delete') ?? [] });
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

/** What a plan was made against: its changes and the recorded state. Re-planning later and getting
 *  another fingerprint means the world moved, so a saved plan is stale. */
export function fingerprintOf(changes: readonly Change[], conflicts: readonly Conflict[], recorded: readonly Recorded[]): string {
  return hashOf({
    changes: changes.map((c) => ({ a: c.address, x: c.action, h: c.specHash ?? null, r: c.reasons.map((r) => r.code), d: c.diffs.map((d) => d.path) })),
    conflicts: conflicts.map((c) => c.address),
    recorded: recorded.map((r) => [r.address, r.specHash]).sort(),
  }, 32);
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
