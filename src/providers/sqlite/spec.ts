/** The pure comparison rules for `sqlite_database`: migrations decide update vs replace,
 *  schema equality decides adoption, rows and preventDestroy raise hazards. */
import type { Comparison, KindSpec, Unowned } from '../../core/kind.js';
import { assertNever, type Hazard, type Reason } from '../../core/plan.js';
import type { Observed, Recorded, Resource } from '../../core/resource.js';
import {
  type AppliedMigration,
  type Migration,
  SQLITE_KIND,
  migrationLabel,
  readDesired,
  readObserved,
} from './attributes.js';

export type MigrationStatus =
  | { readonly kind: 'current' }
  | { readonly kind: 'pending'; readonly pending: readonly Migration[] }
  | { readonly kind: 'diverged'; readonly text: string };

/** Where the applied list stands against the desired one: a prefix (pending), equal, or diverged. */
export function migrationStatus(applied: readonly AppliedMigration[], desired: readonly Migration[]): MigrationStatus {
  for (let i = 0; i < applied.length; i++) {
    const ran = applied[i]!;
    const want = desired[i];
    if (want && want.name === ran.name && want.sha256 === ran.sha256) continue;
    if (want && want.name === ran.name) {
      return { kind: 'diverged', text: `migration ${migrationLabel(want)} was edited after it ran` };
    }
    if (!desired.some((d) => d.name === ran.name)) {
      return { kind: 'diverged', text: `migration ${ran.name} was removed after it ran` };
    }
    return {
      kind: 'diverged',
      text: `migration ${want ? migrationLabel(want) : '?'} is listed before ${ran.name}, which already ran`,
    };
  }
  const pending = desired.slice(applied.length);
  return pending.length === 0 ? { kind: 'current' } : { kind: 'pending', pending };
}

export function pendingText(pending: readonly Migration[]): string {
  const n = pending.length;
  return `${n} new migration${n === 1 ? '' : 's'}: ${pending.map(migrationLabel).join(', ')}`;
}

function update(reasons: readonly Reason[], before: readonly string[], after: readonly string[]): Comparison {
  return { kind: 'update', reasons, diffs: [{ path: 'migrations', before, after }] };
}

function compare(desired: Resource, observed: Observed, recorded: Recorded | undefined): Comparison {
  const want = readDesired(desired.attributes);
  const have = readObserved(observed.attributes);
  const wantNames = want.migrations.map((m) => m.name);
  if (have.state === 'corrupt') {
    return {
      kind: 'replace',
      reasons: [{ code: 'corrupt', text: `database file is corrupt: ${have.error}` }],
      diffs: [],
    };
  }
  if (have.path !== want.path) {
    return {
      kind: 'replace',
      reasons: [{ code: 'path_changed', text: `path changed from ${have.path} to ${want.path}` }],
      diffs: [{ path: 'path', before: have.path, after: want.path, forcesReplace: true }],
    };
  }
  // Locked or unreadable right now: observe warned; planning work on a guess would be worse.
  if (have.state === 'unreadable') return { kind: 'same' };
  const haveNames = have.applied.map((m) => m.name);
  if (!have.migrationsTable) {
    // Owned but without gaia's bookkeeping (adopted, or made by hand): decide from the schema itself.
    if (have.tables.length === 0 && want.migrations.length > 0) {
      return update([{ code: 'migrations_pending', text: pendingText(want.migrations) }], haveNames, wantNames);
    }
    if (have.schemaMatches === true && want.migrations.length > 0) {
      const n = want.migrations.length;
      return update(
        [{ code: 'baseline', text: `schema already matches; record ${n} migration${n === 1 ? '' : 's'} as applied` }],
        haveNames,
        wantNames,
      );
    }
    if (have.schemaMatches === false) {
      return {
        kind: 'replace',
        reasons: [{ code: 'schema_drift', text: 'schema differs from the migrations and none are recorded as applied' }],
        diffs: [],
      };
    }
  } else {
    const status = migrationStatus(have.applied, want.migrations);
    switch (status.kind) {
      case 'current':
        break;
      case 'pending':
        return update([{ code: 'migrations_pending', text: pendingText(status.pending) }], haveNames, wantNames);
      case 'diverged':
        return {
          kind: 'replace',
          reasons: [{ code: 'migration_changed', text: status.text }],
          diffs: [{ path: 'migrations', before: haveNames, after: wantNames, forcesReplace: true }],
        };
    }
  }
  const recordedPrevent = recorded?.attributes.preventDestroy === true;
  if (recorded && recordedPrevent !== want.preventDestroy) {
    return {
      kind: 'update',
      reasons: [{ code: 'prevent_destroy_changed', text: `preventDestroy ${want.preventDestroy ? 'set' : 'cleared'}` }],
      diffs: [{ path: 'preventDestroy', before: recordedPrevent, after: want.preventDestroy }],
    };
  }
  return { kind: 'same' };
}

function unowned(desired: Resource, observed: Observed): Unowned {
  const have = readObserved(observed.attributes);
  if (have.state === 'ok' && have.schemaMatches === true) {
    return { kind: 'adopt', reason: { code: 'schema_matches', text: 'existing database has the expected schema' } };
  }
  const path = readDesired(desired.attributes).path;
  const fix = `move ${path} away, or point the stage at another path`;
  switch (have.state) {
    case 'ok':
      return { kind: 'conflict', text: `a database exists at ${path} with a different schema; gaia did not create it`, fix };
    case 'corrupt':
      return { kind: 'conflict', text: `a file that is not a usable database exists at ${path}; gaia did not create it`, fix };
    case 'unreadable':
      return { kind: 'conflict', text: `a database exists at ${path} that cannot be read (${have.error}); gaia did not create it`, fix };
    default:
      return assertNever(have);
  }
}

export function rowsText(tables: readonly { readonly rows: number }[]): string {
  const holding = tables.filter((t) => t.rows > 0);
  const rows = holding.reduce((sum, t) => sum + t.rows, 0);
  return `deletes ${rows} row${rows === 1 ? '' : 's'} in ${holding.length} table${holding.length === 1 ? '' : 's'}`;
}

function hazards(observed: Observed, action: 'delete' | 'replace'): readonly Hazard[] {
  const have = readObserved(observed.attributes);
  const out: Hazard[] = [];
  if (have.preventDestroy) {
    out.push({ code: 'prevent_destroy', text: `preventDestroy is set on ${have.path}; gaia will refuse to ${action} it` });
  }
  switch (have.state) {
    case 'corrupt':
      out.push({ code: 'data_loss', text: 'the corrupt file is removed (a copy is kept in the backup folder)' });
      break;
    case 'unreadable':
      out.push({ code: 'data_loss', text: `rows unknown: ${have.path} could not be read (${have.error})` });
      break;
    case 'ok':
      if (have.rows > 0) out.push({ code: 'data_loss', text: rowsText(have.tables) });
      break;
    default:
      assertNever(have);
  }
  return out;
}

export const sqliteSpec: KindSpec = {
  kind: SQLITE_KIND,
  compare,
  unowned,
  hazards,
  missingText: 'database missing',
};
