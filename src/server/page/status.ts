/** Environments and sessions, from /api/multi-env/status (`gaia status --json`). */
import type { AgentReading, AgentState } from '../../agents/state.js';
import type { SyncStatus } from '../../ops/reconcile.js';
import type { DatabaseStatus, EnvironmentStatus, GroupStatus, PortStatus, SessionState, SessionStatus, StatusReport, UnmanagedSession } from '../../ops/status-model.js';
import { $, badge, duration, h, muted, plural, show, table, type BadgeKind, type Child } from './dom.js';

/** What the status route answers. */
export type StatusJson = StatusReport & { readonly sync?: SyncStatus };

const STATE_KIND: Readonly<Record<SessionState, BadgeKind>> = { up: 'ok', dead: 'warn', down: 'fail' };
const AGENT_KIND: Readonly<Record<AgentState, BadgeKind>> = { working: 'ok', idle: 'quiet', waiting: 'warn', exited: 'fail', crashed: 'fail' };
const AGENT_STATES: readonly AgentState[] = ['working', 'idle', 'waiting', 'exited', 'crashed'];

/** What an agent is doing, for how long, and why gaia thinks so: its reason, then the evidence behind
 *  it (the pattern and the line it matched, when the screen last changed, the pane's facts). */
function agentCell(session: string, a: AgentReading | undefined): HTMLTableCellElement {
  if (!a) return h('td', null, muted('\u2014'));
  const kind = a.state === 'waiting' && a.alert ? 'fail' : AGENT_KIND[a.state];
  return h('td', { class: 'agent' },
    badge(`${a.state} ${duration(a.ageSeconds)}`, kind, a.alert ? `${a.reason} (waiting longer than its alert)` : a.reason),
    h('details', { class: 'evidence', data: { keep: `evidence:${session}` } }, h('summary', { title: a.reason }, a.reason), h('ul', null, evidenceItems(a))));
}

function evidenceItems(a: AgentReading): Child[] {
  const e = a.evidence;
  const item = (label: string, ...value: Child[]) => h('li', null, muted(`${label} `), value);
  return [
    item('since', new Date(a.since).toLocaleString()),
    a.waitingFor ? item('waiting for', a.waitingFor) : null,
    e.matched ? item(`matched its ${e.matched.pattern} pattern`, h('code', null, `/${e.matched.regex}/`), e.matched.line ? [' on ', h('code', null, e.matched.line)] : null) : item('matched', 'no pattern'),
    item('screen changed', e.changedSecondsAgo === null ? 'not known' : `${duration(e.changedSecondsAgo)} ago`, muted(` (active within ${duration(e.activeWindowSeconds)}${e.firstLook ? '; first look: from tmux\'s last output time' : ''})`)),
    e.paneDead ? item('pane', 'dead', e.exitSignal !== null ? `, signal ${e.exitSignal}` : e.exitStatus !== null ? `, exit ${e.exitStatus}` : '') : null,
    e.currentCommand ? item('running', h('code', null, e.currentCommand)) : null,
    item('profile', a.preset),
  ];
}

function branchLine(e: EnvironmentStatus): HTMLParagraphElement {
  const parts: Child[] = [h('code', null, e.branch)];
  if (!e.directory) parts.push(' ', badge('directory missing', 'fail'));
  else if (e.head === null) parts.push(' ', badge('detached', 'warn'));
  else if (e.intent === 'feature') parts.push(' ', badge(`on ${e.head}`, 'info', `a feature branch of ${e.branch}: the environment's current work`));
  else if (!e.onBranch) parts.push(' ', badge(`on ${e.head}`, 'warn'));
  if (e.ahead !== null) parts.push(muted(` \u2191${e.ahead} \u2193${e.behind} vs ${e.base}`));
  if (e.dirty) parts.push(' ', badge(plural(e.dirty, 'changed file'), 'info'));
  else if (e.dirty === 0) parts.push(muted(' \u00b7 clean'));
  if (e.conflicted.length) parts.push(' ', badge(plural(e.conflicted.length, 'conflict'), 'fail', e.conflicted.join(', ')));
  if (e.error) parts.push(' ', badge('git error', 'warn', e.error));
  return h('p', { class: 'branch' }, parts);
}

function databaseCells(db: DatabaseStatus | undefined): Child[] {
  if (!db) return [h('td', null, muted('\u2014')), h('td'), h('td')];
  const state = db.error ? badge('unreadable', 'fail', db.error) : db.exists ? null : badge('missing', 'fail');
  const readable = db.exists && !db.error;
  return [
    h('td', { title: db.path }, h('code', null, db.path.split('/').pop()), state ? ' ' : null, state),
    h('td', { class: 'num' }, readable && db.rows !== null ? String(db.rows) : ''),
    h('td', { class: 'num' }, readable ? badge(`${db.migrations.applied}/${db.migrations.wanted}`, db.migrations.applied < db.migrations.wanted ? 'warn' : 'quiet') : ''),
  ];
}

function portCell(p: PortStatus | undefined): HTMLTableCellElement {
  if (!p) return h('td', null, muted('\u2014'));
  const state = p.listening === null ? muted(' not reserved') : p.listening
    ? badge('listening', 'ok', p.holder ? `${p.holder.command} (pid ${p.holder.pid})` : undefined)
    : muted(' idle');
  return h('td', null, h('code', null, String(p.port)), ' ', state);
}

function environmentCard(e: EnvironmentStatus): HTMLElement {
  const heading = h('h3', null, e.name, ' ', muted(e.host ? `${e.host}:${e.path}` : e.path));
  // Its host did not answer: nothing below would be a reading.
  if (e.unknown) return h('article', { class: 'card', data: { env: e.name, unknown: '' } }, heading, h('p', null, badge('unknown', 'warn', e.unknown)));
  return h('article', { class: 'card', data: { env: e.name } },
    heading,
    branchLine(e),
    e.stages.length ? table(['Stage', 'Database', { num: 'Rows' }, { num: 'Migrations' }, 'Port'], e.stages.map((s) =>
      h('tr', { data: { stage: `${e.name}.${s.name}` } }, h('th', { scope: 'row' }, s.name), databaseCells(s.database), portCell(s.port)))) : muted('no stages'));
}

function sessionRow(s: SessionStatus): HTMLTableRowElement {
  const how = s.exitSignal != null ? ` (signal ${s.exitSignal})` : s.exitStatus === null ? '' : ` (exit ${s.exitStatus})`;
  const state = s.state === 'dead' ? `dead${how}` : s.state;
  // Unknown (its host did not answer) is not down: said as such, with what ssh said.
  const stateBadge = s.unknown ? badge('unknown', 'warn', s.unknown) : badge(state, STATE_KIND[s.state]);
  return h('tr', { data: { session: s.name, state: s.unknown ? 'unknown' : s.state, ...(s.agent ? { agentState: s.agent.state } : {}) } },
    h('th', { scope: 'row' }, h('code', null, s.name), s.host ? muted(` on ${s.host}`) : null),
    h('td', null, stateBadge, s.owned ? null : muted(' not owned')),
    agentCell(s.name, s.agent),
    h('td', null, s.provider || muted('\u2014')),
    h('td', null, s.env || muted('\u2014')),
    h('td', null, duration(s.uptimeSeconds)),
    h('td', null, s.currentCommand ? h('code', null, s.currentCommand) : null),
    h('td', { class: 'num' }, s.openTasks || ''));
}

function groupBlock(g: GroupStatus): HTMLDivElement {
  const count = badge(`${g.up}/${g.expected} up`, g.up === g.expected ? 'ok' : g.up === 0 ? 'fail' : 'warn');
  return h('div', { class: 'group', data: { group: g.name } },
    h('h3', null, g.name, ' ', count, g.description ? muted(` ${g.description}`) : null),
    table(['Session', 'State', 'Agent', 'Provider', 'Env', 'Uptime', 'Command', { num: 'Open tasks' }], g.sessions.map(sessionRow)));
}

function unmanagedBlock(list: readonly UnmanagedSession[]): HTMLDetailsElement | null {
  if (!list.length) return null;
  return h('details', { class: 'unmanaged', data: { keep: 'unmanaged' } },
    h('summary', null, `${plural(list.length, 'session')} gaia does not manage`),
    h('ul', null, list.map((u) => h('li', null, h('code', null, u.name), ' ', badge(u.state, STATE_KIND[u.state]),
      u.owned ? muted(' made by gaia, no longer in the manifest (the next apply removes it)') : null,
      u.looksLike ? muted(` looks like group ${u.looksLike.group}`) : null))));
}

function syncBadge(s: SyncStatus | undefined): HTMLSpanElement | null {
  if (!s || s.sync === 'Unknown') return null;
  let text = `sync: ${s.sync}${s.revision ? ` @ ${s.revision.slice(0, 8)}` : ''}`;
  if (s.lastRound) text += ` \u00b7 last round ${s.lastRound.result}`;
  return badge(text, s.sync === 'Synced' ? 'ok' : 'warn', s.crashLooping.length ? `crash looping: ${s.crashLooping.map((c) => c.address).join(', ')}` : undefined);
}

/** ` · agents: 2 working 1 waiting`: the states some agent is in. */
function agentTotals(counts: StatusReport['totals']['agents']): Child {
  if (!counts) return null;
  const present = AGENT_STATES.filter((s) => counts[s] > 0);
  return h('span', { class: 'agents' }, ' \u00b7 agents: ', present.flatMap((s, i) => [i ? ' ' : '', badge(`${counts[s]} ${s}`, AGENT_KIND[s])]));
}

/** ` · hosts: gpu1 vm2`: each host of the manifest, failed where it did not answer (what ssh said on hover). */
function hostTotals(hosts: StatusReport['hosts']): Child {
  if (!hosts.length) return null;
  return h('span', { class: 'hosts' }, ' \u00b7 hosts: ', hosts.flatMap((x, i) => [i ? ' ' : '',
    x.unreachable ? badge(`${x.name} unreachable`, 'fail', `${x.reach}: ${x.unreachable}`) : badge(x.name, 'ok', x.reach)]));
}

export function renderStatus(st: StatusJson): void {
  $('project').textContent = st.project;
  document.title = `gaia \u00b7 ${st.project}`;
  const t = st.totals;
  show('totals', [plural(t.environments, 'environment'), ' \u00b7 ', plural(t.sessions.expected, 'session'), ': ',
    badge(`${t.sessions.up} up`, 'ok'), ' ', badge(`${t.sessions.dead} dead`, t.sessions.dead ? 'warn' : 'quiet'), ' ',
    badge(`${t.sessions.down} down`, t.sessions.down ? 'fail' : 'quiet'), ' \u00b7 ', plural(t.openTasks, 'open task'), agentTotals(t.agents), hostTotals(st.hosts ?? [])]);
  show('sync', syncBadge(st.sync));
  show('environments', st.environments.length ? st.environments.map(environmentCard) : muted('No environments in the manifest.'));
  show('groups', [st.groups.length ? st.groups.map(groupBlock) : muted('No session groups in the manifest.'), unmanagedBlock(st.unmanaged)]);
  show('warnings', st.warnings.length ? h('ul', { class: 'warnings' }, st.warnings.map((w) => h('li', null, w))) : null);
}
