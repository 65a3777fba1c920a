/** A `gaia reconcile` round for a terminal: when and at what it ended, then what went wrong or loops. */
import type { RoundOutcome } from '../ops/reconcile.js';
import { crashLoopText } from '../ops/reconcile-summary.js';
import { formatManifestError } from './manifest-error.js';

export function renderReconcileRoundTerminal(o: RoundOutcome): string {
  const at = [o.ref, o.revision?.slice(0, 12)].filter(Boolean).join('@');
  const lines = [`[${o.finishedAt}]${at ? ` ${at}:` : ''} ${o.result} — ${o.summary}`];
  for (const e of o.errors) lines.push(`  ${formatManifestError(e)}`);
  if (o.result === 'failed' && o.error && o.error !== o.summary && !o.errors.length) lines.push(`  ${o.error.split('\n').join('\n  ')}`);
  if (o.crashLooping.length) lines.push(crashLoopText(o.crashLooping).split('\n').map((l) => `  ${l}`).join('\n'));
  return `${lines.join('\n')}\n`;
}
