/** What an apply will do to a database, in words (it runs no commands, so there is no argv). */
import path from 'node:path';
import { assertNever, type Change } from '../../core/plan.js';
import type { ApplyContext, ObserveContext, Step } from '../provider.js';
import { migrationLabel, readDesired, readObserved } from './attributes.js';
import { migrationStatus, rowsText } from './spec.js';

function createSteps(change: Change): Step[] {
  const want = readDesired(change.after ?? {});
  const names = want.migrations.map(migrationLabel);
  const description = names.length
    ? `create ${want.path}, apply ${names.join(', ')} (one transaction)`
    : `create ${want.path} (no migrations)`;
  return [{ address: change.address, description }];
}

function updateSteps(change: Change): Step[] {
  const want = readDesired(change.after ?? {});
  const have = readObserved(change.before ?? {});
  const step = (description: string): Step[] => [{ address: change.address, description }];
  if (have.state !== 'ok') return step(`migrate ${want.path}`);
  if (!have.migrationsTable && have.tables.length > 0) {
    return step(`record ${want.migrations.length} migration(s) as applied in ${want.path} (schema already matches)`);
  }
  const status = migrationStatus(have.migrationsTable ? have.applied : [], want.migrations);
  switch (status.kind) {
    case 'pending':
      return step(`apply ${status.pending.map(migrationLabel).join(', ')} to ${want.path} (one transaction)`);
    case 'current':
      return step(`record preventDestroy=${want.preventDestroy} for ${want.path} (the file is not touched)`);
    case 'diverged':
      return step(`refuse: ${status.text}`);
    default:
      return assertNever(status);
  }
}

function destroySteps(change: Change, ctx: ObserveContext): Step[] {
  const have = readObserved(change.before ?? {});
  const step = (description: string): Step[] => [{ address: change.address, description }];
  const verb = change.action === 'replace' ? 'replace' : 'delete';
  if (have.preventDestroy || (change.after && readDesired(change.after).preventDestroy)) {
    return step(`refuse to ${verb} ${have.path}: preventDestroy is set`);
  }
  // Dry-run usually gets the apply context; without one the backup folder is named generically.
  const backupDir = (ctx as Partial<ApplyContext>).backupDir;
  const where = (ext: string) => {
    const file = `${change.address}-<timestamp>${ext}`;
    return backupDir ? path.join(backupDir, file) : `the backup folder (${file})`;
  };
  switch (have.state) {
    case 'corrupt':
      return step(`copy the corrupt ${have.path} to ${where('.corrupt')}, then delete it`);
    case 'unreadable':
      return step(`read ${have.path} again (it could not be read at plan time); back up to ${where('.db')} if it holds rows, then delete it`);
    case 'ok':
      if (have.rows > 0) return step(`back up to ${where('.db')}, then delete ${have.path} (${rowsText(have.tables)})`);
      return step(`delete ${have.path} (no rows)`);
    default:
      return assertNever(have);
  }
}

export function sqliteSteps(change: Change, ctx: ObserveContext): readonly Step[] {
  switch (change.action) {
    case 'create':
      return createSteps(change);
    case 'update':
      return updateSteps(change);
    case 'replace':
      return [...destroySteps(change, ctx), ...createSteps(change)];
    case 'delete':
      return destroySteps(change, ctx);
    case 'adopt':
    case 'noop':
      return [];
    default:
      return assertNever(change.action);
  }
}
