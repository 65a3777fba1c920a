/** Health's probes, all in-process: no git or sqlite3 processes.
 *  - a merge/rebase in progress is a file in the worktree's git directory (found through its
 *    `.git` file: `gitdir: …/.git/worktrees/dev1`);
 *  - a database's integrity is `PRAGMA quick_check` on a read-only connection. A check that passed
 *    is kept in the cache folder with the file's stamp (identity, size, times of the file and its
 *    -wal): until SQLite or anyone else writes the file, its bytes and so the answer stay the same.
 *    Failures are never kept: each look reports them afresh. */
import path from 'node:path';
import type { Host, HostFiles, SqliteDatabase } from '../host/host.js';
import { gitDirOf } from '../providers/git/ref-files.js';
import { QUICK_CHECKS, StampCache } from '../providers/sqlite/stamp-cache.js';
import type { Model } from '../manifest/model.js';
import type { HealthProbes } from './health.js';
import type { StatusReport } from './status-model.js';

/** The markers git leaves while an operation waits for the user, and what they mean. */
const IN_PROGRESS: readonly (readonly [string, string])[] = [
  ['rebase-merge', 'rebase'],
  ['rebase-apply', 'rebase'],
  ['MERGE_HEAD', 'merge'],
  ['CHERRY_PICK_HEAD', 'cherry-pick'],
  ['REVERT_HEAD', 'revert'],
];

export function gitOperationsIn(files: HostFiles, worktree: string): readonly string[] {
  const dir = gitDirOf(files, worktree);
  if (!dir) return [];
  const found = IN_PROGRESS.filter(([file]) => files.exists(path.join(dir, file))).map(([, op]) => op);
  return [...new Set(found)];
}

export function quickCheck(host: Host, file: string): { readonly ok: true } | { readonly ok: false; readonly error: string } {
  let db: SqliteDatabase | undefined;
  try {
    db = host.openSqlite(file, { readonly: true, fileMustExist: true });
    const rows = db.prepare('PRAGMA quick_check').pluck().all() as unknown[];
    const problems = rows.flatMap((r) => String(r).split('\n')).filter((l) => l !== 'ok' && !l.startsWith('*** in database'));
    if (problems.length === 0) return { ok: true };
    const more = problems.length > 2 ? ` (and ${problems.length - 2} more)` : '';
    return { ok: false, error: `${problems.slice(0, 2).join('; ')}${more}` };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    db?.close();
  }
}

type QuickCheck = ReturnType<typeof quickCheck>;

/** `cacheDir`: where passed checks are kept (the project's cache folder); none, none kept. */
export function probeHealth(host: Host, model: Pick<Model, 'root' | 'environments'>, status: StatusReport, cacheDir?: string): HealthProbes {
  const passed = StampCache.load<QuickCheck>(host.files, cacheDir, QUICK_CHECKS, model.root);
  const gitOperations = new Map<string, readonly string[]>();
  const quick = new Map<string, QuickCheck>();
  for (const env of status.environments) {
    // On another host: its files are there, and its worker probes them (health-run.ts).
    if (!env.directory || env.host !== undefined) continue;
    const info = model.environments.find((e) => e.name === env.name);
    if (!info) continue;
    gitOperations.set(env.name, gitOperationsIn(host.files, path.resolve(model.root, info.path)));
    for (const s of env.stages) {
      if (!s.database?.exists || s.database.error) continue;
      const file = path.resolve(model.root, s.database.path);
      quick.set(`${env.name}.${s.name}`, passed.readThrough(file, () => quickCheck(host, file), (r) => r.ok));
    }
  }
  passed.save();
  return { gitOperations, quickCheck: quick };
}
