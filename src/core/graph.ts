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
 * For each change, the changes that must succeed before it runs. All deletes come before everything
 * else (so a name or port being freed is free before anything new takes it); a delete waits for the
 * deletes of things that depend on it; a create, update or replace waits for the changes it depends on.
 */
export function prerequisites(changes: readonly Change[]): Map<string, readonly string[]> {
  const active = changes.filter((c) => c.action !== 'noop' && c.action !== 'adopt');
  const deletes = active.filter((c) => c.action === 'delete');
  const others = new Set(active.filter((c) => c.action !== 'delete').map((c) => c.address));
  const out = new Map<string, readonly string[]>();
  for (const c of active) {
    out.set(c.address, c.action === 'delete'
      ? deletes.filter((d) => d.dependsOn.includes(c.address)).map((d) => d.address)
      : [...deletes.map((d) => d.address), ...c.dependsOn.filter((a) => others.has(a))]);
  }
  return out;
}

/** Changes grouped into waves that can run at the same time, each after all of its prerequisites. */
export function applyWaves(changes: readonly Change[]): Change[][] {
  const pre = prerequisites(changes);
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  const level = new Map<string, number>();
  const depth = (address: string, trail: ReadonlySet<string>): number => {
    const known = level.get(address);
    if (known !== undefined) return known;
    if (trail.has(address)) throw new Error(`dependency cycle at ${address}`);
    const next = new Set(trail).add(address);
    const d = Math.max(-1, ...(pre.get(address) ?? []).map((p) => depth(p, next))) + 1;
    level.set(address, d);
    return d;
  };
  const waves: Change[][] = [];
  for (const address of pre.keys()) (waves[depth(address, new Set())] ??= []).push(byAddress.get(address)!);
  return waves.filter((w) => w.length > 0);
}
