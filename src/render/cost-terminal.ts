/** Cost for a terminal: one row per group, the total, and the comparison with the baseline. */
import { createColors } from 'picocolors';
import type { CostReport } from '../ops/cost.js';
import { widthOf } from './status-parts.js';

/** `$1,200`, `-$8`, `$12.50`. */
export function dollars(n: number): string {
  const abs = Math.abs(n);
  const text = abs.toLocaleString('en-US', { minimumFractionDigits: Number.isInteger(abs) ? 0 : 2, maximumFractionDigits: 2 });
  return `${n < 0 ? '-' : ''}$${text}`;
}

export function renderCostTerminal(report: CostReport, options: { readonly color: boolean } = { color: false }): string {
  const c = createColors(options.color);
  const rows = report.groups.map((g) => [
    g.name,
    String(g.sessions),
    g.providers.map((p) => `${p.sessions}× ${p.provider ?? 'command'} @ ${dollars(p.perSession)}`).join(', '),
    g.adjustment ? dollars(g.adjustment) : '',
    dollars(g.monthly),
  ]);
  const head = ['GROUP', 'SESSIONS', 'PRICED AS', 'ADJUST', 'PER MONTH'];
  const total = ['TOTAL', String(report.sessions), '', '', dollars(report.total)];
  const widths = head.map((h, i) => widthOf([h, ...rows.map((r) => r[i]!), total[i]!]));
  const right = new Set([1, 3, 4]);
  const line = (r: readonly string[]) => r.map((v, i) => (right.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [c.bold(line(head)), ...rows.map(line), c.dim('-'.repeat(widths.reduce((a, b) => a + b + 2, -2))), c.bold(line(total))];
  if (report.baseline) {
    const b = report.baseline;
    out.push('', `Baseline: ${dollars(b.monthly)}/month — ${b.label}`);
    if (report.saving !== null) {
      const pct = report.savingPercent === null ? '' : ` (${report.savingPercent} %)`;
      out.push(report.saving >= 0
        ? c.green(`Saving:   ${dollars(report.saving)}/month${pct}: ${dollars(report.total)} instead of ${dollars(b.monthly)}`)
        : c.yellow(`Extra:    ${dollars(-report.saving)}/month over the baseline${pct}`));
    }
  }
  if (report.budget !== null) out.push(`Budget:   ${dollars(report.budget)}/month${report.overBudget ? '' : c.dim(' (within budget)')}`);
  for (const w of report.warnings) out.push(c.yellow(`Warning: ${w}`));
  return `${out.join('\n')}\n`;
}
