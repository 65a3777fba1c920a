/** `gaia task add`: which sessions are live (one tmux list), how loaded each is (the state
 *  store's open tasks), the pure routing decision, the record, and delivery when asked. */
import { delivererFor, observeEverywhere } from '../engine/hosts.js';
import { deliverHere } from '../agents/send.js';
import { tmuxServer } from '../providers/tmux/settings.js';
import type { Project } from '../engine/project.js';
import { providerFor } from '../providers/registry.js';
import type { TaskRecord } from '../state/store.js';
import { deliveryProblem, readyFor } from './deliver.js';
import { route, type RouteRequest, type RouteResult } from './routing.js';

export interface AddTaskInput extends RouteRequest {
  readonly text: string;
  readonly deliver: boolean;
}

export type AddTaskResult =
  | { readonly kind: 'refused'; readonly error: string; readonly hint?: string }
  | {
      readonly kind: 'added';
      readonly task: TaskRecord;
      readonly route: Extract<RouteResult, { ok: true }>;
      /** Undefined when delivery was not asked for. */
      readonly delivery?: { readonly ok: true } | { readonly ok: false; readonly error: string };
    };

/** Sessions that exist and are not sitting in a dead pane, by name. */
export async function liveSessions(project: Project): Promise<ReadonlySet<string>> {
  // Every host's sessions; a host that cannot be reached has none live (its resources are unknown).
  const sessions = project.model.resources.filter((r) => r.kind === 'tmux_session');
  const observation = await observeEverywhere(project, sessions, [], { providers: [providerFor('tmux_session')] });
  return new Set(observation.observed
    .filter((o) => o.kind === 'tmux_session' && o.attributes.paneDead !== true)
    .map((o) => (typeof o.attributes.name === 'string' ? o.attributes.name : o.address.slice('tmux_session.'.length))));
}

export async function openTaskCounts(project: Project): Promise<ReadonlyMap<string, number>> {
  const counts = new Map<string, number>();
  for (const t of await project.store.listTasks({ status: 'open' })) if (t.session) counts.set(t.session, (counts.get(t.session) ?? 0) + 1);
  return counts;
}

export async function addTask(project: Project, input: AddTaskInput): Promise<AddTaskResult> {
  if (input.deliver) {
    const problem = deliveryProblem(input.text);
    if (problem) return { kind: 'refused', error: problem };
  }
  const [live, load] = await Promise.all([liveSessions(project), openTaskCounts(project)]);
  const routed = route(project.model, input, live, load);
  if (!routed.ok) return { kind: 'refused', error: routed.error, ...(routed.hint ? { hint: routed.hint } : {}) };
  const task = await project.store.addTask({
    text: input.text,
    ...(input.type ? { type: input.type } : {}),
    ...(input.env ? { env: input.env } : {}),
    session: routed.session,
  });
  if (!input.deliver) return { kind: 'added', task, route: routed };
  const ready = readyFor(project.model, routed.session);
  const host = project.model.groups.flatMap((g) => g.sessions).find((s) => s.name === routed.session)?.host;
  const deliverTo = delivererFor(project.sides, deliverHere(tmuxServer(project.ctx)));
  const delivered = await deliverTo({ session: routed.session, group: routed.group, ...(host !== undefined ? { host } : {}) }, input.text, ready ? { ready } : {});
  const delivery = delivered.ok ? { ok: true as const } : { ok: false as const, error: delivered.error };
  if (delivery.ok) await project.store.markTaskDelivered(task.id);
  return { kind: 'added', task: delivery.ok ? { ...task, delivered: true } : task, route: routed, delivery };
}
