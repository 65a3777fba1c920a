/** Backups taken before anything destructive, and the way back (`gaia restore`).
 *  Both directions use SQLite's online backup API, so a copy is always a consistent database. */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from './driver.js';
import { readDatabase } from './inspect.js';
import type { SqliteDb } from './schema.js';

/** `2025-01-02T03:04:05.678Z` → `2025-01-02T03-04-05-678Z`: sortable and safe in a file name. */
function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

const BACKUP_NAME = /^(.+)-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.db$/;

export function backupPathFor(backupDir: string, address: string, now: Date): string {
  return path.join(backupDir, `${address}-${stamp(now)}.db`);
}

/** Online backup of a live database into `backupDir`; returns the backup's path. */
export async function backupDatabase(absPath: string, backupDir: string, address: string, now: Date): Promise<string> {
  mkdirSync(backupDir, { recursive: true });
  const dest = backupPathFor(backupDir, address, now);
  const db = openDatabase(absPath, { readonly: true, fileMustExist: true });
  try {
    await db.backup(dest);
  } finally {
    db.close();
  }
  return dest;
}

/** A corrupt file cannot go through the backup API; keep its bytes instead (not restorable, not lost). */
export function copyCorruptFile(absPath: string, backupDir: string, address: string, now: Date): string {
  mkdirSync(backupDir, { recursive: true });
  const dest = path.join(backupDir, `${address}-${stamp(now)}.corrupt`);
  copyFileSync(absPath, dest);
  return dest;
}

/** The database and the files SQLite keeps beside it. */
export function removeDatabaseFiles(absPath: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(absPath + suffix, { force: true });
}

export interface BackupEntry {
  readonly path: string;
  /** The resource address the backup was taken from. */
  readonly address: string;
  /** ISO time the backup was taken. */
  readonly takenAt: string;
  readonly bytes: number;
}

/** Backups in `backupDir`, newest first; a missing folder has none. */
export function listBackups(backupDir: string): readonly BackupEntry[] {
  let names: string[];
  try {
    names = readdirSync(backupDir);
  } catch {
    return [];
  }
  const entries: BackupEntry[] = [];
  for (const name of names) {
    const m = BACKUP_NAME.exec(name);
    if (!m) continue;
    const [, address, day, hh, mm, ss, ms] = m;
    const file = path.join(backupDir, name);
    entries.push({ path: file, address: address!, takenAt: `${day}T${hh}:${mm}:${ss}.${ms}Z`, bytes: statSync(file).size });
  }
  return entries.sort((a, b) => b.takenAt.localeCompare(a.takenAt) || a.address.localeCompare(b.address));
}

export type RestoreResult =
  | { readonly kind: 'restored'; readonly path: string; readonly tables: number; readonly rows: number }
  | { readonly kind: 'refused'; readonly error: string };

/** Restore a backup into `targetPath` (a fresh file, swapped in by rename so a failure leaves the target alone).
 *  Refuses a backup that is not a valid database, and an existing target unless `overwrite`. */
export async function restoreBackup(
  backupPath: string,
  targetPath: string,
  options: { readonly overwrite?: boolean } = {},
): Promise<RestoreResult> {
  if (!existsSync(backupPath)) return { kind: 'refused', error: `backup ${backupPath} does not exist` };
  if (existsSync(targetPath) && !options.overwrite) {
    return { kind: 'refused', error: `${targetPath} exists; move it away or restore with overwrite` };
  }
  let source: SqliteDb | undefined;
  try {
    source = openDatabase(backupPath, { readonly: true, fileMustExist: true });
    const check = source.pragma('quick_check', { simple: true });
    if (check !== 'ok') return { kind: 'refused', error: `backup ${backupPath} is damaged: ${String(check)}` };
  } catch (err) {
    source?.close();
    return { kind: 'refused', error: `backup ${backupPath} is not a valid database: ${(err as Error).message}` };
  }
  mkdirSync(path.dirname(targetPath), { recursive: true });
  const temp = `${targetPath}.gaia-restore-${randomBytes(4).toString('hex')}`;
  try {
    await source.backup(temp);
    source.close();
    source = undefined;
    const check = openDatabase(temp, { readonly: true, fileMustExist: true });
    let summary;
    try {
      summary = readDatabase(check);
    } finally {
      check.close();
    }
    removeDatabaseFiles(targetPath);
    renameSync(temp, targetPath);
    return { kind: 'restored', path: targetPath, tables: summary.tables.length, rows: summary.rows };
  } catch (err) {
    removeDatabaseFiles(temp);
    return { kind: 'refused', error: `restore into ${targetPath} failed: ${(err as Error).message}` };
  } finally {
    source?.close();
  }
}
