/** Generated files → file resources, and the check that no two resources write one path. Pure. */
import { resource, type Resource } from '../core/resource.js';
import { renderValue, type TemplateContext } from './template.js';
import { unknownPlaceholder, type Checks } from './checks.js';
import { onHost } from './hosts.js';
import type { EnvironmentInfo } from './model.js';
import type { Manifest } from './types.js';
import type { PathSegment } from './parse.js';

/** Where in the manifest a resource that writes a file came from, for path-clash errors. */
export interface Writer {
  readonly address: string;
  readonly path: string;
  readonly at: readonly PathSegment[];
  /** The remote host it writes on; absent: this machine. */
  readonly host?: string;
}

export function expandFiles(
  m: Manifest, environments: readonly EnvironmentInfo[], secrets: readonly string[], checks: Checks,
): { resource: Resource; at: PathSegment[] }[] {
  const { report, text, rootPath } = checks;
  const out: { resource: Resource; at: PathSegment[] }[] = [];
  const envJson = environments.map((e) => ({
    name: e.name, path: e.path, branch: e.branch, base: e.base,
    stages: Object.fromEntries(e.stages.map((s) => [s.name, { name: s.name, port: s.port ?? null, database: s.database ?? null, vars: s.vars }])),
  }));
  for (const [fname, f] of Object.entries(m.files ?? {})) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['files', fname, ...rest];
    if ((f.content === undefined) === (f.json === undefined)) {
      report(at(), f.content === undefined ? 'give content (text) or json (a value)' : 'give exactly one of content and json, not both', 'content: a text template; json: a value written as JSON');
      continue;
    }
    if (f.perEnvironment && f.perStage) report(at(), 'give only one of perEnvironment and perStage');
    else if (f.perEnvironment && environments.length === 0) report(at('perEnvironment'), 'there are no environments to write this file for', 'add an environments: section, or remove perEnvironment');
    else if (f.perStage && !environments.some((e) => e.stages.length > 0)) report(at('perStage'), 'there are no stages to write this file for', 'add environments.stages, or remove perStage');
    // Per-environment files go to their environment's host; the others stay on this machine.
    const instances: { name: string; ctx: TemplateContext; host?: string }[] = [];
    const base = { project: m.project, environments: envJson };
    if (f.perStage) {
      environments.forEach((e, i) => e.stages.forEach((s) => instances.push({ name: `${e.name}.${s.name}.${fname}`, ctx: { ...base, env: envJson[i], stage: envJson[i]!.stages[s.name] }, host: e.host })));
    } else if (f.perEnvironment) {
      environments.forEach((e, i) => instances.push({ name: `${e.name}.${fname}`, ctx: { ...base, env: envJson[i] }, host: e.host }));
    } else {
      instances.push({ name: fname, ctx: base });
    }
    for (const inst of instances) {
      const path = rootPath(text(f.path, inst.ctx, at('path')), at('path'));
      let content: string;
      if (f.json !== undefined) {
        const r = renderValue(f.json, inst.ctx);
        for (const u of r.unknown) unknownPlaceholder(report, inst.ctx, u, at('json'));
        content = `${JSON.stringify(r.value, null, 2)}\n`;
      } else {
        content = text(f.content!, inst.ctx, at('content'));
      }
      // A sensitive stage variable rendered into a file makes the file's content sensitive.
      // Written into JSON it is escaped (a `"` becomes `\"`): look for that form too.
      const secret = secrets.some((s) => s.length > 0 && (content.includes(s) || content.includes(JSON.stringify(s).slice(1, -1))));
      // A file holding a secret is its owner's alone (0600), whatever the umask; a mode that lets
      // others read it is refused rather than silently narrowed (it would then drift forever).
      if (secret && f.mode !== undefined && (parseInt(f.mode.replace(/^0o/i, ''), 8) & 0o007) !== 0) {
        checks.once('secret-mode', at('mode'), `mode ${f.mode} lets every local user read a file holding a sensitive value`, 'use 0600 (or 0640 for a group), or leave mode out');
      }
      const attributes = onHost({ path, content, mode: f.mode ?? (secret ? '0600' : '0644') }, inst.host);
      out.push({ resource: resource('file', inst.name, attributes, [], secret ? { sensitive: ['content'] } : {}), at: at('path') });
    }
  }
  return out;
}
/** Two resources writing one file would fight each other on every apply. */
export function checkWriters(writers: readonly Writer[], checks: Checks): void {
  const byPath = new Map<string, Writer>();
  for (const w of writers) {
    // One path on two hosts is two files.
    const key = `${w.host ?? ''}\0${w.path}`;
    const other = byPath.get(key);
    if (other) checks.once('writes', w.at, `${w.address} would write ${w.path}${w.host !== undefined ? ` on host ${w.host}` : ''}, which ${other.address} already writes`, 'give each its own path (use {env} or {stage.name} in templated paths)');
    else byPath.set(key, w);
  }
}
