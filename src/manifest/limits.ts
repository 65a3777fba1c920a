/** Sizes past which a manifest is a mistake (or an attack), refused before anything is expanded. Pure. */

/** `count:` of environments or of a group's sessions. The schema only says "integer ≥ 1", and YAML's
 *  `.inf` and `1e400` pass as integers: expanding 10⁹ names would exhaust memory instead of failing. */
export const MAX_COUNT = 10_000;

/** What is wrong with a count, if anything. */
export function countProblem(count: number): string | undefined {
  if (!Number.isSafeInteger(count)) return `count ${count} is not a whole number gaia can expand`;
  if (count > MAX_COUNT) return `count ${count} is more than gaia expands (at most ${MAX_COUNT})`;
  return undefined;
}
