/** The port provider: reservations recorded in gaia's state; applying one runs nothing. */
import { assertNever, type Change } from '../../core/plan.js';
import type { ChangeOutcome, Provider, Step } from '../provider.js';
import { ownerText, PORT_KIND, readPort } from './attributes.js';
import { observePorts } from './observe.js';
import { portSpec } from './spec.js';

function portSteps(change: Change): readonly Step[] {
  const step = (description: string): Step => ({ address: change.address, description });
  const want = change.after ? readPort(change.after) : undefined;
  const have = change.before ? readPort(change.before) : undefined;
  switch (change.action) {
    case 'create':
      return want ? [step(`reserve port ${want.port} for ${ownerText(want)}`)] : [];
    case 'update':
    case 'replace':
      return want && have ? [step(`move ${ownerText(want)} from port ${have.port} to ${want.port}`)] : [];
    case 'delete':
      return have ? [step(`release port ${have.port} (${ownerText(have)})`)] : [];
    case 'adopt':
    case 'noop':
      return [];
    default:
      return assertNever(change.action);
  }
}

/** Nothing to run: the applier records the outcome in the state store, which is the reservation. */
async function applyPorts(changes: readonly Change[]): Promise<readonly ChangeOutcome[]> {
  return changes.map((c): ChangeOutcome => ({ status: 'done', attributes: c.action === 'delete' ? undefined : c.after }));
}

export const portProvider: Provider = {
  name: 'port',
  kinds: { [PORT_KIND]: portSpec },
  observe: observePorts,
  steps: portSteps,
  apply: applyPorts,
};

export { PORT_KIND } from './attributes.js';
export type { PortAttributes, PortObserved } from './attributes.js';
export type { ListeningSocket, PortHolder } from '../../host/host.js';
