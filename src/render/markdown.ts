/** The markdown format: a pull-request comment within a size budget, or numbered parts of one. */
import { renderDiffMarkdown, renderDiffMarkdownParts } from './diff-markdown.js';
import { renderPlanMarkdown, renderPlanMarkdownParts } from './plan-markdown.js';
import type { Format } from './reports.js';

const budget = (o: { readonly maxChars?: number }) => (o.maxChars ? { maxChars: o.maxChars } : {});

export const markdown: Format = {
  describe: (noun) => `print ${noun} as a pull-request comment`,
  reports: {
    plan: (plan, o) => renderPlanMarkdown(plan, budget(o)),
    diff: (report, o) => renderDiffMarkdown(report, o.maxChars),
  },
  parts: {
    plan: (plan, o) => renderPlanMarkdownParts(plan, budget(o)),
    diff: (report, o) => renderDiffMarkdownParts(report, o.maxChars),
  },
};
