/** The plan as a pull-request comment: summary first, destroys and replaces called out, each change
 *  folded, secrets masked, and never longer than the comment platform allows. */
import { onPlace, placeOfChange } from '../core/place.js';
import { hasChanges, type Change, type Plan } from '../core/plan.js';
import { maskChange } from './mask.js';
import { SYMBOLS, summaryLine } from './plan-terminal.js';
import { showValue, shownAttributes } from './values.js';

/** GitHub's comment limit is 65,536 characters; keep a margin for what CI wraps around the body. */
export const DEFAULT_MAX_CHARS = 65_000;

export interface MarkdownOptions {
  readonly maxChars?: number;
  readonly title?: string;
  /** The bold line under the title (default: the plan summary), e.g. a manifest diff's own counts. */
  readonly summary?: string;
  /** The command the size notes point to for the full detail (default `gaia plan`). */
  readonly command?: string;
}

const IMPORTANCE: Record<Change['action'], number> = { delete: 5, replace: 4, update: 3, create: 2, adopt: 1, noop: 0 };

function rank(c: Change): number {
  return IMPORTANCE[c.action] * 10 + (c.hazards.length ? 5 : 0);
}

function reasonText(c: Change): string {
  return c.reasons.map((r) => r.text).join('; ');
}

function oneLine(c: Change): string {
  const hazards = c.hazards.map((h) => ` — ⚠️ **${escape(h.text)}**`).join('');
  return `- \`${SYMBOLS[c.action].trim()} ${c.address}\`${escape(onPlace(placeOfChange(c)))}${reasonText(c) ? ` — ${escape(reasonText(c))}` : ''}${hazards}`;
}

function details(c: Change): string {
  const body: string[] = [];
  if (c.action === 'create') for (const [k, v] of shownAttributes(c.after)) body.push(`+ ${k}: ${showValue(v)}`);
  for (const d of c.diffs) {
    body.push(`~ ${d.path}: ${showValue(d.before)} → ${showValue(d.after)}${d.forcesReplace ? '  # forces replacement' : ''}`);
    if (d.unified) body.push(...d.unified.trimEnd().split('\n').filter((l) => !l.startsWith('===')));
  }
  if (c.action === 'delete') body.push(`- ${c.address}`);
  const summary = `<code>${SYMBOLS[c.action].trim()} ${escapeHtml(c.address)}</code>${escapeHtml(onPlace(placeOfChange(c)))}${reasonText(c) ? ` — ${escapeHtml(reasonText(c))}` : ''}`;
  return `<details><summary>${summary}</summary>\n\n\`\`\`diff\n${body.join('\n').replace(/```/g, "'''")}\n\`\`\`\n</details>`;
}

function escape(s: string): string {
  return s.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function header(plan: Plan, title: string, summary?: string): string[] {
  const out = [`### ${title}`, ''];
  const changed = hasChanges(plan);
  out.push(summary !== undefined ? `**${summary}**` : changed ? `**${summaryLine(plan.summary)}**` : '**No changes.** The world matches the manifest.', '');
  const loud = [...plan.changes, ...(plan.moves ?? [])].filter((c) => c.action === 'delete' || c.action === 'replace' || c.hazards.length).map(maskChange);
  if (loud.length) {
    out.push(`> [!WARNING]`, `> **${loud.length} destroy/replace${loud.length === 1 ? '' : 's'} — review these first:**`);
    for (const c of loud.slice(0, 50)) out.push(`> ${oneLine(c)}`);
    if (loud.length > 50) out.push(`> - … and ${loud.length - 50} more`);
    out.push('');
  }
  if (plan.conflicts.length) {
    out.push(`**Conflicts** (gaia does not own these and will not touch them):`);
    for (const k of plan.conflicts.slice(0, 50)) out.push(`- \`${k.address}\`: ${escape(k.text)}${k.fix ? ` — fix: ${escape(k.fix)}` : ''}`);
    if (plan.conflicts.length > 50) out.push(`- … and ${plan.conflicts.length - 50} more`);
    out.push('');
  }
  for (const w of plan.warnings.slice(0, 20)) out.push(`- ⚠️ ${escape(w.text)}`);
  if (plan.warnings.length) out.push('');
  return out;
}

/** One comment body within `maxChars`: the least important details are folded to one line, then dropped, with a count. */
export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const max = options.maxChars ?? DEFAULT_MAX_CHARS;
  const head = header(plan, options.title ?? 'gaia plan', options.summary).join('\n');
  const changes = ordered(plan);
  return fit(head, changes, max, options.command ?? 'gaia plan');
}

/** Several comment bodies, each within `maxChars`, that together show every change in full where possible. */
export function renderPlanMarkdownParts(plan: Plan, options: MarkdownOptions = {}): string[] {
  const max = options.maxChars ?? DEFAULT_MAX_CHARS;
  const title = options.title ?? 'gaia plan';
  const head = header(plan, title, options.summary).join('\n');
  const blocks = ordered(plan).map(details);
  const parts: string[][] = [[]];
  let size = head.length + 200;
  for (const b of blocks) {
    const piece = b.length + 2 > max - 300 ? b.slice(0, max - 400) + '\n```\n</details>' : b;
    if (size + piece.length + 2 > max && parts[parts.length - 1]!.length) {
      parts.push([]);
      size = 200;
    }
    parts[parts.length - 1]!.push(piece);
    size += piece.length + 2;
  }
  return parts.map((blocksOf, i) => {
    const top = i === 0 ? head : `### ${title} (continued)\n`;
    return `${top}\n_Part ${i + 1} of ${parts.length}_\n\n${blocksOf.join('\n\n')}\n`;
  });
}

function ordered(plan: Plan): Change[] {
  return [...plan.changes.filter((c) => c.action !== 'noop'), ...(plan.moves ?? [])].map(maskChange).sort((a, b) => rank(b) - rank(a));
}

/** Room kept for the notes that say what was folded or dropped. */
const NOTES_ROOM = 400;

function fit(head: string, changes: readonly Change[], max: number, command: string): string {
  const full = changes.map(details);
  const short = changes.map(oneLine);
  const shown = [...full] as (string | undefined)[];
  let size = head.length + NOTES_ROOM + full.reduce((n, b) => n + b.length + 2, 0);
  // The list is sorted most important first: fold, then drop, from the end.
  let folded = 0;
  for (let i = changes.length - 1; i >= 0 && size > max; i--, folded++) {
    size += short[i]!.length - full[i]!.length;
    shown[i] = short[i];
  }
  let dropped = 0;
  for (let i = changes.length - 1; i >= 0 && size > max; i--, dropped++) {
    size -= short[i]!.length + 2;
    shown[i] = undefined;
  }
  folded -= dropped;
  const notes = [
    ...(folded > 0 ? [`_${folded} change${folded === 1 ? '' : 's'} shown as one line to stay within ${max} characters; run \`${command}\` for the full detail._`] : []),
    ...(dropped ? [`_… and ${dropped} more change${dropped === 1 ? '' : 's'} not shown (size limit); run \`${command}\` or use \`--split\`._`] : []),
  ];
  const text = `${head}\n${shown.filter((x) => x !== undefined).join('\n\n')}\n${notes.length ? `\n${notes.join('\n\n')}\n` : ''}`;
  return text.length > max ? `${text.slice(0, max - 60)}\n\n_(truncated at ${max} characters)_\n` : text;
}
