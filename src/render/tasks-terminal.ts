/** Tasks as a table for a terminal (`gaia task list`); done ones dimmed. */
import { createColors } from 'picocolors';
import type { TaskRecord } from '../state/tasks.js';
import type { TaskAdded } from './reports.js';
import { widthOf } from './status-parts.js';

export function renderTasksTerminal(tasks: readonly TaskRecord[], options: { readonly color: boolean; readonly all: boolean }): string {
  const c = createColors(options.color);
  if (tasks.length === 0) return options.all ? 'No tasks.' : 'No open tasks.';
  const rows = tasks.map((t) => [`#${t.id}`, t.session ?? '-', t.type ?? '-', t.env ?? '-', t.status === 'done' ? 'done' : t.delivered ? 'delivered' : 'queued', t.text]);
  const head = ['ID', 'SESSION', 'TYPE', 'ENV', 'STATE', 'TEXT'];
  const widths = head.map((h, i) => widthOf([h, ...rows.map((r) => r[i]!)]));
  const line = (r: readonly string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  return [c.bold(line(head)), ...rows.map((r) => (r[4] === 'done' ? c.dim(line(r)) : line(r)))].join('\n');
}

/** `gaia task add`: where the task went and why. */
export function renderTaskAddedTerminal(v: TaskAdded): string {
  const { task: t, route, delivery } = v.added;
  const rule = route.rule;
  const why = rule
    ? `routing rule ${v.ruleNumber ?? '?'} (${[rule.type ? `type ${rule.type}` : '', rule.env ? 'by environment' : ''].filter(Boolean).join(', ') || 'any task'})`
    : 'routing.default';
  const lines = [`Task #${t.id} → ${t.session} (group ${route.group}, by ${why}; ${route.candidates.filter((c) => c.live).length} live of ${route.candidates.length}).`];
  if (delivery?.ok) lines.push(`Delivered to ${t.session}.`);
  return lines.join('\n');
}
