/** gaia validate: schema and semantic checks, every error at once, located. */
import type { Command } from 'commander';
import { loadManifest } from '../manifest/load.js';
import { formatManifestError } from './errors.js';
import { DEFAULT_FILE } from './project.js';
import { out } from './io.js';

export function register(program: Command, setCode: (code: number) => void): void {
  program
    .command('validate')
    .description('check the manifest: schema, names, ports, references; all errors at once')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--json', 'print errors (or resources) as JSON')
    .option('--print-resources', 'list the expanded resources with their dependencies')
    .action((opts: { file: string; json?: boolean; printResources?: boolean }) => {
      const result = loadManifest(opts.file);
      if (!result.ok) {
        if (opts.json) out(JSON.stringify({ valid: false, errors: result.errors }, null, 2));
        else out(result.errors.map(formatManifestError).join('\n'));
        if (!opts.json) out(`\n${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${opts.file}.`);
        setCode(1);
        return;
      }
      const { model } = result;
      if (opts.json) {
        out(JSON.stringify({ valid: true, resources: opts.printResources ? model.resources.map((r) => ({ address: r.address, kind: r.kind, dependsOn: r.dependsOn })) : undefined, counts: counts(model.resources) }, null, 2));
        return;
      }
      if (opts.printResources) {
        for (const r of model.resources) out(`${r.address}${r.dependsOn.length ? `  ← ${r.dependsOn.join(', ')}` : ''}`);
        out('');
      }
      const c = counts(model.resources);
      const sessions = model.groups.reduce((n, g) => n + g.sessions.length, 0);
      out(`${opts.file} is valid: ${model.environments.length} environments, ${sessions} sessions in ${model.groups.length} groups, ${model.resources.length} resources (${Object.entries(c).map(([k, n]) => `${n} ${k}`).join(', ')}).`);
    });
}

function counts(resources: readonly { kind: string }[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of resources) c[r.kind] = (c[r.kind] ?? 0) + 1;
  return c;
}
