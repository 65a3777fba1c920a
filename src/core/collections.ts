/** Small helpers over arrays, used across layers. Pure. */

/** `items` in consecutive slices of at most `size` (at least 1). */
export function chunks<T>(items: readonly T[], size: number): readonly (readonly T[])[] {
  const step = Math.max(1, size);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += step) out.push(items.slice(i, i + step));
  return out;
}

/** Items by key, each group in the order the items came. */
export function groupBy<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
