/** Dependency order and apply waves. Pure. */
import type { Change } from './plan.js';

interface Node {
  readonly address: string;
  readonly dependsOn: readonly string[];
}

/** Nodes sorted so each comes after what it depends on (ties keep input order); unknown dependencies are ignored. */
export function dependencyOrder<T extends Node>(nodes: readonly T[]): T[] {
  const byAddress = new Map(nodes.map((n) => [n.address, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const out: T[] = [];
  const visit = (n: T, trail: readonly string[]) => {
    const s = state.get(n.address);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`dependency cycle: ${[...trail, n.address].join(' → ')}`);
    state.set(n.address, 'visiting');
    for (const dep of n.dependsOn) {
      const d = byAddress.get(dep);
      if (d) visit(d, [...trail, n.address]);
    }
    state.set(n.address, 'done');
    out.push(n);
  };
  for (const n of nodes) visit(n, []);
  return out;
}

/**
 * What each change waits for, without listing every delete under every other change (which made
 * a plan of 8,000 deletes and creates cost seconds): all deletes come before everything else (so a
 * name or port being freed is free before anything new takes it); besides that, a delete waits for
 * the deletes of things that depend on it, and a create, update or replace for the changes it
 * depends on.
 */
export interface PrerequisiteGraph {
  /** Every delete, in plan order: each other change waits for all of them. */
  readonly deletes: readonly string[];
  /** Every change to run (not noop or adopt), in plan order, with what it waits for besides `deletes`. */
  readonly own: ReadonlyMap<string, readonly string[]>;
  readonly isDelete: (address: string) => boolean;
}

export function prerequisiteGraph(changes: readonly Change[]): PrerequisiteGraph {
  const active = changes.filter((c) => c.action !== 'noop' && c.action !== 'adopt');
  const deletes = active.filter((c) => c.action === 'delete');
  const deleted = new Set(deletes.map((d) => d.address));
  const others = new Set(active.filter((c) => c.action !== 'delete').map((c) => c.address));
  // For each deleted address, the deletes that depend on it (in plan order, each once).
  const waiters = new Map<string, string[]>();
  for (const d of deletes) {
    for (const dep of new Set(d.dependsOn)) {
      if (!deleted.has(dep)) continue;
      const list = waiters.get(dep);
      if (list) list.push(d.address);
      else waiters.set(dep, [d.address]);
    }
  }
  const own = new Map<string, readonly string[]>();
  for (const c of active) {
    own.set(c.address, c.action === 'delete' ? waiters.get(c.address) ?? [] : c.dependsOn.filter((a) => others.has(a)));
  }
  return { deletes: deletes.map((d) => d.address), own, isDelete: (address) => deleted.has(address) };
}

/** For each change, the changes that must succeed before it runs (see PrerequisiteGraph), listed in full. */
export function prerequisites(changes: readonly Change[]): Map<string, readonly string[]> {
  const g = prerequisiteGraph(changes);
  const out = new Map<string, readonly string[]>();
  for (const [address, own] of g.own) out.set(address, g.isDelete(address) ? own : [...g.deletes, ...own]);
  return out;
}

/** Changes grouped into waves that can run at the same time, each after all of its prerequisites. */
export function applyWaves(changes: readonly Change[]): Change[][] {
  const g = prerequisiteGraph(changes);
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  const level = new Map<string, number>();
  const depth = (address: string, trail: ReadonlySet<string>, afterDeletes: number): number => {
    const known = level.get(address);
    if (known !== undefined) return known;
    if (trail.has(address)) throw new Error(`dependency cycle at ${address}`);
    const next = new Set(trail).add(address);
    let d = g.isDelete(address) ? -1 : afterDeletes;
    for (const p of g.own.get(address) ?? []) d = Math.max(d, depth(p, next, afterDeletes));
    level.set(address, d + 1);
    return d + 1;
  };
  // Deletes wait only for deletes; everything else comes after the deepest of them.
  let deepestDelete = -1;
  for (const address of g.deletes) deepestDelete = Math.max(deepestDelete, depth(address, new Set(), -1));
  const waves: Change[][] = [];
  for (const address of g.own.keys()) (waves[depth(address, new Set(), deepestDelete)] ??= []).push(byAddress.get(address)!);
  return waves.filter((w) => w.length > 0);
}
