/** The verdict and the checks that did not pass, from /api/multi-env/health (`gaia health --json`). */
import type { Check, HealthReport, Level, Verdict } from '../../ops/health.js';
import { $, badge, h, show, type BadgeKind } from './dom.js';

const LEVEL_RANK: Readonly<Record<Level, number>> = { fail: 0, warn: 1, info: 2, ok: 3 };
const VERDICT_KIND: Readonly<Record<Verdict, BadgeKind>> = { healthy: 'ok', degraded: 'warn', failing: 'fail' };

export function renderHealth(r: HealthReport): void {
  const kind = VERDICT_KIND[r.verdict];
  const verdict = $('verdict');
  verdict.textContent = r.verdict;
  verdict.className = `badge verdict ${kind}`;
  const checks: Check[] = [...r.environments, ...r.groups].flatMap((x) => x.checks.filter((c) => c.level !== 'ok'));
  checks.sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level]);
  const c = r.counts;
  show('health', [
    h('p', null, badge(r.verdict, kind), ' ', `${c.ok} ok \u00b7 ${c.info} info \u00b7 ${c.warn} warn \u00b7 ${c.fail} fail`),
    checks.length ? h('ul', { class: 'checks' }, checks.map((x) =>
      h('li', { data: { level: x.level } }, badge(x.level, x.level), ' ', h('b', null, x.subject), ' ', x.text))) : h('p', { class: 'muted' }, 'Every check passes.'),
  ]);
}
