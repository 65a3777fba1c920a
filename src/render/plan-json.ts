/** The plan as JSON (schemas/plan.schema.json): what `plan --json` prints and `plan --out` saves. Never holds a secret. */
import type { Plan } from '../core/plan.js';
import { maskPlan } from './mask.js';

export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(maskPlan(plan), null, 2)}\n`;
}
