/** Observe many databases in-process: one read-only open per file, no processes. */
import type { PlanWarning } from '../../core/plan.js';
import type { Attributes, Observed } from '../../core/resource.js';
import type { ObserveContext, ObserveRequest, ObserveResult } from '../provider.js';
import { SQLITE_KIND, type SqliteDesired, type SqliteObserved, readDesired } from './attributes.js';
import { type Inspection, inspectDatabase } from './inspect.js';
import { INSPECTIONS, StampCache } from './stamp-cache.js';
import { DesiredSchemaCache, schemaSignature } from './schema.js';

type Target = {
  readonly address: string;
  /** Where the owned file is (recorded), else where the manifest wants it. */
  readonly path: string;
  readonly preventDestroy: boolean;
  readonly desired?: SqliteDesired;
  readonly owned: boolean;
};

function targets(request: ObserveRequest): Target[] {
  const byAddress = new Map<string, Target>();
  for (const r of request.recorded) {
    if (r.kind !== SQLITE_KIND) continue;
    const rec = readDesired(r.attributes);
    byAddress.set(r.address, { address: r.address, path: rec.path, preventDestroy: rec.preventDestroy, owned: true });
  }
  for (const d of request.desired) {
    if (d.kind !== SQLITE_KIND) continue;
    const want = readDesired(d.attributes);
    const rec = byAddress.get(d.address);
    byAddress.set(d.address, {
      address: d.address,
      path: rec?.path || want.path,
      preventDestroy: want.preventDestroy,
      desired: want,
      owned: rec !== undefined,
    });
  }
  return [...byAddress.values()];
}

export async function observeSqlite(request: ObserveRequest, ctx: ObserveContext): Promise<ObserveResult> {
  const schemas = new DesiredSchemaCache(ctx.host, ctx.root);
  const cache = StampCache.load<Inspection>(ctx.host.files, ctx.settings.sqlite.cacheDir, INSPECTIONS, ctx.root);
  const observed: Observed[] = [];
  const warnings: PlanWarning[] = [];
  const resolve = ctx.host.files.insideResolver(ctx.root);
  for (const t of targets(request)) {
    const inside = resolve(t.path);
    if (!inside.ok) {
      warnings.push({ code: 'outside_root', text: inside.error, address: t.address });
      continue;
    }
    const found = cache.readThrough(inside.abs, () => inspectDatabase(ctx.host, inside.abs), (f) => f.kind === 'ok'); // only a clean read is worth keeping
    let attrs: SqliteObserved;
    switch (found.kind) {
      case 'missing':
        continue;
      case 'corrupt':
        attrs = { state: 'corrupt', path: t.path, preventDestroy: t.preventDestroy, corrupt: true, error: found.error };
        break;
      case 'unreadable':
        attrs = { state: 'unreadable', path: t.path, preventDestroy: t.preventDestroy, corrupt: false, error: found.error };
        warnings.push({ code: 'database_unreadable', text: `cannot read ${t.path}: ${found.error}`, address: t.address });
        break;
      case 'ok': {
        // The schema only matters when migrations cannot tell: a database gaia did not make, or one without its table.
        let schemaMatches: boolean | null = null;
        if (t.desired && (!t.owned || !found.migrationsTable)) {
          const schema = schemas.get(t.desired.migrations);
          if (schema.ok) schemaMatches = schema.signature === schemaSignature(found.master);
          else {
            schemaMatches = false;
            warnings.push({ code: 'migration_unusable', text: schema.error, address: t.address });
          }
        }
        attrs = {
          state: 'ok',
          path: t.path,
          preventDestroy: t.preventDestroy,
          corrupt: false,
          migrationsTable: found.migrationsTable,
          applied: found.applied,
          userVersion: found.userVersion,
          tables: found.tables,
          rows: found.rows,
          schemaMatches,
        };
        break;
      }
    }
    observed.push({ kind: SQLITE_KIND, address: t.address, attributes: attrs as Attributes });
  }
  cache.save();
  return { observed, warnings };
}
