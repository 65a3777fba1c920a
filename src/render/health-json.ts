/** Health as JSON (`gaia health --json`; the dashboard's health endpoint). */
import type { HealthReport } from '../ops/health.js';

export function renderHealthJson(report: HealthReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
