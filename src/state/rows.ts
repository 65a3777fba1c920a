/** Small helpers for turning database rows into gaia's readonly records. */

/** `{ key: value }` when the column holds a value, `{}` for NULL: records omit absent fields. */
export function optional<K extends string, V>(key: K, value: V | null): { readonly [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { readonly [P in K]?: V };
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`state database: ${what} holds invalid JSON`);
  }
}
