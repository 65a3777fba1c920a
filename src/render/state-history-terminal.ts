/** `gaia state history` for a terminal: a line per apply, then every step in the order it landed (a failure with its error). */
import type { StateHistory } from './reports.js';

export function renderStateHistoryTerminal(v: StateHistory): string {
  return v.applies.map((a) => [
    `#${a.id} ${a.startedAt} ${a.command}: ${a.status}${a.summary ? ` — ${a.summary}` : ''}\n`,
    ...a.steps.map((s) => `    ${s.status.padEnd(7)} ${s.action.padEnd(7)} ${s.address}${s.error ? `: ${s.error}` : ''}\n`),
  ].join('')).join('');
}
