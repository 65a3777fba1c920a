/** Two expanded manifests compared resource by resource: what a pull request adds, removes and
 *  changes, without looking at the world. Pure. Sensitive values are compared as digests, so a
 *  changed secret shows as a change without the secret ever being held in the result. */
import { canonicalJson } from './hash.js';
import type { Digests } from './digest.js';
import { maskWithDigest } from './mask.js';
import { summarise, type AttributeDiff, type Change, type Plan, PLAN_FORMAT_VERSION } from './plan.js';
import type { Attributes, Json, Resource } from './resource.js';

export interface ChangedResource {
  readonly kind: string;
  readonly address: string;
  readonly before: Resource;
  readonly after: Resource;
  /** Leaf attribute changes, by dotted path (`env.API_KEY`); lists are compared whole. */
  readonly diffs: readonly AttributeDiff[];
  /** Dependencies changed too (the order things are made in), with no attribute change needed. */
  readonly dependsOn?: { readonly before: readonly string[]; readonly after: readonly string[] };
}

export interface ResourceDiff {
  readonly added: readonly Resource[];
  readonly removed: readonly Resource[];
  readonly changed: readonly ChangedResource[];
  readonly unchanged: number;
}

export interface DiffSummary {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly unchanged: number;
}

/** Resources with sensitive values replaced by their digests: what may be held, compared and shown. */
function safe(r: Resource, digests: Digests): Resource {
  return r.sensitive?.length ? { ...r, attributes: maskWithDigest(r.attributes, r.sensitive, digests) } : r;
}

/** base → head: added, removed (in base order) and changed resources. `digests` need only last the
 *  comparison (a key of the moment will do): the two sides are digested alike. */
export function diffResources(base: readonly Resource[], head: readonly Resource[], digests: Digests): ResourceDiff {
  const before = new Map(base.map((r) => [r.address, safe(r, digests)]));
  const after = new Map(head.map((r) => [r.address, safe(r, digests)]));
  const added: Resource[] = [];
  const changed: ChangedResource[] = [];
  let unchanged = 0;
  for (const h of after.values()) {
    const b = before.get(h.address);
    if (!b) {
      added.push(h);
      continue;
    }
    // A kind change under one address is a different thing: attribute paths of two kinds do not compare.
    const diffs = b.kind === h.kind
      ? attributeDiffs(b.attributes, h.attributes)
      : [{ path: '(kind)', before: b.kind, after: h.kind, forcesReplace: true }];
    const depsChanged = canonicalJson([...b.dependsOn].sort()) !== canonicalJson([...h.dependsOn].sort());
    if (diffs.length === 0 && !depsChanged) {
      unchanged++;
      continue;
    }
    changed.push({
      kind: h.kind, address: h.address, before: b, after: h, diffs,
      ...(depsChanged ? { dependsOn: { before: b.dependsOn, after: h.dependsOn } } : {}),
    });
  }
  const removed = [...before.values()].filter((b) => !after.has(b.address));
  return { added, removed, changed, unchanged };
}

export function diffSummary(d: ResourceDiff): DiffSummary {
  return { added: d.added.length, removed: d.removed.length, changed: d.changed.length, unchanged: d.unchanged };
}

export function hasDifferences(d: ResourceDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length > 0;
}

const isObject = (v: Json | undefined): v is { readonly [key: string]: Json } =>
  v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);

/** Leaf differences between two attribute maps. Objects are walked; lists and scalars compare whole. */
export function attributeDiffs(before: Attributes, after: Attributes, prefix = ''): AttributeDiff[] {
  const out: AttributeDiff[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    const path = prefix ? `${prefix}.${key}` : key;
    const b = before[key];
    const a = after[key];
    if (isObject(b) && isObject(a)) {
      out.push(...attributeDiffs(b, a, path));
      continue;
    }
    if (canonicalJson(b) === canonicalJson(a)) continue;
    out.push({ path, ...(b === undefined ? {} : { before: b }), ...(a === undefined ? {} : { after: a }) });
  }
  return out;
}

/**
 * The diff in the shape of a plan, so the plan renderers (markdown with its size budget and
 * `--split`) show it without a second implementation: added → create, removed → delete,
 * changed → update. Which changes would force a replace is only known against the world
 * (`gaia plan`); a review of the manifest alone shows them as changes.
 */
export function diffAsPlan(d: ResourceDiff, meta: { readonly manifest: { readonly path: string; readonly hash: string }; readonly now: string }): Plan {
  const changes: Change[] = [
    ...d.removed.map((r): Change => ({
      kind: r.kind, address: r.address, action: 'delete', before: r.attributes, diffs: [], dependsOn: r.dependsOn, hazards: [],
      reasons: [{ code: 'removed', text: 'removed from the manifest' }], ...sensitiveOf(r),
    })),
    ...d.changed.map((c): Change => ({
      kind: c.kind, address: c.address, action: 'update', before: c.before.attributes, after: c.after.attributes,
      diffs: c.diffs, dependsOn: c.after.dependsOn, hazards: [],
      reasons: [{ code: 'changed', text: changedText(c) }], ...sensitiveOf(c.after),
    })),
    ...d.added.map((r): Change => ({
      kind: r.kind, address: r.address, action: 'create', after: r.attributes, diffs: [], dependsOn: r.dependsOn, hazards: [],
      reasons: [{ code: 'added', text: 'added to the manifest' }], ...sensitiveOf(r),
    })),
  ];
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: meta.now,
    manifest: meta.manifest,
    fingerprint: '',
    changes,
    conflicts: [],
    warnings: [],
    summary: summarise(changes, 0),
  };
}

function sensitiveOf(r: Resource): Pick<Change, 'sensitive'> {
  return r.sensitive?.length ? { sensitive: r.sensitive } : {};
}

/** "command, env.PORT changed" — the paths, capped so a reason stays one line. */
function changedText(c: ChangedResource): string {
  const paths = c.diffs.map((x) => x.path);
  if (c.dependsOn) paths.push('dependencies');
  const shown = paths.slice(0, 4).join(', ');
  return `${shown}${paths.length > 4 ? ` and ${paths.length - 4} more` : ''} changed`;
}

/** Which two manifests were compared: a git revision (`main` at `3f2a…`) or the working tree. */
export interface DiffSide {
  /** As the user named it (`origin/main`, `HEAD~1`), or `working tree`. */
  readonly ref: string;
  /** The commit it resolved to; absent for the working tree. */
  readonly revision?: string;
  /** The manifest does not exist on this side (a pull request that adds it): compared as empty. */
  readonly missing?: boolean;
}

export interface DiffReport {
  /** The manifest's path inside the repository. */
  readonly manifest: string;
  readonly base: DiffSide;
  readonly head: DiffSide;
  readonly diff: ResourceDiff;
}
