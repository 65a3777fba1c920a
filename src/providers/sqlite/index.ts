/** The SQLite provider: databases per stage, migrated in-process, backed up before anything destructive. */
import type { Provider } from '../provider.js';
import { SQLITE_KIND } from './attributes.js';
import { applySqlite } from './apply.js';
import { observeSqlite } from './observe.js';
import { sqliteSpec } from './spec.js';
import { sqliteSteps } from './steps.js';

export const sqliteProvider: Provider = {
  name: 'sqlite',
  kinds: { [SQLITE_KIND]: sqliteSpec },
  observe: observeSqlite,
  steps: sqliteSteps,
  apply: applySqlite,
};

export { SQLITE_KIND } from './attributes.js';
export type { Migration, SqliteDesired, SqliteObserved } from './attributes.js';
export { listBackups, restoreBackup, type BackupEntry, type RestoreResult } from './backup.js';
export { sha256Hex } from './schema.js';
