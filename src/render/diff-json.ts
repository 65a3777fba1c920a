/** A manifest diff as JSON, for CI scripts: the two sides, counts, and each resource's changes. Never holds a secret. */
import { diffSummary, type DiffReport } from '../core/diff.js';
import { maskAttributes, maskDiffs } from './diff-mask.js';

export const DIFF_FORMAT_VERSION = 1;

export function renderDiffJson(report: DiffReport): string {
  const { diff } = report;
  const body = {
    formatVersion: DIFF_FORMAT_VERSION,
    manifest: report.manifest,
    base: report.base,
    head: report.head,
    summary: diffSummary(diff),
    added: diff.added.map((r) => ({ address: r.address, kind: r.kind, attributes: maskAttributes(r), dependsOn: r.dependsOn })),
    removed: diff.removed.map((r) => ({ address: r.address, kind: r.kind, attributes: maskAttributes(r) })),
    changed: diff.changed.map((c) => ({
      address: c.address,
      kind: c.kind,
      diffs: maskDiffs(c.diffs, c.after.sensitive ?? c.before.sensitive),
      ...(c.dependsOn ? { dependsOn: c.dependsOn } : {}),
    })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
