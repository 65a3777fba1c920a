/** Apply changes to databases in-process. Every write of migrations is one transaction: it lands
 *  whole or not at all. Nothing holding rows is removed without allowDataLoss and a backup first. */
import path from 'node:path';
import { assertNever, type Change } from '../../core/plan.js';
import type { Attributes } from '../../core/resource.js';
import { writeFailure } from '../fs-errors.js';
import type { HostFiles } from '../../host/host.js';
import type { ApplyContext, ChangeOutcome } from '../provider.js';
import {
  MIGRATIONS_TABLE,
  type SqliteDesired,
  migrationLabel,
  readDesired,
  readObserved,
} from './attributes.js';
import { backupDatabase, copyCorruptFile, removeDatabaseFiles } from './backup.js';
import { inspectDatabase, readDatabase } from './inspect.js';
import {
  type MigrationSource,
  type SqliteDb,
  desiredSchema,
  readMigrations,
  runMigrations,
  schemaSignature,
} from './schema.js';
import { migrationStatus, rowsText } from './spec.js';

const done = (attributes?: Attributes, notes?: readonly string[]): ChangeOutcome => ({ status: 'done', attributes, notes });
const failed = (error: string): ChangeOutcome => ({ status: 'failed', error });

/** Read the migration files and check each still has the hash the plan was made with. */
function loadVerified(ctx: ApplyContext, want: SqliteDesired): readonly MigrationSource[] | string {
  const read = readMigrations(ctx.host.files, ctx.root, want.migrations);
  if (!read.ok) return read.error;
  for (const s of read.sources) {
    if (s.sha256 !== s.migration.sha256) {
      return (
        `migration ${s.migration.file} changed since the plan ` +
        `(sha256 now ${s.sha256.slice(0, 12)}, planned ${s.migration.sha256.slice(0, 12)}); run gaia plan again`
      );
    }
  }
  return read.sources;
}

function recordApplied(db: SqliteDb, sources: readonly MigrationSource[], total: number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, sha256 TEXT, applied_at TEXT)`);
  const insert = db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (name, sha256, applied_at) VALUES (?, ?, ?)`);
  const at = new Date().toISOString();
  for (const s of sources) insert.run(s.migration.name, s.sha256, at);
  db.pragma(`user_version = ${Math.trunc(total)}`);
}

const labels = (sources: readonly MigrationSource[]) => sources.map((s) => migrationLabel(s.migration)).join(', ');

/** Temp files of gaia before databases were written through a held folder; a create killed half-way
 *  left one. */
const TEMP_MARK = '.gaia-new-';

/** SQLite's own mode for a file it creates (SQLITE_DEFAULT_FILE_PERMISSIONS), narrowed by the umask. */
const databaseMode = () => 0o644 & ~process.umask();

/** Build the database in memory and write its image in, through the held folder (writeInside): a
 *  failed or killed create leaves nothing behind, a database that appeared meanwhile is never
 *  replaced, and no folder swapped for a symlink on the way can send the file (or a journal: none is
 *  written) outside the root. */
function createDatabase(change: Change, ctx: ApplyContext): ChangeOutcome {
  const files = ctx.host.files;
  const want = readDesired(change.after ?? {});
  const inside = files.resolveInside(ctx.root, want.path);
  if (!inside.ok) return failed(inside.error);
  const abs = inside.abs;
  if (files.exists(abs)) return failed(`${want.path} already exists; gaia will not write over a database it did not create`);
  const sources = loadVerified(ctx, want);
  if (typeof sources === 'string') return failed(sources);
  const db = ctx.host.openSqlite(':memory:');
  let image: Buffer;
  try {
    db.transaction(() => {
      runMigrations(db, sources, { kind: 'inside', root: ctx.root, files });
      recordApplied(db, sources, sources.length);
    })();
    image = db.serialize();
  } catch (err) {
    return failed(`creating ${want.path}: ${(err as Error).message}`);
  } finally {
    db.close();
  }
  try {
    const realRoot = files.realRoot(ctx.root);
    const stale = staleTemps(files, abs);
    if (stale.length) files.removeInside(realRoot, path.dirname(abs), stale);
    files.writeInside(realRoot, abs, image, databaseMode(), { noClobber: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return failed(`${want.path} appeared while gaia created it; gaia will not write over a database it did not create`);
    return failed(writeFailure(want.path, err));
  }
  return done(change.after, sources.length ? [`applied ${labels(sources)}`] : []);
}

function staleTemps(files: HostFiles, abs: string): string[] {
  const prefix = path.basename(abs) + TEMP_MARK;
  try {
    return (files.list(path.dirname(abs)) ?? []).filter((name) => name.startsWith(prefix));
  } catch {
    return [];
  }
}

/** Apply only the missing migrations, deciding from the database itself inside the transaction. */
function migrateDatabase(change: Change, ctx: ApplyContext): ChangeOutcome {
  const files = ctx.host.files;
  const want = readDesired(change.after ?? {});
  const inside = files.resolveInside(ctx.root, want.path);
  if (!inside.ok) return failed(inside.error);
  const abs = inside.abs;
  if (!files.exists(abs)) return failed(`${want.path} is missing; run gaia plan again`);
  const sources = loadVerified(ctx, want);
  if (typeof sources === 'string') return failed(sources);
  const db = ctx.host.openSqlite(abs, { fileMustExist: true });
  try {
    const note = db
      .transaction((): string | undefined => {
        const now = readDatabase(db);
        if (!now.migrationsTable) {
          const signature = schemaSignature(now.master);
          if (signature === '') {
            runMigrations(db, sources, { kind: 'inside', root: ctx.root, files });
            recordApplied(db, sources, sources.length);
            return sources.length ? `applied ${labels(sources)}` : undefined;
          }
          const schema = desiredSchema(ctx.host, ctx.root, want.migrations);
          if (!schema.ok || schema.signature !== signature) {
            throw new Error(`the schema of ${want.path} does not match its migrations and none are recorded; gaia will not migrate it`);
          }
          recordApplied(db, sources, sources.length);
          return `recorded ${sources.length} migration(s) as applied (schema already matched)`;
        }
        const status = migrationStatus(now.applied, want.migrations);
        switch (status.kind) {
          case 'current':
            return undefined;
          case 'diverged':
            throw new Error(`${want.path} changed since the plan: ${status.text}; run gaia plan again`);
          case 'pending': {
            const pending = sources.slice(now.applied.length);
            runMigrations(db, pending, { kind: 'inside', root: ctx.root, files });
            recordApplied(db, pending, sources.length);
            return `applied ${labels(pending)}`;
          }
          default:
            return assertNever(status);
        }
      })
      .immediate();
    return done(change.after, note ? [note] : []);
  } catch (err) {
    return failed(`migrating ${want.path}: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

/** Remove a database: never with preventDestroy, never with rows unless allowDataLoss, and then only after a backup. */
async function destroyDatabase(change: Change, ctx: ApplyContext): Promise<ChangeOutcome> {
  const have = readObserved(change.before ?? {});
  const verb = change.action === 'replace' ? 'replace' : 'delete';
  if (have.preventDestroy || (change.after && readDesired(change.after).preventDestroy)) {
    return failed(`preventDestroy is set on ${have.path}; gaia will not ${verb} it (clear preventDestroy in the manifest first)`);
  }
  const files = ctx.host.files;
  const inside = files.resolveInside(ctx.root, have.path);
  if (!inside.ok) return failed(inside.error);
  const abs = inside.abs;
  const found = inspectDatabase(ctx.host, abs); // rows as they are now, not as planned
  const now = new Date();
  switch (found.kind) {
    case 'missing':
      return done();
    case 'corrupt': {
      if (!ctx.allowDataLoss) {
        return failed(`${have.path} is corrupt (${found.error}); pass --allow-data-loss to ${verb} it (a copy is kept)`);
      }
      const copy = copyCorruptFile(files, files.realRoot(ctx.root), abs, ctx.backupDir, change.address, now);
      ctx.log(`${change.address}: copied corrupt ${have.path} to ${copy}`);
      break;
    }
    case 'unreadable':
      return failed(`cannot read ${have.path} (${found.error}); gaia will not ${verb} a database it cannot inspect`);
    case 'ok':
      if (found.rows > 0) {
        const holds = rowsText(found.tables).replace(/^deletes/, 'holds');
        if (!ctx.allowDataLoss) {
          return failed(`${have.path} ${holds}; pass --allow-data-loss to ${verb} it (a backup is taken first)`);
        }
        const backup = backupDatabase(ctx.host, files.realRoot(ctx.root), abs, ctx.backupDir, change.address, now);
        ctx.log(`${change.address}: backed up ${have.path} (${found.rows} rows) to ${backup}`);
      }
      break;
    default:
      return assertNever(found);
  }
  removeDatabaseFiles(files, files.realRoot(ctx.root), abs);
  return done();
}

async function applyOne(change: Change, ctx: ApplyContext): Promise<ChangeOutcome> {
  switch (change.action) {
    case 'create':
      return createDatabase(change, ctx);
    case 'update':
      return migrateDatabase(change, ctx);
    case 'replace': {
      const removed = await destroyDatabase(change, ctx);
      return removed.status === 'failed' ? removed : createDatabase(change, ctx);
    }
    case 'delete':
      return destroyDatabase(change, ctx);
    case 'adopt':
    case 'noop':
      return done(change.after);
    default:
      return assertNever(change.action);
  }
}

export async function applySqlite(changes: readonly Change[], ctx: ApplyContext): Promise<readonly ChangeOutcome[]> {
  const outcomes: ChangeOutcome[] = [];
  for (const change of changes) {
    try {
      outcomes.push(await applyOne(change, ctx));
    } catch (err) {
      outcomes.push(failed(`${change.address}: ${(err as Error).message}`));
    }
  }
  return outcomes;
}
