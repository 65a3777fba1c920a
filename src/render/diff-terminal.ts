/** A manifest diff for a terminal: `+ ~ -` per resource with the attribute changes, then the counts. */
import { createColors } from 'picocolors';
import { diffSummary, type DiffReport, type DiffSide, type ResourceDiff } from '../core/diff.js';
import type { AttributeDiff } from '../core/plan.js';
import { onPlace, placeOf } from '../core/place.js';
import type { Resource } from '../core/resource.js';
import { maskAttributes, maskDiffs } from './diff-mask.js';
import { showValue, shownAttributes } from './values.js';

export function sideLabel(s: DiffSide): string {
  return s.revision ? `${s.ref} (${s.revision.slice(0, 7)})` : s.ref;
}

export function diffSummaryLine(d: ResourceDiff): string {
  const s = diffSummary(d);
  return `Manifest diff: ${s.added} to add, ${s.changed} to change, ${s.removed} to remove (${s.unchanged} unchanged).`;
}

export function diffTitle(r: DiffReport): string {
  return `gaia diff: ${r.manifest} ${sideLabel(r.base)} → ${sideLabel(r.head)}`;
}

export function renderDiffTerminal(report: DiffReport, options: { color: boolean } = { color: false }): string {
  const c = createColors(options.color);
  const { diff } = report;
  const out = [c.bold(diffTitle(report)), ''];
  for (const side of [report.base, report.head]) {
    if (side.missing) out.push(c.yellow(`Note: ${report.manifest} does not exist at ${sideLabel(side)}; compared as empty.`), '');
  }
  const attrs = (r: Resource, paint: (s: string) => string) => {
    for (const [k, v] of shownAttributes(maskAttributes(r))) out.push(paint(`      ${k}: ${showValue(v)}`));
  };
  for (const r of diff.removed) {
    out.push(`${c.red('  -')} ${c.bold(r.address)}${onPlace(placeOf(r.attributes))}${c.dim('  # removed from the manifest')}`);
  }
  for (const ch of diff.changed) {
    out.push(`${c.yellow('  ~')} ${c.bold(ch.address)}${onPlace(placeOf(ch.after.attributes))}`);
    for (const d of maskDiffs(ch.diffs, ch.after.sensitive)) out.push(diffLine(c, d));
    if (ch.dependsOn) out.push(`      ${c.yellow('~')} dependsOn: ${showValue([...ch.dependsOn.before])} → ${showValue([...ch.dependsOn.after])}`);
  }
  for (const r of diff.added) {
    out.push(`${c.green('  +')} ${c.bold(r.address)}${onPlace(placeOf(r.attributes))}`);
    attrs(r, (s) => s);
  }
  if (diff.removed.length + diff.changed.length + diff.added.length === 0) out.push(c.green('No differences in the resources the manifest makes.'));
  else out.push('', c.bold(diffSummaryLine(diff)));
  return `${out.join('\n')}\n`;
}

function diffLine(c: ReturnType<typeof createColors>, d: AttributeDiff): string {
  const sign = d.before === undefined ? c.green('+') : d.after === undefined ? c.red('-') : c.yellow('~');
  return `      ${sign} ${d.path}: ${showValue(d.before)} → ${showValue(d.after)}`;
}
