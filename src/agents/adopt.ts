/** `gaia import --adopt`: take ownership of what a manifest names and already exists — record each
 *  such resource in the state store with the spec hash the manifest expands to, and mark each tmux
 *  session (its `GAIA_SPEC` marks and remain-on-exit, in one tmux invocation) — so the next plan
 *  with that manifest compares them as gaia's own and finds nothing to do. Nothing is started,
 *  stopped or rewritten. */
import { specHashOf, storedAttributes } from '../core/planner.js';
import type { Change } from '../core/plan.js';
import type { Recorded } from '../core/resource.js';
import { makePlan } from '../engine/plan.js';
import type { Project } from '../engine/project.js';
import { describeFailure } from '../host/exec.js';
import { kindSpecs } from '../providers/registry.js';
import { MAX_INVOCATION_BYTES, chainBytes, invocation, type TmuxCommand } from '../providers/tmux/commands.js';
import { prepare } from '../providers/tmux/work.js';
import { tmuxServer } from '../providers/tmux/settings.js';

export interface AdoptResult {
  readonly adopted: readonly string[];
  /** Addresses the manifest names that do not exist (the next apply creates them). */
  readonly missing: readonly string[];
  readonly error?: string;
}

export async function adoptExisting(project: Project): Promise<AdoptResult> {
  const { plan } = await makePlan(project);
  const byAddress = new Map(project.model.resources.map((r) => [r.address, r]));
  const records: Recorded[] = [];
  const marks: Change[] = [];
  for (const conflict of plan.conflicts) {
    const r = byAddress.get(conflict.address);
    if (!r) continue;
    const specHash = specHashOf(r, kindSpecs[r.kind], project.ctx.digests);
    records.push({ kind: r.kind, address: r.address, attributes: storedAttributes(r, project.ctx.digests), specHash, dependsOn: r.dependsOn });
    if (r.kind === 'tmux_session') {
      marks.push({ kind: r.kind, address: r.address, action: 'update', reasons: [], diffs: [], dependsOn: r.dependsOn, hazards: [], after: r.attributes, specHash });
    }
  }
  // As few invocations as tmux's message size allows.
  const chains: TmuxCommand[][] = [[]];
  for (const c of marks) {
    const p = prepare(c, 0, project.model.root);
    if (!p.ok) continue;
    const last = chains.at(-1)!;
    if (last.length && chainBytes([...last, ...p.work.commands]) > MAX_INVOCATION_BYTES) chains.push([...p.work.commands]);
    else last.push(...p.work.commands);
  }
  for (const commands of chains.filter((x) => x.length)) {
    const r = await project.ctx.host.run(invocation(tmuxServer(project.ctx), commands));
    if (r.failed) return { adopted: [], missing: [], error: `cannot mark the sessions: ${describeFailure(r)}` };
  }
  if (records.length) await project.store.recordMany(records);
  return {
    adopted: records.map((r) => r.address),
    missing: plan.changes.filter((c) => c.action === 'create').map((c) => c.address),
  };
}
