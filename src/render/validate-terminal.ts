/** `gaia validate` for a terminal: every error located and counted, or the expanded manifest in one sentence. */
import type { ValidateView } from './reports.js';
import { formatManifestError } from './manifest-error.js';

export function renderValidateTerminal(v: ValidateView): string {
  if (!v.valid) return `${v.errors.map(formatManifestError).join('\n')}\n\n${v.errors.length} error${v.errors.length === 1 ? '' : 's'} in ${v.file}.\n`;
  const { model } = v;
  const lines = v.printResources ? [...model.resources.map((r) => `${r.address}${r.dependsOn.length ? `  ← ${r.dependsOn.join(', ')}` : ''}`), ''] : [];
  const sessions = model.groups.reduce((n, g) => n + g.sessions.length, 0);
  const kinds = Object.entries(v.counts).map(([k, n]) => `${n} ${k}`).join(', ');
  lines.push(`${v.file} is valid: ${model.environments.length} environments, ${sessions} sessions in ${model.groups.length} groups, ${model.resources.length} resources (${kinds}).`);
  return `${lines.join('\n')}\n`;
}
