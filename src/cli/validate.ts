/** gaia validate: schema and semantic checks, every error at once, located. */
import type { Command } from 'commander';
import { loadManifest } from '../manifest/load.js';
import type { ValidateView } from '../render/reports.js';
import { chosenFormat, formatOptions, printReport, type FormatFlags } from './format.js';
import { DEFAULT_FILE } from './project.js';
import { err } from './io.js';

export function register(program: Command, setCode: (code: number) => void): void {
  const cmd = program
    .command('validate')
    .description('check the manifest: schema, names, ports, references; all errors at once')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE);
  formatOptions(cmd, 'validate', 'errors', { json: 'print errors (or resources) as JSON' })
    .option('--print-resources', 'list the expanded resources with their dependencies')
    .action((opts: FormatFlags & { file: string; printResources?: boolean }) => {
      const { environ, unset } = environWithPlaceholders(process.env);
      const result = loadManifest(opts.file, { environ });
      // A check of the manifest, as in a pull request's job: the secrets `fromEnv` names are the
      // machine's, not the manifest's, so one that is unset here is a warning (plan and apply refuse it).
      const warnings = [...unset].sort().map((name) => `environment variable ${name} is not set (a fromEnv value): gaia plan and apply need it; export ${name}=… before them`);
      const view: ValidateView = result.ok
        ? { file: opts.file, warnings, valid: true, model: result.model, counts: counts(result.model.resources), printResources: opts.printResources ?? false }
        : { file: opts.file, warnings, valid: false, errors: result.errors };
      // On a terminal the warnings go to stderr (JSON holds them), and only beside a valid manifest.
      if (view.valid && chosenFormat(opts, 'validate') === 'terminal') for (const w of warnings) err(`Warning: ${w}`);
      printReport(opts, 'validate', view);
      if (!view.valid) setCode(1);
    });
}

function counts(resources: readonly { kind: string }[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of resources) c[r.kind] = (c[r.kind] ?? 0) + 1;
  return c;
}

/** The environment, with `${NAME}` for each variable that is not set, and the names so read. */
function environWithPlaceholders(env: NodeJS.ProcessEnv): { environ: { readonly [name: string]: string | undefined }; unset: Set<string> } {
  const unset = new Set<string>();
  const environ = new Proxy(env, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      const value = target[name];
      if (value !== undefined) return value;
      unset.add(name);
      return `\${${name}}`;
    },
  });
  return { environ, unset };
}
