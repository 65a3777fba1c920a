/** gaia graph: the dependency graph in DOT, for `dot -Tsvg`. */
import type { Command } from 'commander';
import { loadManifest } from '../manifest/load.js';
import { ManifestInvalid } from './errors.js';
import { out } from './io.js';
import { DEFAULT_FILE } from './project.js';

export function register(program: Command): void {
  program
    .command('graph')
    .description('print the resource dependency graph in DOT (graphviz)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action((opts: { file: string }) => {
      const loaded = loadManifest(opts.file);
      if (!loaded.ok) throw new ManifestInvalid(loaded.errors);
      const q = (s: string) => JSON.stringify(s);
      const lines = ['digraph gaia {', '  rankdir = "RL";', '  node [shape = "box"];'];
      for (const r of loaded.model.resources) {
        lines.push(`  ${q(r.address)};`);
        for (const d of r.dependsOn) lines.push(`  ${q(r.address)} -> ${q(d)};`);
      }
      lines.push('}');
      out(lines.join('\n'));
    });
}
