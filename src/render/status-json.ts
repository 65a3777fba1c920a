/** Status as JSON: what `gaia status --json` prints and the dashboard serves. */
import type { ReportTables } from '../ops/export.js';
import type { StatusReport } from '../ops/status-model.js';

export function renderStatusJson(report: StatusReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The report's tables (`gaia task export`). */
export function renderTablesJson(tables: ReportTables): string {
  return `${JSON.stringify(tables, null, 2)}\n`;
}
