/** Where a resource is: this machine (`local`), or a host of the manifest's `hosts:`, which its
 *  attributes name (`host: gpu1`; none on this machine, so a one-machine project's records are as
 *  they always were). */
import type { Change } from './plan.js';
import type { Attributes } from './resource.js';

export const LOCAL = 'local';

export function placeOf(attributes: Attributes | undefined): string {
  const host = attributes?.host;
  return typeof host === 'string' ? host : LOCAL;
}

/** A change runs where its thing is now (a delete), else where the manifest wants it. */
export function placeOfChange(change: Change): string {
  return placeOf(change.action === 'delete' ? change.before : change.after ?? change.before);
}

/** ` on gpu1` after an address of a thing on a host; nothing for this machine. */
export function onPlace(place: string): string {
  return place === LOCAL ? '' : ` on ${place}`;
}
