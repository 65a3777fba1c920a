/** The page's script, served as /app.js: poll the JSON API every 2 s and redraw. Plain browser
 *  JavaScript in a string (no build step, found inside the bundled CLI). Data is put in the page
 *  with textContent only, never as HTML. Written without template literals so it can live here. */
import { SYMBOLS } from '../render/plan-terminal.js';

export const POLL_MS = 2000;

export const PAGE_JS = `'use strict';
var POLL_MS = ${POLL_MS};
var SYMBOLS = ${JSON.stringify(SYMBOLS)};
${String.raw`
function $(id) { return document.getElementById(id); }

/** h('td', { class: 'x', data: { state: 'up' } }, 'text', node, ...) */
function h(tag, attrs) {
  var el = document.createElement(tag);
  if (attrs) {
    for (var k in attrs) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) continue;
      if (k === 'data') for (var d in v) el.dataset[d] = String(v[d]);
      else if (k === 'class') el.className = v;
      else el.setAttribute(k, String(v));
    }
  }
  for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
  return el;
}
function add(el, child) {
  if (child === undefined || child === null || child === false) return;
  if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
  el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
}
function show(id, content) { var el = $(id); el.replaceChildren(); add(el, content); }
function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
function badge(text, kind, title) { return h('span', { class: 'badge ' + kind, title: title }, text); }
function muted(text) { return h('span', { class: 'muted' }, text); }

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '';
  var m = Math.floor(seconds / 60), hrs = Math.floor(m / 60), d = Math.floor(hrs / 24);
  if (d > 0) return d + 'd ' + (hrs % 24) + 'h';
  if (hrs > 0) return hrs + 'h ' + (m % 60) + 'm';
  if (m > 0) return m + 'm';
  return seconds + 's';
}

/** head: column titles; { num: 'Rows' } right-aligns a numeric column's title. */
function table(head, rows) {
  return h('table', null,
    h('thead', null, h('tr', null, head.map(function (x) { return x.num ? h('th', { class: 'num' }, x.num) : h('th', null, x); }))),
    h('tbody', null, rows));
}

/* ---------- status: environments and sessions ---------- */

function branchLine(e) {
  var parts = [h('code', null, e.branch)];
  if (!e.directory) parts.push(' ', badge('directory missing', 'fail'));
  else if (e.head === null) parts.push(' ', badge('detached', 'warn'));
  else if (!e.onBranch) parts.push(' ', badge('on ' + e.head, 'warn'));
  if (e.ahead !== null) parts.push(muted(' \u2191' + e.ahead + ' \u2193' + e.behind + ' vs ' + e.base));
  if (e.dirty) parts.push(' ', badge(plural(e.dirty, 'changed file'), 'info'));
  else if (e.dirty === 0) parts.push(muted(' \u00b7 clean'));
  if (e.conflicted.length) parts.push(' ', badge(plural(e.conflicted.length, 'conflict'), 'fail', e.conflicted.join(', ')));
  if (e.error) parts.push(' ', badge('git error', 'warn', e.error));
  return h('p', { class: 'branch' }, parts);
}

function databaseCells(db) {
  if (!db) return [h('td', null, muted('\u2014')), h('td'), h('td')];
  var state = db.error ? badge('unreadable', 'fail', db.error) : db.exists ? null : badge('missing', 'fail');
  var readable = db.exists && !db.error;
  return [
    h('td', { title: db.path }, h('code', null, db.path.split('/').pop()), state ? ' ' : null, state),
    h('td', { class: 'num' }, readable && db.rows !== null ? String(db.rows) : ''),
    h('td', { class: 'num' }, readable ? badge(db.migrations.applied + '/' + db.migrations.wanted, db.migrations.applied < db.migrations.wanted ? 'warn' : 'quiet') : ''),
  ];
}

function portCell(p) {
  if (!p) return h('td', null, muted('\u2014'));
  var state = p.listening === null ? muted(' not reserved') : p.listening
    ? badge('listening', 'ok', p.holder ? p.holder.command + ' (pid ' + p.holder.pid + ')' : undefined)
    : muted(' idle');
  return h('td', null, h('code', null, String(p.port)), ' ', state);
}

function environmentCard(e) {
  return h('article', { class: 'card', data: { env: e.name } },
    h('h3', null, e.name, ' ', muted(e.path)),
    branchLine(e),
    e.stages.length ? table(['Stage', 'Database', { num: 'Rows' }, { num: 'Migrations' }, 'Port'], e.stages.map(function (s) {
      return h('tr', { data: { stage: e.name + '.' + s.name } }, h('th', { scope: 'row' }, s.name), databaseCells(s.database), portCell(s.port));
    })) : muted('no stages'));
}

var STATE_KIND = { up: 'ok', dead: 'warn', down: 'fail' };

function sessionRow(s) {
  var how = s.exitSignal != null ? ' (signal ' + s.exitSignal + ')' : s.exitStatus === null ? '' : ' (exit ' + s.exitStatus + ')';
  var state = s.state === 'dead' ? 'dead' + how : s.state;
  return h('tr', { data: { session: s.name, state: s.state } },
    h('th', { scope: 'row' }, h('code', null, s.name)),
    h('td', null, badge(state, STATE_KIND[s.state]), s.owned ? null : muted(' not owned')),
    h('td', null, s.provider || muted('\u2014')),
    h('td', null, s.env || muted('\u2014')),
    h('td', null, duration(s.uptimeSeconds)),
    h('td', null, s.currentCommand ? h('code', null, s.currentCommand) : null),
    h('td', { class: 'num' }, s.openTasks || ''));
}

function groupBlock(g) {
  var count = badge(g.up + '/' + g.expected + ' up', g.up === g.expected ? 'ok' : g.up === 0 ? 'fail' : 'warn');
  return h('div', { class: 'group', data: { group: g.name } },
    h('h3', null, g.name, ' ', count, g.description ? muted(' ' + g.description) : null),
    table(['Session', 'State', 'Provider', 'Env', 'Uptime', 'Command', { num: 'Open tasks' }], g.sessions.map(sessionRow)));
}

function unmanagedBlock(list) {
  if (!list.length) return null;
  return h('details', { class: 'unmanaged' },
    h('summary', null, plural(list.length, 'session') + ' gaia does not manage'),
    h('ul', null, list.map(function (u) {
      return h('li', null, h('code', null, u.name), ' ', badge(u.state, STATE_KIND[u.state]),
        u.owned ? muted(' made by gaia, no longer in the manifest (the next apply removes it)') : null,
        u.looksLike ? muted(' looks like group ' + u.looksLike.group) : null);
    })));
}

function syncText(s) {
  if (!s || s.sync === 'Unknown') return null;
  var text = 'sync: ' + s.sync + (s.revision ? ' @ ' + s.revision.slice(0, 8) : '');
  if (s.lastRound) text += ' \u00b7 last round ' + s.lastRound.result;
  return badge(text, s.sync === 'Synced' ? 'ok' : 'warn', s.crashLooping.length ? 'crash looping: ' + s.crashLooping.map(function (c) { return c.address; }).join(', ') : undefined);
}

function renderStatus(st) {
  $('project').textContent = st.project;
  document.title = 'gaia \u00b7 ' + st.project;
  var t = st.totals;
  show('totals', [plural(t.environments, 'environment'), ' \u00b7 ', plural(t.sessions.expected, 'session'), ': ',
    badge(t.sessions.up + ' up', 'ok'), ' ', badge(t.sessions.dead + ' dead', t.sessions.dead ? 'warn' : 'quiet'), ' ',
    badge(t.sessions.down + ' down', t.sessions.down ? 'fail' : 'quiet'), ' \u00b7 ', plural(t.openTasks, 'open task')]);
  show('sync', syncText(st.sync));
  show('environments', st.environments.length ? st.environments.map(environmentCard) : muted('No environments in the manifest.'));
  show('groups', [st.groups.length ? st.groups.map(groupBlock) : muted('No session groups in the manifest.'), unmanagedBlock(st.unmanaged)]);
  show('warnings', st.warnings.length ? h('ul', { class: 'warnings' }, st.warnings.map(function (w) { return h('li', null, w); })) : null);
}

/* ---------- health ---------- */

var LEVEL_RANK = { fail: 0, warn: 1, info: 2, ok: 3 };

function renderHealth(r) {
  var kind = { healthy: 'ok', degraded: 'warn', failing: 'fail' }[r.verdict];
  var verdict = $('verdict');
  verdict.textContent = r.verdict;
  verdict.className = 'badge verdict ' + kind;
  var checks = [];
  r.environments.concat(r.groups).forEach(function (x) { x.checks.forEach(function (c) { if (c.level !== 'ok') checks.push(c); }); });
  checks.sort(function (a, b) { return LEVEL_RANK[a.level] - LEVEL_RANK[b.level]; });
  var c = r.counts;
  show('health', [
    h('p', null, badge(r.verdict, kind), ' ', c.ok + ' ok \u00b7 ' + c.info + ' info \u00b7 ' + c.warn + ' warn \u00b7 ' + c.fail + ' fail'),
    checks.length ? h('ul', { class: 'checks' }, checks.map(function (x) {
      return h('li', { data: { level: x.level } }, badge(x.level, x.level), ' ', h('b', null, x.subject), ' ', x.text);
    })) : h('p', { class: 'muted' }, 'Every check passes.'),
  ]);
}

/* ---------- plan ---------- */

function renderPlan(p) {
  var s = p.summary;
  var pending = p.changes.filter(function (c) { return c.action !== 'noop'; });
  var line = pending.length === 0
    ? h('p', { class: 'nochange' }, 'No changes. The world matches the manifest.')
    : h('p', null, h('b', null, 'Plan: '), s.add + ' to add, ' + s.change + ' to change, ' + s.replace + ' to replace, ' + s.destroy + ' to destroy' + (s.adopt ? ', ' + s.adopt + ' to adopt' : '') + '.');
  show('plan', [
    line,
    pending.length ? h('ul', { class: 'changes' }, pending.map(function (c) {
      return h('li', { class: 'change ' + c.action, data: { address: c.address, action: c.action } },
        h('code', { class: 'sym' }, SYMBOLS[c.action]), ' ', h('code', null, c.address),
        c.stateOnly ? muted(' (already gone; only forgotten)') : null,
        c.reasons.length ? h('span', { class: 'reasons' }, ' \u2014 ' + c.reasons.map(function (r) { return r.text; }).join('; ')) : null,
        c.hazards.length ? h('ul', { class: 'hazards' }, c.hazards.map(function (z) { return h('li', null, badge('\u26a0 ' + z.code.split('_').join(' '), 'warn'), ' ', z.text); })) : null);
    })) : null,
    p.conflicts.length ? h('div', null, h('h3', null, plural(p.conflicts.length, 'conflict') + ' (left alone)'), h('ul', { class: 'changes' }, p.conflicts.map(function (c) {
      return h('li', { class: 'change conflict' }, h('code', { class: 'sym' }, '!'), ' ', h('code', null, c.address), ' \u2014 ' + c.text, c.fix ? muted(' (' + c.fix + ')') : null);
    }))) : null,
    p.warnings.length ? h('ul', { class: 'warnings' }, p.warnings.map(function (w) { return h('li', null, w.text); })) : null,
    h('p', { class: 'muted small' }, 'planned ' + new Date(p.createdAt).toLocaleTimeString() + ' \u00b7 apply with ', h('code', null, 'gaia apply'), ' \u00b7 fingerprint ' + p.fingerprint.slice(0, 12)),
  ]);
}

/* ---------- polling ---------- */

var SOURCES = [
  { path: '/api/multi-env/status', render: renderStatus },
  { path: '/api/multi-env/health', render: renderHealth },
  { path: '/api/plan', render: renderPlan },
];

function getJson(path) {
  return fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' }).then(function (res) {
    return res.json().catch(function () { return null; }).then(function (body) {
      if (!res.ok) throw new Error(path + ': ' + ((body && body.error) || res.status + ' ' + res.statusText));
      return body;
    });
  });
}

var timer = null;
var running = false;

function refresh() {
  timer = null;
  if (document.hidden) return; // resumed by visibilitychange
  running = true;
  Promise.all(SOURCES.map(function (s) {
    return getJson(s.path).then(function (body) { s.render(body); return null; }, function (e) { return e.message || String(e); });
  })).then(function (errors) {
    var failed = errors.filter(Boolean);
    var problem = $('problem');
    problem.hidden = failed.length === 0;
    problem.textContent = failed.length ? 'Could not refresh: ' + failed.join(' \u00b7 ') + ' (retrying)' : '';
    document.body.classList.toggle('stale', failed.length === SOURCES.length);
    $('updated').textContent = (failed.length ? 'last try ' : 'live \u00b7 updated ') + new Date().toLocaleTimeString();
    document.body.dataset.refreshed = String(Date.now());
    running = false;
    timer = setTimeout(refresh, POLL_MS);
  });
}

document.addEventListener('visibilitychange', function () {
  if (!document.hidden && timer === null && !running) refresh();
});
refresh();
`}`;
