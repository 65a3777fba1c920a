/** `gaia state rebuild`: re-derive what gaia owns when its state store was lost or damaged.
 *  Evidence, in order of strength: a tmux session that carries this project's marks is gaia's;
 *  a worktree, branch, database, file or port at the place the manifest gives it is gaia's (gaia
 *  made it there, in the project's own folders). Never evidence: an unmarked session (a person may
 *  have started it by hand) or anything another project's mark is on. Nothing is started, stopped
 *  or changed in the world; only records are written. */
import { legacyDigest } from '../core/digest.js';
import { maskSensitive } from '../core/mask.js';
import { specHashOf, storedAttributes } from '../core/planner.js';
import type { Recorded } from '../core/resource.js';
import { kindSpecs } from '../providers/registry.js';
import { makePlan } from './plan.js';
import type { Project } from './project.js';

export interface RebuildResult {
  /** Recorded as gaia's now. */
  readonly recorded: readonly string[];
  /** Named by the manifest and absent: the next apply creates them. */
  readonly missing: readonly string[];
  /** Left alone: unmarked sessions and other projects' things. */
  readonly leftAlone: readonly { readonly address: string; readonly why: string }[];
}

export async function rebuildState(project: Project): Promise<RebuildResult> {
  const { plan, recorded, observation } = await makePlan(project, { allowLostState: true });
  const markers = new Map(observation.observed.map((o) => [o.address, o.marker]));
  const digests = project.ctx.digests;
  const known = new Set(recorded.map((r) => r.address));
  const desired = new Map(project.model.resources.map((r) => [r.address, r]));
  const records: Recorded[] = [];
  const leftAlone: { address: string; why: string }[] = [];
  const take = (address: string) => {
    const r = desired.get(address);
    if (!r || known.has(address)) return;
    // A session marked before digests were keyed: recorded with the unkeyed digests its mark was made
    // from, so the next plan finds it unchanged instead of replacing it.
    const old = r.sensitive?.length ? maskSensitive(r.attributes, r.sensitive, legacyDigest) : undefined;
    const prior = old && markers.get(address) === specHashOf(r, kindSpecs[r.kind], digests, old) ? old : undefined;
    records.push({ kind: r.kind, address, attributes: storedAttributes(r, digests, prior), specHash: specHashOf(r, kindSpecs[r.kind], digests, prior), dependsOn: r.dependsOn });
  };
  // Marked sessions plan as gaia's own (noop or update) even without a record.
  for (const c of plan.changes) if (c.action !== 'create' && c.action !== 'delete') take(c.address);
  for (const c of plan.conflicts) {
    if (c.owner !== undefined) leftAlone.push({ address: c.address, why: `belongs to another gaia project (${c.owner})` });
    else if (c.kind === 'tmux_session') leftAlone.push({ address: c.address, why: 'a session without gaia\'s marks: maybe started by hand' });
    else take(c.address);
  }
  if (records.length) await project.store.recordMany(records);
  return {
    recorded: records.map((r) => r.address),
    missing: plan.changes.filter((c) => c.action === 'create').map((c) => c.address),
    leftAlone,
  };
}
