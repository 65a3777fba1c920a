/** A manifest diff as a pull-request comment: the plan's markdown (summary, removals first, folded
 *  details, masking, size budget, split parts) applied to the diff in the shape of a plan. */
import { diffAsPlan, type DiffReport } from '../core/diff.js';
import type { Plan } from '../core/plan.js';
import { renderPlanMarkdown, renderPlanMarkdownParts, type MarkdownOptions } from './plan-markdown.js';
import { diffSummaryLine, diffTitle, sideLabel } from './diff-terminal.js';

function asPlan(report: DiffReport): Plan {
  return diffAsPlan(report.diff, { manifest: { path: report.manifest, hash: '' }, now: new Date(0).toISOString() });
}

function options(report: DiffReport, maxChars: number | undefined): MarkdownOptions {
  const notes = [report.base, report.head].filter((s) => s.missing).map((s) => ` (no manifest at ${sideLabel(s)})`).join('');
  const changed = report.diff.added.length + report.diff.removed.length + report.diff.changed.length > 0;
  return {
    title: diffTitle(report),
    summary: changed ? `${diffSummaryLine(report.diff)}${notes}` : `No differences in the resources the manifest makes.${notes}`,
    command: 'gaia diff',
    ...(maxChars === undefined ? {} : { maxChars }),
  };
}

export function renderDiffMarkdown(report: DiffReport, maxChars?: number): string {
  return renderPlanMarkdown(asPlan(report), options(report, maxChars));
}

export function renderDiffMarkdownParts(report: DiffReport, maxChars?: number): string[] {
  return renderPlanMarkdownParts(asPlan(report), options(report, maxChars));
}
