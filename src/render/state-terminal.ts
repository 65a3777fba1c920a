/** `gaia state list|unlock|rebuild` for a terminal: what gaia owns, and what a repair of its store did. */
import { onPlace, placeOf } from '../core/place.js';
import type { Recorded } from '../core/resource.js';
import type { RebuildResult } from '../engine/rebuild.js';
import { holderText } from './lock-holder.js';
import type { StateUnlocked } from './reports.js';

export function renderStateListTerminal(recorded: readonly Recorded[]): string {
  return `${recorded.length ? recorded.map((r) => `${r.address}${onPlace(placeOf(r.attributes))}`).sort().join('\n') : 'gaia owns nothing yet.'}\n`;
}

export function renderUnlockedTerminal(result: StateUnlocked): string {
  switch (result.kind) {
    case 'none':
      return 'The state was not locked.\n';
    case 'cleared':
      return `Cleared the lock of ${holderText(result.holder)}, which no longer runs.\n`;
    case 'forced':
      return `Removed the lock record of ${holderText(result.holder)}; it is still running, and a second apply still waits for it.\n`;
  }
}

export function renderRebuiltTerminal(r: RebuildResult): string {
  return `${[
    ...r.recorded.map((a) => `  recorded ${a}`),
    ...r.leftAlone.map((x) => `  left alone ${x.address}: ${x.why}`),
    `Rebuilt the state: ${r.recorded.length} recorded as gaia's, ${r.missing.length} missing (the next apply creates them), ${r.leftAlone.length} left alone.`,
    'Run `gaia plan` to see what remains.',
  ].join('\n')}\n`;
}
