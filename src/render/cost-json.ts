/** Cost as JSON (`gaia cost --json`). */
import type { CostReport } from '../ops/cost.js';

export function renderCostJson(report: CostReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
