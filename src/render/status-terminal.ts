/** Status for a terminal: environments (branch, ahead/behind, dirty files, stages with database
 *  and port), session groups (up/down against the manifest, provider, uptime, command) and the
 *  sessions gaia does not manage. */
import { createColors } from 'picocolors';
import { formatAge } from '../agents/duration.js';
import type { AgentReading } from '../agents/state.js';
import type { EnvironmentStatus, GroupStatus, SessionState, StageStatus, StatusReport, UnmanagedSession } from '../ops/status-model.js';
import { cell, formatUptime, plural, providerIndicator, widthOf, type Colors } from './status-parts.js';

export function renderStatusTerminal(report: StatusReport, options: { readonly color: boolean } = { color: false }): string {
  const c = createColors(options.color);
  const out: string[] = [];
  const t = report.totals.sessions;
  const sessions = [`${t.up} up`, ...(t.dead ? [c.red(`${t.dead} dead`)] : []), ...(t.down ? [c.red(`${t.down} down`)] : [])].join(', ');
  const parts = [
    ...(report.environments.length ? [plural(report.totals.environments, 'environment')] : []),
    ...(report.groups.length ? [`${plural(t.expected, 'session')} (${sessions})`] : []),
    ...(report.totals.openTasks ? [plural(report.totals.openTasks, 'open task')] : []),
  ];
  out.push(`${c.bold(report.project)} — ${parts.join(', ') || 'nothing to show'}`);
  for (const w of report.warnings) out.push(c.yellow(`Warning: ${w}`));

  if (report.environments.length) {
    out.push('', c.bold('Environments'));
    const nameW = widthOf(report.environments.map((e) => e.name));
    for (const e of report.environments) out.push(...environmentLines(c, e, nameW));
  }
  if (report.groups.length) {
    out.push('', c.bold('Groups'));
    const nameW = widthOf(report.groups.flatMap((g) => g.sessions.map((s) => s.name)));
    for (const g of report.groups) out.push(...groupLines(c, g, nameW));
  }
  if (report.unmanaged.length) out.push('', ...unmanagedLines(c, report.unmanaged));
  return `${out.join('\n')}\n`;
}

function environmentLines(c: Colors, e: EnvironmentStatus, nameW: number): string[] {
  const name = cell(e.name, nameW, c.bold);
  // On another host, its folder is named as scp does: host:path.
  const where = e.host === undefined ? e.path : `${e.host}:${e.path}`;
  if (e.unknown) return [`  ${c.yellow('?')} ${name}  ${where}  ${c.yellow(`unknown: ${e.unknown}`)}`];
  if (!e.directory) return [`  ${c.red('✖')} ${name}  ${where}  ${c.red('directory missing')} ${c.dim('(gaia apply creates it)')}`];
  if (!e.gitWorktree) return [`  ${c.red('✖')} ${name}  ${where}  ${c.red('not a git worktree')} ${c.dim('(something else is in the way)')}`];
  const branch = e.head === null ? c.red(`detached (expected ${e.branch})`)
    : e.onBranch ? c.cyan(e.head)
    : e.intent === 'feature' ? `${c.cyan(e.head)} ${c.dim(`(feature of ${e.branch})`)}`
    : c.yellow(`${e.head} (expected ${e.branch})`);
  const track = e.ahead === null || e.behind === null ? c.dim(`? vs ${e.base}`)
    : e.ahead === 0 && e.behind === 0 ? c.dim(`= ${e.base}`)
    : `${e.ahead ? c.green(`↑${e.ahead}`) : c.dim('↑0')} ${e.behind ? c.yellow(`↓${e.behind}`) : c.dim('↓0')} ${c.dim(`vs ${e.base}`)}`;
  const dirty = e.dirty === null ? c.dim('dirty ?') : e.dirty ? c.yellow(`${plural(e.dirty, 'dirty file')}`) : c.dim('clean');
  const conflicts = e.conflicted.length ? `  ${c.red(`conflicts: ${e.conflicted.join(', ')}`)}` : '';
  const lines = [`  ${c.green('●')} ${name}  ${where}  ${branch}  ${track}  ${dirty}${conflicts}`];
  if (e.error) lines.push(`      ${c.yellow(e.error)}`);
  const stageW = widthOf(e.stages.map((s) => s.name));
  for (const s of e.stages) lines.push(`      ${cell(s.name, stageW)}  ${stageText(c, s)}`);
  return lines;
}

function stageText(c: Colors, s: StageStatus): string {
  const parts: string[] = [];
  if (s.database) {
    const d = s.database;
    if (!d.exists) parts.push(`${d.path} ${c.red('missing')}`);
    else if (d.error) parts.push(`${d.path} ${c.red(`unreadable: ${d.error}`)}`);
    else {
      const m = d.migrations;
      const mig = m.wanted === 0 ? '' : m.applied >= m.wanted ? c.dim(` ${m.applied}/${m.wanted} migrations`) : c.yellow(` ${m.applied}/${m.wanted} migrations`);
      parts.push(`${d.path} ${c.dim(`${plural(d.tables ?? 0, 'table')}, ${plural(d.rows ?? 0, 'row')}`)}${mig}`);
    }
  }
  if (s.port) {
    const p = s.port;
    parts.push(p.listening === null ? c.dim(`:${p.port} not reserved`)
      : p.listening ? c.green(`:${p.port} listening${p.holder ? ` (${p.holder.command} ${p.holder.pid})` : ''}`)
      : c.dim(`:${p.port} idle`));
  }
  return parts.join('   ');
}

const stateMark = (c: Colors, state: SessionState | 'up' | 'dead'): string => (state === 'up' ? c.green('●') : state === 'dead' ? c.red('✖') : c.red('○'));

function groupLines(c: Colors, g: GroupStatus, nameW: number): string[] {
  const count = g.up === g.expected ? c.green(`${g.up}/${g.expected} up`) : c.yellow(`${g.up}/${g.expected} up`);
  const extra = [g.dead ? c.red(`${g.dead} dead`) : '', g.down ? c.red(`${g.down} down`) : ''].filter(Boolean).join(', ');
  const providers = g.providers.length ? g.providers.map((p) => `${providerIndicator(c, p)} ${p}`).join(' ') : c.dim('no provider');
  const lines = [`  ${c.bold(g.name)}  ${count}${extra ? ` (${extra})` : ''}  ${providers}${g.description ? c.dim(`  — ${g.description}`) : ''}`];
  for (const s of g.sessions) {
    const state = s.state === 'up' ? c.green('up  ') : s.state === 'dead' ? c.red('dead') : c.red('down');
    const detail = s.state === 'up' ? `${formatUptime(s.uptimeSeconds).padStart(6)}  ${s.agent ? `${agentLabel(c, s.agent)}  ` : ''}${s.currentCommand ?? ''}`
      : s.state === 'dead' ? `${''.padStart(6)}  ${c.red(s.exitSignal !== null ? `killed by signal ${s.exitSignal}` : `exited${s.exitStatus === null ? '' : ` ${s.exitStatus}`}`)}`
      : '';
    const tasks = s.openTasks ? c.cyan(`  ${plural(s.openTasks, 'task')}`) : '';
    const notOwned = s.state !== 'down' && !s.owned ? c.yellow('  not made by gaia') : '';
    const host = s.host === undefined ? '' : s.unknown ? c.yellow(` (unknown: ${s.unknown})`) : c.dim(` (on ${s.host})`);
    lines.push(`    ${stateMark(c, s.state)} ${cell(s.name, nameW)} ${providerIndicator(c, s.provider)} ${state} ${detail}${tasks}${notOwned}${host}`.trimEnd());
  }
  return lines;
}

function unmanagedLines(c: Colors, list: readonly UnmanagedSession[]): string[] {
  const recognised = list.filter((u) => u.looksLike !== null || u.owned);
  const others = list.filter((u) => u.looksLike === null && !u.owned);
  const lines = [c.bold('Unmanaged sessions') + c.dim(' (not in the manifest; gaia leaves them alone)')];
  const nameW = widthOf(recognised.map((u) => u.name));
  for (const u of recognised) {
    const why = u.owned ? c.yellow('made by gaia, no longer in the manifest (the next apply removes it)')
      : `looks like ${c.bold(u.looksLike!.group)} ${c.dim(`(${u.looksLike!.source} pattern ${u.looksLike!.pattern})`)}`;
    lines.push(`    ${stateMark(c, u.state)} ${cell(u.name, nameW)}  ${formatUptime(u.uptimeSeconds).padStart(6)}  ${u.currentCommand ?? ''}  ${why}`);
  }
  if (others.length) lines.push(`    ${c.dim(`${plural(others.length, 'other session')}: ${others.map((u) => u.name).join(', ')}`)}`);
  return lines;
}

/** `waiting 12m` (yellow; red past the provider's waitingAlert), `working 3m`, `idle 1h`, `crashed`. */
function agentLabel(c: Colors, a: AgentReading): string {
  const text = `${a.state} ${formatAge(a.ageSeconds)}`.padEnd(11);
  switch (a.state) {
    case 'waiting':
      return a.alert ? c.red(c.bold(text)) : c.yellow(text);
    case 'working':
      return c.green(text);
    case 'idle':
      return c.dim(text);
    case 'exited':
    case 'crashed':
      return c.red(text);
  }
}
