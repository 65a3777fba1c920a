/** Drift as JSON (`gaia drift --json`, `gaia plan --refresh-only --json`). Recorded attributes hold only digests of secrets. */
import type { DriftReport } from '../core/drift.js';
import type { PlanWarning } from '../core/plan.js';

export function renderDriftJson(report: DriftReport, warnings: readonly PlanWarning[], meta: { readonly now: string }): string {
  const body = {
    formatVersion: 1,
    refreshOnly: true,
    createdAt: meta.now,
    drift: report.entries.length > 0,
    checked: report.checked,
    entries: report.entries,
    pending: report.pending,
    warnings,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
