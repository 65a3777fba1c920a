/** `gaia send` for a terminal: a line per session as its delivery settles, then (for more than one)
 *  a table of every target's result, exit code and the pane's last line. */
import type { SendResult } from '../agents/send.js';
import { widthOf, type Colors } from './status-parts.js';

export function sendLine(c: Colors, r: SendResult, nameW: number): string {
  const d = r.delivery;
  const secs = `${(d.ms / 1000).toFixed(1)}s`;
  if (d.ok) return `${c.green('✔')} ${c.bold(r.session.padEnd(nameW))}  delivered (${d.confirmed === 'text' ? 'the pane shows it' : 'the pane changed'}, then Enter) ${c.dim(secs)}`;
  return `${c.red('✖')} ${c.bold(r.session.padEnd(nameW))}  ${c.red(`not delivered (${d.stage})`)}: ${d.error} ${c.dim(secs)}`;
}

export function sendTable(c: Colors, results: readonly SendResult[], columns = process.stdout.columns || 120): string {
  const rows = results.map((r) => [r.session, r.group, r.delivery.ok ? 'delivered' : `failed: ${r.delivery.stage}`, String(r.exit), r.tail.at(-1) ?? '']);
  const head = ['TARGET', 'GROUP', 'RESULT', 'EXIT', 'OUTPUT (last line)'];
  const widths = [0, 1, 2, 3].map((i) => widthOf([head[i]!, ...rows.map((r) => r[i]!)]));
  const used = widths.reduce((a, b) => a + b + 2, 0);
  const max = Math.max(20, columns - used);
  const line = (r: readonly string[]) => [...r.slice(0, 4).map((v, i) => v.padEnd(widths[i]!)), r[4]!.length > max ? `${r[4]!.slice(0, max - 1)}…` : r[4]!].join('  ');
  const failed = results.filter((r) => r.exit !== 0).length;
  const summary = failed ? c.red(`${failed} of ${results.length} deliveries failed.`) : c.green(`${results.length} deliveries confirmed.`);
  return ['', c.bold(line(head)), ...rows.map(line), '', summary].join('\n');
}
