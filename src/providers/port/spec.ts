/** The pure comparison rule for `port`: a reservation only changes when its number does. */
import type { Comparison, KindSpec } from '../../core/kind.js';
import type { Observed, Recorded, Resource } from '../../core/resource.js';
import { PORT_KIND, readPort } from './attributes.js';

function compare(desired: Resource, observed: Observed, _recorded: Recorded | undefined): Comparison {
  const want = readPort(desired.attributes).port;
  const have = readPort(observed.attributes).port;
  if (want === have) return { kind: 'same' };
  return {
    kind: 'update',
    reasons: [{ code: 'port_changed', text: `port changed from ${have} to ${want}` }],
    diffs: [{ path: 'port', before: have, after: want }],
  };
}

export const portSpec: KindSpec = {
  kind: PORT_KIND,
  compare,
  missingText: 'port not reserved',
};
