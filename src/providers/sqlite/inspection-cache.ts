/** Inspections of databases that have not changed since: opening 1,500 databases is most of a
 *  500-environment plan, and nearly all of them are as the last plan left them. A database counts as
 *  unchanged while its file and its write-ahead log keep the same identity, size and times — any
 *  write by SQLite changes one of them, as any edit changes what git's index remembers of a file.
 *
 *  Git's "racy" rule applies: file times tick coarsely (milliseconds, on some filesystems seconds),
 *  so a database written shortly before it was read may be written again within the same tick
 *  without its times moving. Such an inspection is not kept; the next observation reads the file. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../write-atomic.js';
import type { Inspection } from './inspect.js';

type Found = Extract<Inspection, { kind: 'ok' }>;

/** Newer than this when read: not kept (see above). */
export const RACY_MS = 2000;
const FILE = 'sqlite-inspections.json';
const FORMAT = 1;

export interface Stamp {
  /** Identity, size and times of the database file and of its -wal (absent: "-"). The log's change
   *  time is left out: SQLite running as root chowns the log when it opens it, even to read. */
  readonly key: string;
  /** The latest modification time of the two, ms since the epoch. */
  readonly modifiedMs: number;
}

/** Undefined when the database file does not exist or cannot be seen: nothing to remember. */
export function stampOf(abs: string): Stamp | undefined {
  const stat = (file: string) => {
    try {
      return statSync(file, { throwIfNoEntry: false });
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

interface Entry {
  readonly stamp: string;
  readonly found: Found;
}

export class InspectionCache {
  private readonly seen = new Map<string, Entry>();
  private changed = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly kept: ReadonlyMap<string, Entry>,
  ) {}

  /** The cache in `dir` (none when dir is undefined); a missing or unreadable file is an empty cache. */
  static load(dir: string | undefined): InspectionCache {
    if (dir === undefined) return new InspectionCache(undefined, new Map());
    const file = path.join(dir, FILE);
    let kept = new Map<string, Entry>();
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; entries?: Record<string, Entry> };
      if (data.format === FORMAT && data.entries) kept = new Map(Object.entries(data.entries));
    } catch {
      // First observation, or a damaged cache: read every database.
    }
    return new InspectionCache(file, kept);
  }

  /** What the database at `abs` held when it last had this stamp. */
  get(abs: string, stamp: Stamp): Found | undefined {
    const entry = this.kept.get(abs);
    if (entry?.stamp !== stamp.key) return undefined;
    this.seen.set(abs, entry);
    return entry.found;
  }

  /** Remember a fresh inspection, unless the file changed too recently to trust its stamp. */
  put(abs: string, stamp: Stamp, found: Found, readAtMs: number): void {
    this.changed = true;
    if (readAtMs - stamp.modifiedMs < RACY_MS) return;
    this.seen.set(abs, { stamp: stamp.key, found });
  }

  /** Keep what this observation used or read (databases no longer observed drop out). Best effort:
   *  a cache that cannot be written costs only the next observation's time. */
  save(): void {
    if (this.file === undefined || (!this.changed && this.seen.size === this.kept.size)) return;
    try {
      writeAtomic(this.file, JSON.stringify({ format: FORMAT, entries: Object.fromEntries(this.seen) }));
    } catch {
      // Unwritable: the next observation reads the databases again.
    }
  }
}
