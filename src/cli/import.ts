/** gaia import: write a manifest for the tmux sessions and git worktrees that exist and are not
 *  gaia's; with --adopt, take ownership of them so `gaia plan` with that manifest says "No changes.". */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { adoptExisting } from '../agents/adopt.js';
import { importManifest, type ImportResult } from '../agents/import.js';
import { readImportFacts } from '../agents/import-read.js';
import { hasChanges } from '../core/plan.js';
import { makePlan } from '../engine/plan.js';
import { localHost } from '../host/local/local-host.js';
import { stateLocation } from '../state/location.js';
import { openStore } from '../state/open.js';
import { UserError } from './errors.js';
import { out } from './io.js';
import { withProject } from './project.js';

interface ImportFlags {
  out?: string;
  adopt?: boolean;
  force?: boolean;
  project?: string;
}

const HELP = `
Reads the tmux server (GAIA_TMUX_SOCKET, else the default one) and the git repository of the current
folder. Sessions gaia already marks as its own are left out. Sessions are grouped by the report's
naming patterns (dev<N>_worker, pr_impl<N>, pr_review<N>, pr_integ<N>); the others go to the group
"existing". Worktrees become environments when one folder and one branch pattern fit them.

With --adopt (needs -o), gaia records everything the written manifest names and finds running as its
own, and marks the sessions (nothing is restarted): \`gaia plan -f FILE\` then says "No changes.".`;

export function renderImport(result: ImportResult, when: Date, where: string): string {
  const head = [
    '# yaml-language-server: $schema=https://gaia.dev/schemas/orchestration.schema.json',
    `# Written by gaia import on ${when.toISOString().slice(0, 10)} from ${where}:`,
    `# ${result.counts.sessions} session${result.counts.sessions === 1 ? '' : 's'} and ${result.counts.environments} environment${result.counts.environments === 1 ? '' : 's'} that gaia did not manage.`,
    ...(result.notes.length ? ['#', '# Left out:', ...result.notes.map((n) => `#   - ${n}`)] : []),
  ];
  return `${head.join('\n')}\n${YAML.stringify(result.manifest, { lineWidth: 0 })}`;
}

export function register(program: Command, setCode: (code: number) => void): void {
  program
    .command('import')
    .description('write a manifest for the tmux sessions and worktrees that exist and are not gaia\'s (--adopt: take ownership)')
    .option('-o, --out <file>', 'write the manifest here (default: print it)')
    .option('--adopt', 'record what the written manifest names and finds running as gaia\'s own (needs -o)')
    .option('--force', 'overwrite the -o file if it exists')
    .option('--project <name>', 'the project name (default: the folder\'s name)')
    .addHelpText('after', HELP)
    .action(async (opts: ImportFlags) => {
      if (opts.adopt && !opts.out) throw new UserError('--adopt needs -o FILE: adoption is relative to the manifest it writes', 'gaia import -o orchestration.yaml --adopt');
      // A manifest written (and reviewed) earlier: adopt by it as it is.
      if (opts.adopt && opts.out && existsSync(opts.out) && !opts.force) {
        setCode(await adopt(opts.out));
        return;
      }
      if (opts.out && existsSync(opts.out) && !opts.force) throw new UserError(`${opts.out} exists; gaia import does not overwrite it`, 'pick another file, adopt by it as it is with --adopt, or pass --force to write it again');
      const root = path.resolve(opts.out ? path.dirname(opts.out) : '.');
      const socket = process.env.GAIA_TMUX_SOCKET || undefined;
      let facts;
      try {
        facts = await readImportFacts(root, { host: localHost(), socket }, await ownedWorktrees(root));
      } catch (e) {
        throw new UserError(`cannot import: ${(e as Error).message}`);
      }
      const result = importManifest(opts.project ? { ...facts, project: opts.project } : facts);
      const text = renderImport(result, new Date(), `tmux server ${socket ? `"${socket}"` : '(default)'} and repository ${root}`);
      if (!opts.out) {
        out(text);
        return;
      }
      writeFileSync(opts.out, text);
      out(`Wrote ${opts.out}: ${result.counts.sessions} sessions, ${result.counts.environments} environments${result.notes.length ? ` (${result.notes.length} left out: see its comments)` : ''}.`);
      if (!opts.adopt) {
        out(`Review it, then take ownership of what runs with: gaia import -o ${opts.out} --adopt`);
        return;
      }
      setCode(await adopt(opts.out));
    });
}

/** Worktree paths the state store of the project at `root` records as gaia's (none without a store). */
async function ownedWorktrees(root: string): Promise<ReadonlySet<string>> {
  // The store the imported manifest will have: the default file, or GAIA_STATE_URL's database.
  const location = stateLocation(root, undefined, process.env);
  if (location.kind === 'sqlite' && !existsSync(location.path)) return new Set();
  const store = await openStore(location, { root });
  try {
    return new Set((await store.recordedOfKind('git_worktree')).map((r) => String(r.attributes.path ?? '')));
  } finally {
    await store.close();
  }
}

async function adopt(file: string): Promise<number> {
  return withProject(file, async (project) => {
    const adopted = await adoptExisting(project);
    if (adopted.error) throw new UserError(adopted.error);
    out(`Adopted ${adopted.adopted.length} resource${adopted.adopted.length === 1 ? '' : 's'}${adopted.adopted.length ? `: ${adopted.adopted.join(', ')}` : ''}.`);
    const { plan } = await makePlan(project);
    if (!hasChanges(plan) && plan.conflicts.length === 0) {
      out(`gaia plan -f ${file}: No changes.`);
      return 0;
    }
    out(`gaia plan -f ${file} still shows ${plan.summary.add} to add, ${plan.summary.change} to change, ${plan.summary.replace} to replace, ${plan.summary.destroy} to destroy and ${plan.conflicts.length} conflicts (run it to see them).`);
    return 1;
  });
}
