/** The line above `gaia status`: two separate axes, as Argo CD shows them — does the machine run the
 *  revision it should (sync), and is it well (health). */
import type { StatusView } from './reports.js';

export function statusHeader(view: StatusView): string {
  const { sync, health } = view;
  const revision = sync.revision ? ` at ${sync.revision.slice(0, 12)}` : '';
  const last = sync.lastRound ? ` (last reconcile ${sync.lastRound.startedAt}: ${sync.lastRound.result})` : sync.sync === 'Unknown' ? ' (no reconcile has run)' : '';
  return `Sync: ${sync.sync}${revision}${last}${health ? `  ·  Health: ${health}` : ''}`;
}
