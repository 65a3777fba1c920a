/** Health for a terminal: each environment and group with its checks (problems first, the rest
 *  folded into a count), and the verdict. */
import { createColors } from 'picocolors';
import type { Check, HealthReport, Level, Verdict } from '../ops/health.js';
import { plural, type Colors } from './status-parts.js';

const mark = (c: Colors, level: Level): string => {
  switch (level) {
    case 'ok': return c.green('✔');
    case 'info': return c.blue('i');
    case 'warn': return c.yellow('!');
    case 'fail': return c.red('✖');
  }
};

const verdictText = (c: Colors, v: Verdict): string => {
  switch (v) {
    case 'healthy': return c.bold(c.green('HEALTHY'));
    case 'degraded': return c.bold(c.yellow('DEGRADED'));
    case 'failing': return c.bold(c.red('FAILING'));
  }
};

const isIdlePort = (ch: Check): boolean => ch.kind === 'port' && ch.level === 'info' && ch.text.startsWith('nothing listens on port');

export function renderHealthTerminal(report: HealthReport, options: { readonly color: boolean; readonly verbose?: boolean } = { color: false }): string {
  const c = createColors(options.color);
  const out: string[] = [`${c.bold(report.project)} health — ${new Date(report.generatedAt).toLocaleString()}`];
  const section = (title: string, items: readonly { name: string; level: Level; checks: readonly Check[] }[]) => {
    if (!items.length) return;
    out.push('', c.bold(title));
    for (const item of items) {
      // Information alone is still healthy: the item gets a tick, its notes an "i".
      out.push(`  ${mark(c, item.level === 'info' ? 'ok' : item.level)} ${c.bold(item.name)}`);
      const shown = options.verbose ? item.checks : item.checks.filter((ch) => ch.level !== 'ok');
      const idle = shown.filter(isIdlePort);
      for (const ch of shown.filter((x) => !isIdlePort(x))) out.push(`      ${mark(c, ch.level)} ${ch.text}`);
      if (idle.length) {
        const ports = idle.map((ch) => /port (\d+)/.exec(ch.text)?.[1]).join(', ');
        out.push(`      ${mark(c, 'info')} nothing listens on port${idle.length === 1 ? '' : 's'} ${ports} ${c.dim('(the manifest does not say anything must)')}`);
      }
      const hidden = item.checks.length - shown.length;
      if (hidden) out.push(c.dim(`      ${plural(hidden, 'check')} ok`));
    }
  };
  if (report.hosts.length) {
    out.push('', c.bold('Hosts'));
    for (const h of report.hosts) out.push(`  ${mark(c, h.level)} ${c.bold(h.subject)}${h.level === 'ok' ? '' : `  ${h.text}`}`);
  }
  section('Environments', report.environments);
  section('Sessions', report.groups);
  const n = report.counts;
  out.push('', `${verdictText(c, report.verdict)}  ${c.dim(`${n.ok} ok, ${n.info} info, ${n.warn} warning${n.warn === 1 ? '' : 's'}, ${n.fail} failure${n.fail === 1 ? '' : 's'}`)}`);
  return `${out.join('\n')}\n`;
}
