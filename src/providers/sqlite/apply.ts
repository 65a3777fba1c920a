/** Apply changes to databases in-process. Every write of migrations is one transaction: it lands
 *  whole or not at all. Nothing holding rows is removed without allowDataLoss and a backup first. */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { assertNever, type Change } from '../../core/plan.js';
import type { Attributes } from '../../core/resource.js';
import { writeFailure } from '../fs-errors.js';
import { resolveInside } from '../inside-root.js';
import type { ApplyContext, ChangeOutcome } from '../provider.js';
import {
  MIGRATIONS_TABLE,
  type SqliteDesired,
  migrationLabel,
  readDesired,
  readObserved,
} from './attributes.js';
import { openDatabase } from './driver.js';
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
  const read = readMigrations(ctx.root, want.migrations);
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

const TEMP_MARK = '.gaia-new-';

/** A create killed half-way leaves its temp file; the name says it is gaia's and unfinished. */
function removeStaleTemps(abs: string): void {
  const prefix = path.basename(abs) + TEMP_MARK;
  for (const name of readdirSync(path.dirname(abs))) {
    if (name.startsWith(prefix)) rmSync(path.join(path.dirname(abs), name), { force: true });
  }
}

/** Build the database beside its final path and rename it in: a failed or killed create leaves nothing behind. */
function createDatabase(change: Change, ctx: ApplyContext): ChangeOutcome {
  const want = readDesired(change.after ?? {});
  const inside = resolveInside(ctx.root, want.path);
  if (!inside.ok) return failed(inside.error);
  const abs = inside.abs;
  if (existsSync(abs)) return failed(`${want.path} already exists; gaia will not write over a database it did not create`);
  const sources = loadVerified(ctx, want);
  if (typeof sources === 'string') return failed(sources);
  try {
    mkdirSync(path.dirname(abs), { recursive: true });
  } catch (err) {
    return failed(writeFailure(want.path, err));
  }
  removeStaleTemps(abs);
  const temp = `${abs}${TEMP_MARK}${randomBytes(4).toString('hex')}`;
  const db = openDatabase(temp);
  try {
    // A temp file nobody else sees needs no on-disk journal and no syncs per commit (a failure
    // throws it away): one fsync of the finished file before it is renamed in keeps the result as
    // durable as before, at a quarter of the time (1,500 databases: ~27 s → ~7 s here).
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.transaction(() => {
      runMigrations(db, sources);
      recordApplied(db, sources, sources.length);
    })();
    db.close();
    fsyncFile(temp);
    renameSync(temp, abs);
  } catch (err) {
    if (db.open) db.close();
    removeDatabaseFiles(temp);
    return failed(`creating ${want.path}: ${(err as Error).message}`);
  }
  return done(change.after, sources.length ? [`applied ${labels(sources)}`] : []);
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Apply only the missing migrations, deciding from the database itself inside the transaction. */
function migrateDatabase(change: Change, ctx: ApplyContext): ChangeOutcome {
  const want = readDesired(change.after ?? {});
  const inside = resolveInside(ctx.root, want.path);
  if (!inside.ok) return failed(inside.error);
  const abs = inside.abs;
  if (!existsSync(abs)) return failed(`${want.path} is missing; run gaia plan again`);
  const sources = loadVerified(ctx, want);
  if (typeof sources === 'string') return failed(sources);
  const db = openDatabase(abs, { fileMustExist: true });
  try {
    const note = db
      .transaction((): string | undefined => {
        const now = readDatabase(db);
        if (!now.migrationsTable) {
          const signature = schemaSignature(now.master);
          if (signature === '') {
            runMigrations(db, sources);
            recordApplied(db, sources, sources.length);
            return sources.length ? `applied ${labels(sources)}` : undefined;
          }
          const schema = desiredSchema(ctx.root, want.migrations);
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
            runMigrations(db, pending);
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
  const inside = resolveInside(ctx.root, have.path);
  if (!inside.ok) return failed(inside.error);
  const abs = inside.abs;
  const found = inspectDatabase(abs); // rows as they are now, not as planned
  const now = new Date();
  switch (found.kind) {
    case 'missing':
      return done();
    case 'corrupt': {
      if (!ctx.allowDataLoss) {
        return failed(`${have.path} is corrupt (${found.error}); pass --allow-data-loss to ${verb} it (a copy is kept)`);
      }
      const copy = copyCorruptFile(abs, ctx.backupDir, change.address, now);
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
        const backup = await backupDatabase(abs, ctx.backupDir, change.address, now);
        ctx.log(`${change.address}: backed up ${have.path} (${found.rows} rows) to ${backup}`);
      }
      break;
    default:
      return assertNever(found);
  }
  removeDatabaseFiles(abs);
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
