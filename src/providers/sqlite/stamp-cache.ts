/** What was read from databases that have not changed since: their inspections (opening 1,500
 *  databases is most of a 500-environment plan, and nearly all of them are as the last plan left
 *  them) and their passed integrity checks. A database counts as unchanged while its file and its
 *  write-ahead log keep the same identity, size and times — any write by SQLite changes one of them,
 *  as any edit changes what git's index remembers of a file.
 *
 *  Git's "racy" rule applies: file times tick coarsely (milliseconds, on some filesystems seconds),
 *  so a database written shortly before it was read may be written again within the same tick
 *  without its times moving. Such an inspection is not kept; the next observation reads the file. */
import path from 'node:path';
import type { HostFiles } from '../../host/host.js';
import { readCacheEntries, writeCacheEntries } from '../cache-file.js';

/** Newer than this when read: not kept (see above). */
export const RACY_MS = 2000;
const FORMAT = 1;

/** The caches, one file each in the cache folder. */
export const INSPECTIONS = 'sqlite-inspections.json';
export const QUICK_CHECKS = 'sqlite-quick-checks.json';

export interface Stamp {
  /** Identity, size and times of the database file and of its -wal (absent: "-"). The log's change
   *  time is left out: SQLite running as root chowns the log when it opens it, even to read. */
  readonly key: string;
  /** The latest modification time of the two, ms since the epoch. */
  readonly modifiedMs: number;
}

/** Undefined when the database file does not exist or cannot be seen: nothing to remember. */
export function stampOf(files: HostFiles, abs: string): Stamp | undefined {
  const stat = (file: string) => {
    try {
      return files.stat(file);
    } catch {
      return undefined; // unreadable: inspecting the database says why
    }
  };
  const db = stat(abs);
  if (!db) return undefined;
  const wal = stat(`${abs}-wal`);
  const part = (s: typeof db | undefined) => (s ? `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}` : '-');
  return { key: `${part(db)}:${db.ctimeMs}|${part(wal)}`, modifiedMs: Math.max(db.mtimeMs, wal?.mtimeMs ?? 0) };
}

interface Entry<T> {
  readonly stamp: string;
  readonly found: T;
}

export class StampCache<T> {
  private readonly seen = new Map<string, Entry<T>>();
  private changed = false;

  private constructor(
    private readonly files: HostFiles,
    private readonly file: string | undefined,
    private readonly kept: ReadonlyMap<string, Entry<T>>,
    private readonly root: string,
  ) {}

  /** The cache `name` in `dir` (none when dir is undefined); a missing or unreadable file is an empty
   *  cache. `root`: the project root (writes inside it go through a held folder). */
  static load<T>(files: HostFiles, dir: string | undefined, name: string, root: string): StampCache<T> {
    if (dir === undefined) return new StampCache<T>(files, undefined, new Map(), root);
    const file = path.join(dir, name);
    return new StampCache<T>(files, file, new Map(Object.entries(readCacheEntries<Entry<T>>(files, file, FORMAT))), root);
  }

  /** The reading of the database at `abs`: the kept one while the file keeps its stamp, else a
   *  fresh `read()`, kept when `worthKeeping` says so and the file did not change while it was read. */
  readThrough(abs: string, read: () => T, worthKeeping: (found: T) => boolean): T {
    const stamp = stampOf(this.files, abs);
    const entry = stamp && this.kept.get(abs);
    if (stamp && entry?.stamp === stamp.key) {
      this.seen.set(abs, entry);
      return entry.found;
    }
    const readAt = Date.now();
    const found = read();
    this.changed = true;
    // Racy (see above): a file modified just before it was read may change again unseen.
    if (stamp && worthKeeping(found) && readAt - stamp.modifiedMs >= RACY_MS && stampOf(this.files, abs)?.key === stamp.key) {
      this.seen.set(abs, { stamp: stamp.key, found });
    }
    return found;
  }

  /** Keep what this run used or read (databases no longer looked at drop out). Best effort: a
   *  cache that cannot be written costs only the next run's time. */
  save(): void {
    if (this.file === undefined || (!this.changed && this.seen.size === this.kept.size)) return;
    writeCacheEntries(this.files, this.file, FORMAT, Object.fromEntries(this.seen), this.root);
  }
}
