/** The JSON format: for machines (CI scripts, the dashboard). Never holds a secret. */
import { renderDiffJson } from './diff-json.js';
import { renderDriftJson } from './drift-json.js';
import { renderPlanJson } from './plan-json.js';
import { reconcileRoundJson } from './reconcile-json.js';
import type { Format, RenderOptions } from './reports.js';
import { validateJson } from './validate-json.js';

/** Pretty with a final newline; or one line, for a stream of documents. */
const json = (value: unknown, o: RenderOptions): string => (o.oneLine ? JSON.stringify(value) : `${JSON.stringify(value, null, 2)}\n`);

export const jsonFormat: Format = {
  describe: (noun) => `print ${noun} as JSON`,
  reports: {
    validate: (v, o) => json(validateJson(v), o),
    stateList: (v, o) => json(v.recorded, o),
    stateResource: json,
    stateHistory: (v, o) => json(v.applies, o),
    reconcileRound: (o, opts) => json(reconcileRoundJson(o), opts),
    plan: (plan) => renderPlanJson(plan),
    diff: (report) => renderDiffJson(report),
    drift: (v) => renderDriftJson(v.report, v.warnings, { now: v.now }),
    health: json,
    status: (v, o) => json({ ...v.report, sync: v.sync, health: v.health }, o),
    cost: json,
    tasks: (v, o) => json(v.tasks, o),
    tables: json,
    send: (v, o) => json(v.results.map((r) => ({ session: r.session, group: r.group, exit: r.exit, delivery: { ...r.delivery, screen: undefined }, tail: r.tail })), o),
    taskAdded: ({ added: { task, route, delivery } }, o) => json({ task, group: route.group, rule: route.rule ?? null, candidates: route.candidates, delivery: delivery ?? null }, o),
    table: (v, o) => json({ project: v.project, generatedAt: v.generatedAt, [v.name]: v.rows }, o),
  },
};
