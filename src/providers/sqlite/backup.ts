/** Backups taken before anything destructive, and the way back (`gaia restore`). A copy is SQLite's
 *  own image of one consistent snapshot (serialize), written like a generated file: through a held
 *  folder inside the root (writeInside), so no folder swapped for a symlink can send it elsewhere. */
import path from 'node:path';
import type { Host, HostFiles } from '../../host/host.js';
import { readDatabase } from './inspect.js';

/** `2025-01-02T03:04:05.678Z` → `2025-01-02T03-04-05-678Z`: sortable and safe in a file name. */
function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

const BACKUP_NAME = /^(.+)-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.db$/;

export function backupPathFor(backupDir: string, address: string, now: Date): string {
  return path.join(backupDir, `${address}-${stamp(now)}.db`);
}

/** A database image SQLite can open in memory: one of a WAL database says so in its header (bytes 18
 *  and 19 are 2), which an in-memory database cannot be; the copy says rollback journal (1) instead. */
function inMemoryImage(image: Buffer): Buffer {
  if (image.length < 20 || (image[18] !== 2 && image[19] !== 2)) return image;
  const copy = Buffer.from(image);
  copy[18] = 1;
  copy[19] = 1;
  return copy;
}

/** Backups hold the data: only their owner reads them. */
const BACKUP_MODE = 0o600;

/** A copy of a live database (one read transaction's snapshot, its WAL included) into `backupDir`,
 *  a folder inside `realRoot`; returns the backup's path. */
export function backupDatabase(host: Host, realRoot: string, absPath: string, backupDir: string, address: string, now: Date): string {
  const dest = backupPathFor(backupDir, address, now);
  const db = host.openSqlite(absPath, { readonly: true, fileMustExist: true });
  let image: Buffer;
  try {
    image = db.serialize();
  } finally {
    db.close();
  }
  host.files.writeInside(realRoot, dest, image, BACKUP_MODE, { noClobber: true });
  return dest;
}

/** A corrupt file cannot be read as a database; keep its bytes instead (not restorable, not lost). */
export function copyCorruptFile(files: HostFiles, realRoot: string, absPath: string, backupDir: string, address: string, now: Date): string {
  const dest = path.join(backupDir, `${address}-${stamp(now)}.corrupt`);
  const bytes = files.readBytes(absPath);
  if (bytes === undefined) throw new Error(`${absPath} is gone; there is nothing to copy`);
  files.writeInside(realRoot, dest, bytes, BACKUP_MODE, { noClobber: true });
  return dest;
}

/** The database and the files SQLite keeps beside it, by bare names in the held folder (inside
 *  `realRoot`): a folder swapped for a symlink cannot make gaia delete elsewhere. */
export function removeDatabaseFiles(files: HostFiles, realRoot: string, absPath: string): void {
  const name = path.basename(absPath);
  files.removeInside(realRoot, path.dirname(absPath), ['', ...SIDECARS].map((suffix) => name + suffix));
}

const SIDECARS = ['-wal', '-shm', '-journal'];

export interface BackupEntry {
  readonly path: string;
  /** The resource address the backup was taken from. */
  readonly address: string;
  /** ISO time the backup was taken. */
  readonly takenAt: string;
  readonly bytes: number;
}

/** Backups in `backupDir`, newest first; a missing folder has none. */
export function listBackups(files: HostFiles, backupDir: string): readonly BackupEntry[] {
  let names: readonly string[];
  try {
    names = files.list(backupDir) ?? [];
  } catch {
    return [];
  }
  const entries: BackupEntry[] = [];
  for (const name of names) {
    const m = BACKUP_NAME.exec(name);
    if (!m) continue;
    const [, address, day, hh, mm, ss, ms] = m;
    const file = path.join(backupDir, name);
    const stat = files.stat(file);
    if (!stat) continue; // removed since the folder was listed
    entries.push({ path: file, address: address!, takenAt: `${day}T${hh}:${mm}:${ss}.${ms}Z`, bytes: stat.size });
  }
  return entries.sort((a, b) => b.takenAt.localeCompare(a.takenAt) || a.address.localeCompare(b.address));
}

export type RestoreResult =
  | { readonly kind: 'restored'; readonly path: string; readonly tables: number; readonly rows: number }
  | { readonly kind: 'refused'; readonly error: string };

/** Restore a backup into `targetPath` (its image written and renamed in, so a failure leaves the target
 *  alone). Refuses a backup that is not a valid database, and an existing target unless `overwrite`.
 *  A target inside the project `root` is written through a held folder (writeInside); one elsewhere
 *  (`--to`) where it is named. */
export function restoreBackup(
  host: Host,
  backupPath: string,
  targetPath: string,
  options: { readonly overwrite?: boolean; readonly root?: string } = {},
): RestoreResult {
  const files = host.files;
  const missing = { kind: 'refused', error: `backup ${backupPath} does not exist` } as const;
  if (!files.exists(backupPath)) return missing;
  if (files.exists(targetPath) && !options.overwrite) {
    return { kind: 'refused', error: `${targetPath} exists; move it away or restore with overwrite` };
  }
  let image: Buffer;
  let summary: ReturnType<typeof readDatabase>;
  try {
    // Checked as the bytes that will be written: opened from memory, not from the file.
    const bytes = files.readBytes(backupPath);
    if (bytes === undefined) return missing;
    image = bytes;
    const source = host.openSqlite(inMemoryImage(image));
    try {
      const check = source.pragma('quick_check', { simple: true });
      if (check !== 'ok') return { kind: 'refused', error: `backup ${backupPath} is damaged: ${String(check)}` };
      summary = readDatabase(source);
    } finally {
      source.close();
    }
  } catch (err) {
    return { kind: 'refused', error: `backup ${backupPath} is not a valid database: ${(err as Error).message}` };
  }
  try {
    // A log or journal left beside the old file would be read into the new one.
    const sidecars = SIDECARS.map((x) => path.basename(targetPath) + x);
    const root = options.root;
    if (root !== undefined && path.resolve(targetPath).startsWith(`${path.resolve(root)}${path.sep}`)) {
      const realRoot = files.realRoot(root);
      files.removeInside(realRoot, path.dirname(targetPath), sidecars);
      files.writeInside(realRoot, targetPath, image, 0o644 & ~process.umask());
    } else {
      for (const name of sidecars) files.removeFile(path.join(path.dirname(targetPath), name));
      files.writeAtomic(targetPath, image, 0o644 & ~process.umask());
    }
    return { kind: 'restored', path: targetPath, tables: summary.tables.length, rows: summary.rows };
  } catch (err) {
    return { kind: 'refused', error: `restore into ${targetPath} failed: ${(err as Error).message}` };
  }
}
