/** Drift for a terminal: each owned thing that changed outside gaia, and what to do about it. */
import { createColors } from 'picocolors';
import type { DriftReport } from '../core/drift.js';
import type { PlanWarning } from '../core/plan.js';
import { showValue } from './values.js';

export function driftSummaryLine(report: DriftReport): string {
  const missing = report.entries.filter((e) => e.drift === 'missing').length;
  const changed = report.entries.length - missing;
  return `Drift: ${missing} missing, ${changed} changed outside gaia (of ${report.checked} owned).`;
}

export function renderDriftTerminal(report: DriftReport, warnings: readonly PlanWarning[], options: { color: boolean } = { color: false }): string {
  const c = createColors(options.color);
  const out: string[] = [];
  for (const w of warnings) out.push(c.yellow(`Warning: ${w.text}${w.address ? ` (${w.address})` : ''}`));
  if (warnings.length) out.push('');
  if (report.entries.length === 0) {
    out.push(`${c.bold(c.green('No drift.'))} The ${report.checked} thing${report.checked === 1 ? '' : 's'} gaia owns are as it last applied them.`);
  } else {
    out.push('Changed outside gaia since the last apply:', '');
    for (const e of report.entries) {
      const sign = e.drift === 'missing' ? c.red('  -') : c.yellow('  ~');
      out.push(`${sign} ${c.bold(e.address)}${c.dim(`  # ${e.reasons.map((r) => r.text).join('; ')}`)}`);
      for (const d of e.diffs) {
        out.push(`      ${d.path}: applied ${showValue(d.before)}, now ${showValue(d.after)}`);
        if (d.unified) for (const line of d.unified.trimEnd().split('\n').filter((l) => !l.startsWith('==='))) out.push(`        ${c.dim(line)}`);
      }
    }
    out.push('', c.bold(driftSummaryLine(report)));
    out.push(c.dim('gaia changed nothing. `gaia apply` restores what the manifest says; `gaia reconcile` does it under the manifest\'s sync policy.'));
  }
  if (report.pending.length) out.push(c.dim(`${report.pending.length} create${report.pending.length === 1 ? '' : 's'} never finished (the next apply completes them): ${report.pending.join(', ')}`));
  return `${out.join('\n')}\n`;
}
