/** `gaia validate --json`: `valid`, then the errors or the counts (and the resources, when asked for), and the warnings. */
import type { ValidateView } from './reports.js';

export function validateJson(v: ValidateView): unknown {
  if (!v.valid) return { valid: false, errors: v.errors, warnings: v.warnings };
  const resources = v.printResources ? v.model.resources.map((r) => ({ address: r.address, kind: r.kind, dependsOn: r.dependsOn })) : undefined;
  return { valid: true, resources, counts: v.counts, warnings: v.warnings };
}
