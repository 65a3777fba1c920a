/** The manifest as it is at a git revision, expanded exactly as `gaia validate` would expand it there:
 *  its text and the migration files it names come from that revision (`git show`, `git ls-tree`,
 *  `git cat-file --batch`: a fixed number of spawns), laid out in a temporary folder so the loader
 *  reads them as it reads a working tree. Nothing in the working copy is touched. */
import path from 'node:path';
import { loadManifestText, type LoadOptions, type LoadResult } from '../manifest/load.js';
import { parseManifestText } from '../manifest/parse.js';
import type { Manifest, ManifestError } from '../manifest/types.js';
import { describeFailure } from '../host/exec.js';
import type { Host } from '../host/host.js';
import { git } from './reconcile-git.js';

export type RevisionManifest =
  | { readonly kind: 'missing' }
  | { readonly kind: 'loaded'; readonly text: string; readonly result: LoadResult };

/** The schema files and migration folders a manifest names, relative to its folder. */
function sqlSources(text: string): string[] {
  const parsed = parseManifestText(text, 'manifest');
  const m = parsed.value as Manifest | undefined;
  if (parsed.errors.length || !m || typeof m !== 'object') return [];
  const stages = m.environments?.stages;
  if (!stages || typeof stages !== 'object') return [];
  const out = new Set<string>();
  for (const stage of Object.values(stages)) {
    const source = stage?.database?.migrations ?? stage?.database?.schema;
    // Only paths inside the repository; the loader reports the others.
    if (typeof source === 'string' && !path.isAbsolute(source)) out.add(source);
  }
  return [...out];
}

/** `git cat-file --batch` output: `<oid> blob <size>\n<bytes>\n` per object. */
function splitBatch(stdout: string): Buffer[] {
  const buf = Buffer.from(stdout, 'utf8');
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const eol = buf.indexOf(0x0a, at);
    if (eol < 0) break;
    const header = buf.subarray(at, eol).toString('utf8').split(' ');
    const size = Number(header[2]);
    if (header[1] !== 'blob' || !Number.isFinite(size)) break;
    out.push(buf.subarray(eol + 1, eol + 1 + size));
    at = eol + 1 + size + 1;
  }
  return out;
}

/**
 * Load `manifest` (path inside the repository) at `revision`. Errors name `label:path` (e.g.
 * `origin/main:orchestration.yaml`) instead of the temporary folder.
 */
export async function loadManifestAt(
  host: Host, top: string, revision: string, manifest: string, label: string, options: LoadOptions = {},
): Promise<RevisionManifest> {
  const shown = await git(host, top, ['show', `${revision}:${manifest}`]);
  if (shown.failed) {
    const exists = await git(host, top, ['cat-file', '-e', `${revision}:${manifest}`]);
    if (exists.failed) return { kind: 'missing' };
    throw new Error(`cannot read ${manifest} at ${label}: ${describeFailure(shown)}`);
  }
  const text = shown.stdout;
  const dir = path.posix.dirname(manifest);
  // Scratch for the loader, which reads it with gaia's own fs: a remote host would need the loader there too.
  const tmp = host.files.makeTempFolder('gaia-rev-');
  try {
    const sources = sqlSources(text).map((s) => path.posix.normalize(path.posix.join(dir, s))).filter((s) => !s.startsWith('..'));
    if (sources.length) {
      const listed = await git(host, top, ['ls-tree', '-r', '-z', '--full-name', revision, '--', ...sources]);
      if (listed.failed) throw new Error(`cannot list ${sources.join(', ')} at ${label}: ${describeFailure(listed)}`);
      const blobs = listed.stdout.split('\0').filter(Boolean).map((line) => {
        const [meta, file] = line.split('\t') as [string, string];
        return { oid: meta.split(' ')[2]!, file, type: meta.split(' ')[1] };
      }).filter((b) => b.type === 'blob');
      if (blobs.length) {
        const batch = await git(host, top, ['cat-file', '--batch'], blobs.map((b) => b.oid).join('\n') + '\n');
        if (batch.failed) throw new Error(`cannot read migrations at ${label}: ${describeFailure(batch)}`);
        splitBatch(batch.stdout).forEach((content, i) => {
          const target = path.join(tmp, ...blobs[i]!.file.split('/'));
          host.files.makeFolder(path.dirname(target));
          host.files.writeFile(target, content);
        });
      }
    }
    const file = path.join(tmp, ...manifest.split('/'));
    host.files.makeFolder(path.dirname(file));
    host.files.writeFile(file, text);
    const result = loadManifestText(text, file, options);
    return { kind: 'loaded', text, result: result.ok ? result : { ok: false, errors: result.errors.map((e) => relabel(e, file, `${label}:${manifest}`)) } };
  } finally {
    host.files.remove(tmp);
  }
}

function relabel(e: ManifestError, from: string, to: string): ManifestError {
  return { ...e, file: e.file === from ? to : e.file, message: e.message.split(from).join(to) };
}

/** For reviews: `fromEnv` values are not in the manifest, so they read as `${NAME}` on both sides,
 *  whatever the environment of the machine running the review. */
export const PLACEHOLDER_ENVIRON: { readonly [name: string]: string | undefined } = new Proxy({}, {
  get: (_target, name) => (typeof name === 'string' ? `\${${name}}` : undefined),
});
