/** Observe generated files in-process: one read per file. */
import type { PlanWarning } from '../../core/plan.js';
import type { Attributes, Observed } from '../../core/resource.js';
import type { ObserveContext, ObserveRequest, ObserveResult } from '../provider.js';
import { FILE_KIND, type FileObserved, readFileAttributes, sameContent, sha256Text } from './attributes.js';

type Target = { readonly address: string; readonly path: string; readonly lastWritten?: string };

function targets(request: ObserveRequest): Target[] {
  const byAddress = new Map<string, Target>();
  for (const r of request.recorded) {
    if (r.kind !== FILE_KIND) continue;
    const rec = readFileAttributes(r.attributes);
    byAddress.set(r.address, { address: r.address, path: rec.path, lastWritten: rec.content });
  }
  for (const d of request.desired) {
    if (d.kind !== FILE_KIND || byAddress.has(d.address)) continue; // an owned file is looked for where gaia wrote it
    byAddress.set(d.address, { address: d.address, path: readFileAttributes(d.attributes).path });
  }
  return [...byAddress.values()];
}

export async function observeFiles(request: ObserveRequest, ctx: ObserveContext): Promise<ObserveResult> {
  const observed: Observed[] = [];
  const warnings: PlanWarning[] = [];
  const files = ctx.host.files;
  const resolve = files.insideResolver(ctx.root);
  for (const t of targets(request)) {
    const inside = resolve(t.path);
    if (!inside.ok) {
      // Never read through it: a plan would show (and keep) what lies outside the project.
      warnings.push({ code: 'outside_root', text: inside.error, address: t.address });
      continue;
    }
    const abs = inside.abs;
    let bytes: Buffer | undefined;
    let mode: number;
    try {
      const stat = files.stat(abs);
      if (!stat) continue;
      if (stat.kind !== 'file') {
        warnings.push({ code: 'not_a_file', text: `${t.path} exists but is not a regular file`, address: t.address });
        continue;
      }
      mode = stat.mode & 0o7777;
      bytes = files.readBytes(abs);
    } catch (err) {
      warnings.push({ code: 'unreadable', text: `cannot read ${t.path}: ${(err as Error).message}`, address: t.address });
      continue;
    }
    if (bytes === undefined) continue; // removed since its stat
    const sha256 = sha256Text(bytes);
    const attrs: FileObserved = {
      path: t.path,
      content: bytes.toString('utf8'),
      sha256,
      mode: mode.toString(8).padStart(4, '0'),
      editedOutside: t.lastWritten === undefined ? null : !sameContent(t.lastWritten, bytes.toString('utf8'), ctx.digests),
    };
    observed.push({ kind: FILE_KIND, address: t.address, attributes: attrs as Attributes });
  }
  return { observed, warnings };
}
