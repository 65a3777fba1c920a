/** gaia restore: bring a database backup (taken before a destructive apply) back. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { listBackups, restoreBackup } from '../providers/sqlite/backup.js';
import { UserError } from './errors.js';
import { out } from './io.js';
import { DEFAULT_FILE, withProject } from './project.js';

export function register(program: Command): void {
  program
    .command('restore [backup]')
    .description('list database backups, or restore one to its database (or --to PATH)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--to <path>', 'restore into this file instead of the database the backup came from')
    .option('--overwrite', 'replace the target if it exists')
    .action(async (backup: string | undefined, opts: { file: string; to?: string; overwrite?: boolean }) => withProject(opts.file, async (project) => {
      const backups = listBackups(project.ctx.host.files, project.backupDir);
      if (!backup) {
        out(backups.length ? backups.map((b) => `${b.path}  ${b.address}  ${b.takenAt}  ${b.bytes} bytes`).join('\n') : `No backups in ${project.backupDir}.`);
        return;
      }
      const entry = backups.find((b) => b.path === resolve(backup) || b.path.endsWith(`/${backup}`));
      let target = opts.to ? resolve(opts.to) : undefined;
      if (!target) {
        const db = project.model.resources.find((r) => r.address === entry?.address);
        if (!db) throw new UserError(`cannot tell which database ${backup} belongs to`, 'pass --to PATH');
        target = resolve(project.model.root, String(db.attributes.path));
      }
      const result = restoreBackup(project.ctx.host, entry?.path ?? resolve(backup), target, { overwrite: opts.overwrite ?? false, root: project.model.root });
      if (result.kind === 'refused') throw new UserError(result.error);
      out(`Restored ${result.path}: ${result.tables} tables, ${result.rows} rows.`);
    }));
}
