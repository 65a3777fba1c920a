/** gaia cost: monthly cost per group and in total against the baseline. Reads only the manifest. */
import type { Command } from 'commander';
import { loadManifest } from '../manifest/load.js';
import { computeCost } from '../ops/cost.js';
import { ManifestInvalid } from './errors.js';
import { formatOptions, printReport, type FormatFlags } from './format.js';
import { DEFAULT_FILE } from './project.js';

export function register(program: Command, _setCode: (code: number) => void): void {
  const cmd = program
    .command('cost')
    .description('monthly cost per session group and in total, compared with the baseline (cost.baseline) and budget (cost.budget)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE);
  formatOptions(cmd, 'cost', 'the figures')
    .action((opts: FormatFlags & { file: string }) => {
      const loaded = loadManifest(opts.file);
      if (!loaded.ok) throw new ManifestInvalid(loaded.errors);
      printReport(opts, 'cost', computeCost(loaded.model));
    });
}
