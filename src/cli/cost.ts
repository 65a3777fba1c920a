/** gaia cost: monthly cost per group and in total against the baseline. Reads only the manifest. */
import type { Command } from 'commander';
import { loadManifest } from '../manifest/load.js';
import { computeCost } from '../ops/cost.js';
import { renderCostJson } from '../render/cost-json.js';
import { renderCostTerminal } from '../render/cost-terminal.js';
import { ManifestInvalid } from './errors.js';
import { out, useColor } from './io.js';
import { DEFAULT_FILE } from './project.js';

export function register(program: Command, _setCode: (code: number) => void): void {
  program
    .command('cost')
    .description('monthly cost per session group and in total, compared with the baseline (cost.baseline) and budget (cost.budget)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--json', 'print the figures as JSON')
    .action((opts: { file: string; json?: boolean }) => {
      const loaded = loadManifest(opts.file);
      if (!loaded.ok) throw new ManifestInvalid(loaded.errors);
      const report = computeCost(loaded.model);
      out(opts.json ? renderCostJson(report) : renderCostTerminal(report, { color: useColor() }));
    });
}
