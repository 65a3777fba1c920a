/** The pure rules the planner applies to `tmux_session`. No I/O. */
import { canonicalJson, hashOf } from '../../core/hash.js';
import type { Comparison, KindSpec } from '../../core/kind.js';
import type { AttributeDiff, Hazard, Reason } from '../../core/plan.js';
import type { Attributes, Json, Observed } from '../../core/resource.js';
import { SESSION_KIND, isShell, nameOf } from './session.js';

/** The spec hash of a session: only what a running program cannot pick up without a restart. Group,
 *  provider and agent are left out so changing them updates the session in place. */
export function sessionSpecHash(attributes: Attributes): string {
  return hashOf({ command: attributes.command ?? null, cwd: attributes.cwd ?? '.', env: attributes.env ?? {} });
}

interface Field {
  readonly path: string;
  readonly reason: Reason;
}

const RESTART_FIELDS: readonly Field[] = [
  { path: 'command', reason: { code: 'command_changed', text: 'command changed' } },
  { path: 'cwd', reason: { code: 'cwd_changed', text: 'working directory changed' } },
  { path: 'env', reason: { code: 'env_changed', text: 'environment changed' } },
];

const META_FIELDS: readonly Field[] = [
  { path: 'group', reason: { code: 'group_changed', text: 'group changed' } },
  { path: 'provider', reason: { code: 'provider_changed', text: 'provider changed' } },
  { path: 'agent', reason: { code: 'agent_changed', text: 'agent flag changed' } },
  { path: 'remainOnExit', reason: { code: 'remain_on_exit_changed', text: 'remain-on-exit changed' } },
];

const PANE_DEAD: Reason = { code: 'pane_dead', text: 'program exited; pane is dead' };
const MARKER_DIFFERS: Reason = { code: 'spec_changed', text: 'spec changed (marker differs)' };
const MARKER_MISSING: Reason = { code: 'marker_missing', text: 'ownership marker missing' };

const same = (a: Json | undefined, b: Json | undefined) => canonicalJson(a) === canonicalJson(b);

const asObject = (v: Json | undefined): { readonly [k: string]: Json } =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as { readonly [k: string]: Json }) : {};

/** Per-variable diffs, so a renderer can show (and mask) `env.API_KEY` on its own. */
function envDiffs(before: Json | undefined, after: Json | undefined): AttributeDiff[] {
  const b = asObject(before);
  const a = asObject(after);
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .sort()
    .filter((k) => !same(b[k], a[k]))
    .map((k) => ({ path: `env.${k}`, ...(k in b ? { before: b[k] } : {}), ...(k in a ? { after: a[k] } : {}), forcesReplace: true }));
}

function fieldDiffs(fields: readonly Field[], before: Attributes, after: Attributes, forcesReplace: boolean) {
  const reasons: Reason[] = [];
  const diffs: AttributeDiff[] = [];
  for (const f of fields) {
    if (same(before[f.path], after[f.path])) continue;
    reasons.push(f.reason);
    if (f.path === 'env') diffs.push(...envDiffs(before.env, after.env));
    else diffs.push({ path: f.path, before: before[f.path] ?? null, after: after[f.path] ?? null, ...(forcesReplace ? { forcesReplace } : {}) });
  }
  return { reasons, diffs };
}

/** What can change in place, as the session carries it: its own marks when gaia left them (else what
 *  was recorded), and remain-on-exit as tmux reports it. Absent remainOnExit means the default, on. */
function currentMeta(observed: Observed, recorded: Attributes | undefined): Attributes | undefined {
  const o = observed.attributes;
  const base = typeof o.group === 'string' ? { group: o.group, provider: o.provider ?? null, agent: o.agent ?? false } : recorded;
  if (!base) return undefined;
  const remain = typeof o.remainOnExit === 'boolean' ? o.remainOnExit : base.remainOnExit !== false;
  return { ...base, remainOnExit: remain };
}

const withDefaults = (a: Attributes): Attributes => ({ ...a, remainOnExit: a.remainOnExit !== false });

export const sessionSpec: KindSpec = {
  kind: SESSION_KIND,
  missingText: 'session missing',
  specHash: (desired) => sessionSpecHash(desired.attributes),

  compare(desired, observed, recorded): Comparison {
    const want = desired.attributes;
    const reasons: Reason[] = [];
    const diffs: AttributeDiff[] = [];
    if (observed.attributes.paneDead === true) reasons.push(PANE_DEAD);
    if (recorded) {
      const restart = fieldDiffs(RESTART_FIELDS, recorded.attributes, want, true);
      reasons.push(...restart.reasons);
      diffs.push(...restart.diffs);
    }
    // The mark on the session says what it was made from, even without (or despite) the state store.
    const explained = reasons.some((r) => r !== PANE_DEAD);
    if (!explained && observed.marker !== undefined && observed.marker !== sessionSpecHash(want)) reasons.push(MARKER_DIFFERS);

    const meta = currentMeta(observed, recorded?.attributes);
    const metaChange = meta ? fieldDiffs(META_FIELDS, meta, withDefaults(want), false) : { reasons: [], diffs: [] };
    if (reasons.length) return { kind: 'replace', reasons, diffs: [...diffs, ...metaChange.diffs] };
    if (metaChange.reasons.length) return { kind: 'update', reasons: metaChange.reasons, diffs: metaChange.diffs };
    // Owned by the state store but unmarked (marks were lost or never written): mark it, no restart.
    if (observed.marker === undefined) return { kind: 'update', reasons: [MARKER_MISSING], diffs: [] };
    return { kind: 'same' };
  },

  unowned(desired) {
    const name = nameOf(desired.address, desired.attributes);
    return {
      kind: 'conflict',
      text: 'a tmux session with this name exists and gaia did not create it',
      fix: `rename the session in the manifest, or end the existing one yourself (tmux kill-session -t '=${name}') and apply again`,
    };
  },

  hazards(observed, action): readonly Hazard[] {
    const o = observed.attributes;
    if (o.paneDead === true) return [];
    // The mark says whether it is an agent; an unmarked session running anything but a shell is treated as one.
    const agent = typeof o.agent === 'boolean' ? o.agent : !(typeof o.currentCommand === 'string' && isShell(o.currentCommand));
    if (!agent) return [];
    const verb = action === 'delete' ? 'deleting' : 'replacing';
    return [{ code: 'running_session', text: `${verb} a running agent session loses its conversation` }];
  },
};

export const tmuxKinds: { readonly [kind: string]: KindSpec } = { [SESSION_KIND]: sessionSpec };
