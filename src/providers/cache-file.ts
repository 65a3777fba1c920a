/** The files in `.gaia/cache/`: `{ format, entries }` as JSON. Caches only save time, so reading one
 *  that is missing, damaged or of another format gives no entries, and a write that fails is let go
 *  (the next run reads the sources again). */
import { readFileSync } from 'node:fs';
import { writeAtomic } from './write-atomic.js';

export function readCacheEntries<T>(file: string, format: number): Record<string, T> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; entries?: unknown };
    return data.format === format && data.entries !== null && typeof data.entries === 'object' ? (data.entries as Record<string, T>) : {};
  } catch {
    return {};
  }
}

export function writeCacheEntries<T>(file: string, format: number, entries: Record<string, T>): void {
  try {
    writeAtomic(file, JSON.stringify({ format, entries }));
  } catch {
    // Unwritable: only the next run's time is lost.
  }
}
