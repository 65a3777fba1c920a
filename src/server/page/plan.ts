/** The pending plan, from /api/plan (`gaia plan --json`). */
import { onPlace, placeOfChange } from '../../core/place.js';
import type { Plan } from '../../core/plan.js';
import { SYMBOLS } from '../../render/symbols.js';
import { badge, h, muted, plural, show } from './dom.js';

export function renderPlan(p: Plan): void {
  const s = p.summary;
  // A move's old copies last, as apply deletes them.
  const pending = [...p.changes.filter((c) => c.action !== 'noop'), ...(p.moves ?? [])];
  const line = pending.length === 0
    ? h('p', { class: 'nochange' }, 'No changes. The world matches the manifest.')
    : h('p', null, h('b', null, 'Plan: '), `${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy${s.adopt ? `, ${s.adopt} to adopt` : ''}.`);
  show('plan', [
    line,
    pending.length ? h('ul', { class: 'changes' }, pending.map((c) =>
      h('li', { class: `change ${c.action}`, data: { address: c.address, action: c.action } },
        h('code', { class: 'sym' }, SYMBOLS[c.action]), ' ', h('code', null, c.address), onPlace(placeOfChange(c)) ? muted(onPlace(placeOfChange(c))) : null,
        c.stateOnly ? muted(' (already gone; only forgotten)') : null,
        c.reasons.length ? h('span', { class: 'reasons' }, ` \u2014 ${c.reasons.map((r) => r.text).join('; ')}`) : null,
        c.hazards.length ? h('ul', { class: 'hazards' }, c.hazards.map((z) => h('li', null, badge(`\u26a0 ${z.code.split('_').join(' ')}`, 'warn'), ' ', z.text))) : null))) : null,
    p.conflicts.length ? h('div', null, h('h3', null, `${plural(p.conflicts.length, 'conflict')} (left alone)`), h('ul', { class: 'changes' }, p.conflicts.map((c) =>
      h('li', { class: 'change conflict' }, h('code', { class: 'sym' }, '!'), ' ', h('code', null, c.address), ` \u2014 ${c.text}`, c.fix ? muted(` (${c.fix})`) : null)))) : null,
    p.warnings.length ? h('ul', { class: 'warnings' }, p.warnings.map((w) => h('li', null, w.text))) : null,
    h('p', { class: 'muted small' }, `planned ${new Date(p.createdAt).toLocaleTimeString()} \u00b7 apply with `, h('code', null, 'gaia apply'), ` \u00b7 fingerprint ${p.fingerprint.slice(0, 12)}`),
  ]);
}
