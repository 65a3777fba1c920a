/** A short-lived memo of promises: a page polling every 2 s, several tabs, or a script in a loop
 *  cost one observation per key per `ttlMs`, and requests arriving while one is running share it.
 *  The time counts from when the answer arrived; a failure is not kept, the next request retries. */
export interface TtlCache {
  get<T>(key: string, load: () => Promise<T>): Promise<T>;
}

interface Entry {
  readonly value: Promise<unknown>;
  /** Undefined while the load is running. */
  doneAt?: number;
}

export function ttlCache(ttlMs: number, now: () => number = Date.now): TtlCache {
  const entries = new Map<string, Entry>();
  return {
    get<T>(key: string, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && (hit.doneAt === undefined || now() - hit.doneAt < ttlMs)) return hit.value as Promise<T>;
      const entry: Entry = { value: load() };
      entries.set(key, entry);
      entry.value.then(
        () => {
          entry.doneAt = now();
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
      return entry.value as Promise<T>;
    },
  };
}
