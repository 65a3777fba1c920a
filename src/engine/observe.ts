/** One bulk observation of the world: each provider observes all of its resources in one go, all providers at once. */
import type { PlanWarning } from '../core/plan.js';
import type { Observed, Recorded, Resource } from '../core/resource.js';
import type { ObserveContext, Provider } from '../providers/provider.js';
import { providers as allProviders } from '../providers/registry.js';

export interface Observation {
  readonly observed: readonly Observed[];
  /** Things found that neither the manifest nor the state store names (status, import). */
  readonly unmanaged: readonly Observed[];
  readonly warnings: readonly PlanWarning[];
}

export interface ObserveOptions {
  /** Ask providers with nothing to observe anyway, to list what is unmanaged. */
  readonly includeUnmanaged?: boolean;
  readonly providers?: readonly Provider[];
}

export async function observeAll(
  desired: readonly Resource[],
  recorded: readonly Recorded[],
  ctx: ObserveContext,
  options: ObserveOptions = {},
): Promise<Observation> {
  const results = await Promise.all((options.providers ?? allProviders).map(async (p) => {
    const mine = (r: { kind: string }) => Object.prototype.hasOwnProperty.call(p.kinds, r.kind);
    const request = { desired: desired.filter(mine), recorded: recorded.filter(mine) };
    if (!options.includeUnmanaged && request.desired.length === 0 && request.recorded.length === 0) return undefined;
    return p.observe(request, ctx);
  }));
  return {
    observed: results.flatMap((r) => r?.observed ?? []),
    unmanaged: results.flatMap((r) => r?.unmanaged ?? []),
    warnings: results.flatMap((r) => r?.warnings ?? []),
  };
}
