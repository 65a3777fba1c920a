/** The plan for a terminal, in the style Terraform users know: `+ ~ -/+ -` and a summary line. */
import { createColors } from 'picocolors';
import { assertNever, hasChanges, type Action, type Change, type Plan, type PlanSummary } from '../core/plan.js';
import { maskChange } from './mask.js';
import { onPlace, placeOfChange } from '../core/place.js';
import { SYMBOLS } from './symbols.js';
import { showValue, shownAttributes } from './values.js';

type Colors = ReturnType<typeof createColors>;

export { SYMBOLS };

function paint(c: Colors, action: Action): (s: string) => string {
  switch (action) {
    case 'create': return c.green;
    case 'update': return c.yellow;
    case 'replace': return c.magenta;
    case 'delete': return c.red;
    case 'adopt': return c.cyan;
    case 'noop': return c.dim;
    default: return assertNever(action);
  }
}

function headline(ch: Change): string {
  switch (ch.action) {
    case 'create': return 'will be created';
    case 'update': return 'will be updated in place';
    case 'replace': return 'must be replaced';
    case 'delete': return ch.stateOnly ? 'will be forgotten (already gone)' : 'will be destroyed';
    case 'adopt': return 'will be adopted (gaia takes ownership; nothing changes)';
    case 'noop': return 'is up to date';
    default: return assertNever(ch.action);
  }
}

export function summaryLine(s: PlanSummary): string {
  const parts = [`${s.add} to add`, `${s.change} to change`, ...(s.replace ? [`${s.replace} to replace`] : []), `${s.destroy} to destroy`];
  if (s.adopt) parts.push(`${s.adopt} to adopt`);
  return `Plan: ${parts.join(', ')}.`;
}

export function renderPlanTerminal(plan: Plan, options: { color: boolean; verbose?: boolean } = { color: false }): string {
  const c = createColors(options.color);
  const out: string[] = [];
  const changes = [...plan.changes.filter((ch) => ch.action !== 'noop'), ...(plan.moves ?? [])].map(maskChange);

  for (const w of plan.warnings) out.push(c.yellow(`Warning: ${w.text}${w.address ? ` (${w.address})` : ''}`));
  if (plan.warnings.length) out.push('');

  if (plan.conflicts.length) {
    out.push(c.bold(c.red(`Conflicts — gaia does not own these and will not touch them:`)));
    for (const k of plan.conflicts) {
      out.push(`  ${c.red('!')} ${c.bold(k.address)}: ${k.text}`);
      if (k.fix) out.push(`    ${c.dim(`fix: ${k.fix}`)}`);
    }
    out.push('');
  }

  if (changes.length) {
    out.push(`gaia will perform the following actions:`, '');
    for (const ch of changes) {
      const p = paint(c, ch.action);
      const why = ch.reasons.map((r) => r.text).join('; ');
      out.push(c.dim(`  # ${ch.address}${onPlace(placeOfChange(ch))} ${headline(ch)}${why ? ` (${why})` : ''}`));
      for (const h of ch.hazards) out.push(`  ${c.bold(c.red(`!! ${h.text}`))}`);
      out.push(`${p(SYMBOLS[ch.action].padStart(3))} ${c.bold(ch.address)}`);
      if (ch.action === 'create' || (options.verbose && ch.action === 'adopt')) {
        for (const [k, v] of shownAttributes(ch.after)) out.push(`      ${k}: ${showValue(v)}`);
      }
      for (const d of ch.diffs) {
        out.push(`      ${p('~')} ${d.path}: ${showValue(d.before)} → ${showValue(d.after)}${d.forcesReplace ? c.red('  # forces replacement') : ''}`);
        if (d.unified) for (const line of d.unified.trimEnd().split('\n')) out.push(`        ${colourDiffLine(c, line)}`);
      }
      out.push('');
    }
  }

  if (!hasChanges(plan)) {
    out.push(plan.conflicts.length
      ? c.bold('No changes to things gaia owns; resolve the conflicts above.')
      : c.bold(c.green('No changes.')) + ' The world matches the manifest.');
  } else {
    out.push(c.bold(summaryLine(plan.summary)));
  }
  return `${out.join('\n')}\n`;
}

function colourDiffLine(c: Colors, line: string): string {
  if (line.startsWith('+') && !line.startsWith('+++')) return c.green(line);
  if (line.startsWith('-') && !line.startsWith('---')) return c.red(line);
  if (line.startsWith('@@')) return c.cyan(line);
  return c.dim(line);
}
