/** The files in `.gaia/cache/`: `{ format, entries }` as JSON. Caches only save time, so reading one
 *  that is missing, damaged or of another format gives no entries, and a write that fails is let go
 *  (the next run reads the sources again). */
import path from 'node:path';
import type { HostFiles } from '../host/host.js';

export function readCacheEntries<T>(files: HostFiles, file: string, format: number): Record<string, T> {
  try {
    const text = files.readText(file);
    if (text === undefined) return {};
    const data = JSON.parse(text) as { format?: unknown; entries?: unknown };
    return data.format === format && data.entries !== null && typeof data.entries === 'object' ? (data.entries as Record<string, T>) : {};
  } catch {
    return {};
  }
}

/** `root`: the project root; a cache inside it is written through a held folder (writeInside), so a
 *  folder swapped for a symlink cannot send it elsewhere. (A state folder set outside the root keeps
 *  its cache there, written by path.) */
export function writeCacheEntries<T>(files: HostFiles, file: string, format: number, entries: Record<string, T>, root: string): void {
  const text = JSON.stringify({ format, entries });
  try {
    if (path.resolve(file).startsWith(`${path.resolve(root)}${path.sep}`)) files.writeInside(files.realRoot(root), file, text);
    else files.writeAtomic(file, text);
  } catch {
    // Unwritable: only the next run's time is lost.
  }
}
