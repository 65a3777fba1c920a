/** gaia diff: the manifest at two git revisions, compared resource by resource. No tmux, no
 *  databases, no state store: it runs in any CI job that has the repository. */
import { randomBytes } from 'node:crypto';
import { keyedDigests } from '../core/digest.js';
import type { Command } from 'commander';
import { diffResources, hasDifferences, type DiffReport, type DiffSide } from '../core/diff.js';
import type { Resource } from '../core/resource.js';
import { loadManifest } from '../manifest/load.js';
import type { Host } from '../host/host.js';
import { localHost } from '../host/local/local-host.js';
import { defaultBase, locate, resolveCommit } from '../ops/reconcile-git.js';
import { loadManifestAt, PLACEHOLDER_ENVIRON } from '../ops/reconcile-manifest.js';
import { ManifestInvalid, UserError } from './errors.js';
import { chosenFormat, formatOptions, rendered, writeParts, type FormatFlags } from './format.js';
import { out } from './io.js';
import { DEFAULT_FILE } from './project.js';

interface DiffFlags extends FormatFlags {
  file: string;
  base?: string;
  head?: string;
  maxChars?: string;
  split?: string;
  detailedExitcode?: boolean;
}

export function register(program: Command, setCode: (code: number) => void): void {
  const cmd = program
    .command('diff')
    .description('compare the manifest at two git revisions: resources added, removed and changed (no tmux or databases needed)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--base <ref>', 'the revision to compare from (default: merge base of HEAD with the default branch)')
    .option('--head <ref>', 'the revision to compare to (default: the working tree)');
  formatOptions(cmd, 'diff', 'the differences', { markdown: 'print a pull-request comment', json: 'print JSON' })
    .option('--max-chars <n>', 'size budget for --markdown (default 65000)')
    .option('--split <dir>', 'with --markdown: write numbered parts into DIR, each within the budget')
    .option('--detailed-exitcode', 'exit 0 when nothing differs, 2 when something does, 1 on error')
    .action(async (opts: DiffFlags) => {
      const maxChars = opts.maxChars === undefined ? undefined : Number(opts.maxChars);
      if (maxChars !== undefined && !(maxChars >= 1000)) throw new UserError(`--max-chars must be a number of at least 1000, not "${opts.maxChars}"`);
      const format = chosenFormat(opts, 'diff');
      const report = await diffRevisions(opts);
      const options = maxChars === undefined ? {} : { maxChars };
      if (!(opts.split && writeParts(format, 'diff', report, opts.split, 'diff', options))) out(rendered(format, 'diff', report, options));
      if (opts.detailedExitcode && hasDifferences(report.diff)) setCode(2);
    });
}

/** Both sides loaded and compared; an invalid manifest on either side throws its located errors. */
export async function diffRevisions(opts: Pick<DiffFlags, 'file' | 'base' | 'head'>, host: Host = localHost()): Promise<DiffReport> {
  const where = await locate(host, opts.file);
  if (!where.ok) throw new UserError(where.error);
  const { top, manifest } = where.value;

  const at = async (ref: string, revision: string): Promise<{ side: DiffSide; resources: readonly Resource[] }> => {
    const loaded = await loadManifestAt(host, top, revision, manifest, ref, { environ: PLACEHOLDER_ENVIRON });
    if (loaded.kind === 'missing') return { side: { ref, revision, missing: true }, resources: [] };
    if (!loaded.result.ok) throw new ManifestInvalid(loaded.result.errors);
    return { side: { ref, revision }, resources: loaded.result.model.resources };
  };
  const commit = async (ref: string): Promise<string> => {
    const c = await resolveCommit(host, top, ref);
    if (!c) throw new UserError(`${ref} is not a revision in ${top}`, 'name a branch, tag or commit (git rev-parse must resolve it)');
    return c;
  };

  let baseRef = opts.base;
  let baseRev: string;
  if (baseRef === undefined) {
    const found = await defaultBase(host, top);
    if (!found.ok) throw new UserError(found.error);
    baseRef = found.value.ref;
    baseRev = found.value.revision;
  } else baseRev = await commit(baseRef);

  const [base, head] = await Promise.all([
    at(baseRef, baseRev),
    opts.head === undefined ? workingTree(opts.file) : commit(opts.head).then((rev) => at(opts.head!, rev)),
  ]);
  if (head.side.missing) throw new UserError(`${manifest} does not exist at ${opts.head ?? 'the working tree'}`);
  return { manifest, base: base.side, head: head.side, diff: diffResources(base.resources, head.resources, keyedDigests(randomBytes(32))) };
}

async function workingTree(file: string): Promise<{ side: DiffSide; resources: readonly Resource[] }> {
  const loaded = loadManifest(file, { environ: PLACEHOLDER_ENVIRON });
  if (!loaded.ok) throw new ManifestInvalid(loaded.errors);
  return { side: { ref: 'working tree' }, resources: loaded.model.resources };
}
