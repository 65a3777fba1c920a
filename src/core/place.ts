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

/** The state store's key for the old copy of a resource moving to another host, kept until that copy
 *  is deleted there: `alpha:git_worktree.dev1`, written as status writes a place (`alpha:envs/dev1`).
 *  No address holds a ":" (tmux refuses it in session names; other names allow less), so no
 *  ordinary record's address looks like one. */
export function oldCopyKey(address: string, place: string): string {
  return `${place}:${address}`;
}

/** The address a record of an old copy stands for (undefined: an ordinary record). */
export function oldCopyOf(record: { readonly kind: string; readonly address: string; readonly attributes: Attributes }): string | undefined {
  const prefix = `${placeOf(record.attributes)}:`;
  if (!record.address.startsWith(prefix)) return undefined;
  const address = record.address.slice(prefix.length);
  return address.startsWith(`${record.kind}.`) ? address : undefined;
}
