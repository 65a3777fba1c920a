/** The manifest's edge: read the file and the migration folders it names, then parse (a file: through
 *  the parse cache), check and expand. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { checkSchema } from './schema.js';
import { expand, type ExpandFacts, type Migration } from './expand.js';
import { formatPath, parseManifestText, type Parsed } from './parse.js';
import { parseManifestCached } from './parse-cache.js';
import { insideRoot } from './names.js';
import { escapeHidden } from './hidden-chars.js';
import type { Model, Problem } from './model.js';
import { stateLocation } from '../state/location.js';
import type { Manifest, ManifestError } from './types.js';

export interface LoadOptions {
  /** Ports allocated by earlier applies (from the state store), so allocation stays stable. */
  readonly previousPorts?: { readonly [key: string]: number };
  readonly environ?: { readonly [name: string]: string | undefined };
}

export type LoadResult =
  | { readonly ok: true; readonly model: Model }
  | { readonly ok: false; readonly errors: readonly ManifestError[] };

export const DEFAULT_MANIFEST = 'orchestration.yaml';

export function loadManifest(file: string, options: LoadOptions = {}): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a manifest' : `cannot read: ${(e as Error).message}`;
    return { ok: false, errors: [{ file, line: 0, col: 0, path: '(file)', message, fix: code === 'ENOENT' ? 'pass -f FILE or create orchestration.yaml' : undefined }] };
  }
  return loadParsed(parseManifestCached(text, file), text, file, options);
}

export function loadManifestText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  return loadParsed(parseManifestText(text, file), text, file, options);
}

function loadParsed(parsed: Parsed, text: string, file: string, options: LoadOptions): LoadResult {
  if (parsed.errors.length) return { ok: false, errors: parsed.errors };
  if (parsed.value === null || parsed.value === undefined) {
    return { ok: false, errors: [{ file, line: 1, col: 1, path: '(top level)', message: 'the manifest is empty', fix: 'start with "version: 1" and "project: NAME"' }] };
  }
  if (typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    const { line, col } = parsed.locate([]);
    const what = Array.isArray(parsed.value) ? 'a list' : `the single value ${JSON.stringify(parsed.value)}`;
    return { ok: false, errors: [{ file, line, col, path: '(top level)', message: `the manifest must be a mapping of fields (version:, project:, …), not ${what}`, fix: 'write "version: 1" and "project: NAME" at the start of a line, without "- "' }] };
  }
  const schemaProblems = checkSchema(parsed.value);
  if (schemaProblems.length) return { ok: false, errors: locateAll(parsed, schemaProblems) };

  const manifest = parsed.value as Manifest;
  const root = resolve(dirname(file));
  const sql = readMigrations(manifest, root);
  const facts: ExpandFacts = {
    migrations: sql.migrations,
    migrationProblems: sql.problems,
    previousPorts: options.previousPorts ?? {},
    environ: options.environ ?? process.env,
  };
  const expanded = expand(manifest, facts);
  if (expanded.problems.length) return { ok: false, errors: locateAll(parsed, expanded.problems) };

  const socket = manifest.settings?.tmux?.socket ?? undefined;
  const sshConfig = manifest.settings?.ssh?.config;
  return {
    ok: true,
    model: {
      manifest,
      file,
      root,
      ...(socket ? { tmuxSocket: socket } : {}),
      hosts: expanded.hosts,
      ...(sshConfig !== undefined ? { sshConfig } : {}),
      // GAIA_STATE_URL from gaia's own environment, not the manifest's (diff and completion load with placeholders).
      state: stateLocation(root, manifest.settings?.state, process.env),
      parallelism: manifest.settings?.parallelism ?? 8,
      environments: expanded.environments,
      groups: expanded.groups,
      resources: expanded.resources,
      routing: { rules: manifest.routing?.rules ?? [], ...(manifest.routing?.default ? { default: manifest.routing.default } : {}) },
      ...(expanded.environmentHooks ? { environmentHooks: expanded.environmentHooks } : {}),
      warnings: expanded.warnings,
      manifestHash: createHash('sha256').update(text).digest('hex').slice(0, 16),
    },
  };
}

/** Errors reported at most: locating one walks the document, so 20,000 wrong entries (a 200 KB file)
 *  located one by one took minutes; nobody reads past the first screenful anyway. */
const MAX_ERRORS = 100;

function locateAll(parsed: Parsed, problems: readonly Problem[]): ManifestError[] {
  const errors = problems.slice(0, MAX_ERRORS).map((p) => {
    const { line, col } = parsed.locate(p.path, p.at ?? 'value');
    // An error must not itself be reordered or hidden by the characters it reports.
    return { file: parsed.file, line, col, path: escapeHidden(formatPath(p.path)), message: escapeHidden(p.message), ...(p.fix ? { fix: p.fix } : {}) };
  });
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  if (problems.length > MAX_ERRORS) {
    const last = errors[errors.length - 1]!;
    errors.push({ ...last, path: '(document)', message: `${problems.length - MAX_ERRORS} more errors not shown`, fix: 'fix these first, then validate again' });
  }
  return errors;
}

/** Every schema file and migrations folder the manifest names, with each SQL file's hash. */
function readMigrations(m: Manifest, root: string): { migrations: ExpandFacts['migrations']; problems: { [source: string]: string } } {
  const out: Record<string, readonly Migration[] | undefined> = {};
  const problems: Record<string, string> = {};
  for (const stage of Object.values(m.environments?.stages ?? {})) {
    const db = stage.database;
    if (!db) continue;
    const source = db.migrations ?? db.schema;
    if (source === undefined || source in out) continue;
    out[source] = undefined;
    // Never read outside the project root: expand reports the path instead.
    if (isAbsolute(source) || insideRoot(source) === undefined) continue;
    const abs = join(root, source);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      continue; // does not exist
    }
    if (db.migrations !== undefined && !isDir) {
      problems[source] = 'is a file, not a folder';
      continue;
    }
    if (db.migrations === undefined && isDir) {
      problems[source] = 'is a folder, not a file (use migrations: for a folder of .sql files)';
      continue;
    }
    try {
      const files = isDir ? readdirSync(abs).filter((f) => f.endsWith('.sql')).sort().map((f) => join(abs, f)) : [abs];
      const realRoot = realpathSync.native(root);
      const outside = files.find((f) => {
        const rel = relative(realRoot, realpathSync.native(f));
        return rel === '..' || rel.startsWith('../') || isAbsolute(rel);
      });
      if (outside !== undefined) {
        // A symlinked migration is followed nowhere outside the project, not even to hash it.
        problems[source] = `${relative(root, outside)} is a symlink that leads outside the project root`;
        continue;
      }
      out[source] = files.map((f) => {
        const body = readFileSync(f);
        return { name: relative(isDir ? abs : dirname(abs), f), file: relative(root, f), sha256: createHash('sha256').update(body).digest('hex') };
      });
    } catch (e) {
      problems[source] = `cannot be read: ${(e as Error).message}`;
    }
  }
  return { migrations: out, problems };
}
