/** What `apply --dry-run` shows: for every change, the exact steps its provider would run, as data. */
import type { Action, Change, Plan } from '../core/plan.js';
import type { HostSide } from './hosts.js';
import { LOCAL, placeOfChange } from '../core/place.js';
import type { ObserveContext, Step } from '../providers/provider.js';
import { providerFor } from '../providers/registry.js';
import { redact, redactFields, secretsOf } from './redact.js';

export interface DryRunEntry {
  readonly address: string;
  readonly action: Action;
  /** What apply would do: record it in the state store only, run its after_create hooks again
   *  (they did not finish last time), or run these steps. */
  readonly work: { readonly kind: 'state-only' } | { readonly kind: 'hooks-only' } | { readonly kind: 'steps'; readonly steps: readonly Step[] };
}

/** Every value the plan marks sensitive is masked in what is shown, whatever step carries it. */
export async function dryRun(plan: Plan, ctx: ObserveContext, sides?: ReadonlyMap<string, HostSide>): Promise<readonly DryRunEntry[]> {
  const all = [...plan.changes, ...(plan.moves ?? [])];
  const secrets = secretsOf(all);
  const stepsOf = async (c: Change): Promise<readonly Step[]> => {
    const side = sides?.get(placeOfChange(c));
    return side && side.name !== LOCAL ? side.steps(c) : providerFor(c.kind).steps(c, ctx);
  };
  const masked = (s: Step): Step => ({ ...redactFields(s, secrets), description: redact(s.description, secrets) });
  // A move's old copy last, as apply deletes it.
  return Promise.all(all
    .filter((c) => c.action !== 'noop')
    .map(async (c): Promise<DryRunEntry> => ({
      address: c.address,
      action: c.action,
      work: c.action === 'adopt' || c.stateOnly ? { kind: 'state-only' }
        : c.hooksOnly ? { kind: 'hooks-only' }
        : { kind: 'steps', steps: (await stepsOf(c)).map(masked) },
    })));
}
