/** Task routing: the manifest's rules pick a group, the least-loaded live session of it takes
 *  the task. Pure: liveness and load come in as arguments.
 *
 *  Rules are tried in order. A rule matches when its `type` (if any) equals the task's type and,
 *  for an `env: true` rule, the task names an environment; such a rule then narrows the group to
 *  that environment's session. No rule → `routing.default`. */
import type { Model, SessionInfo } from '../manifest/model.js';
import type { RoutingRule } from '../manifest/types.js';

export interface RouteRequest {
  readonly type?: string;
  readonly env?: string;
}

export interface Candidate {
  readonly name: string;
  readonly env?: string;
  readonly live: boolean;
  readonly openTasks: number;
}

export type RouteResult =
  | {
      readonly ok: true;
      readonly group: string;
      /** The rule that chose the group; undefined when `routing.default` did. */
      readonly rule?: RoutingRule;
      readonly session: string;
      readonly candidates: readonly Candidate[];
    }
  | { readonly ok: false; readonly error: string; readonly hint?: string };

export function matchRule(rules: readonly RoutingRule[], request: RouteRequest): RoutingRule | undefined {
  return rules.find((r) => (r.type === undefined || r.type === request.type) && (r.env !== true || request.env !== undefined));
}

export function route(
  model: Pick<Model, 'routing' | 'groups' | 'environments'>,
  request: RouteRequest,
  live: ReadonlySet<string>,
  openTasks: ReadonlyMap<string, number>,
): RouteResult {
  const envNames = model.environments.map((e) => e.name);
  if (request.env !== undefined && !envNames.includes(request.env)) {
    return { ok: false, error: `unknown environment "${request.env}"`, hint: `environments: ${envNames.join(', ') || 'none defined'}` };
  }
  const rule = matchRule(model.routing.rules, request);
  const groupName = rule?.group ?? model.routing.default;
  const what = [request.type ? `type "${request.type}"` : undefined, request.env ? `environment ${request.env}` : undefined].filter(Boolean).join(' and ') || 'a task without a type';
  if (groupName === undefined) {
    const types = [...new Set(model.routing.rules.map((r) => r.type).filter((t): t is string => t !== undefined))];
    return { ok: false, error: `no routing rule matches ${what}, and routing.default is not set`, hint: types.length ? `types with a rule: ${types.join(', ')}` : 'add routing.rules to the manifest' };
  }
  const group = model.groups.find((g) => g.name === groupName);
  if (!group) return { ok: false, error: `routing names group "${groupName}", which the manifest does not define` };

  const byEnv = request.env !== undefined && (rule?.env === true || group.perEnvironment);
  const members: readonly SessionInfo[] = byEnv ? group.sessions.filter((s) => s.env === request.env) : group.sessions;
  if (members.length === 0) {
    return { ok: false, error: `group ${group.name} has no session${byEnv ? ` for environment ${request.env}` : ''}` };
  }
  const candidates = members.map((s): Candidate => ({
    name: s.name,
    ...(s.env ? { env: s.env } : {}),
    live: live.has(s.name),
    openTasks: openTasks.get(s.name) ?? 0,
  }));
  // Least open tasks first; the manifest's order breaks ties (stable sort).
  const pick = candidates.filter((c) => c.live).sort((a, b) => a.openTasks - b.openTasks)[0];
  if (!pick) {
    return {
      ok: false,
      error: `no live session in group ${group.name}${byEnv ? ` for environment ${request.env}` : ''} (${candidates.map((c) => c.name).join(', ')} ${candidates.length === 1 ? 'is' : 'are'} down or dead)`,
      hint: 'start them with `gaia apply`, then add the task again',
    };
  }
  return { ok: true, group: group.name, ...(rule ? { rule } : {}), session: pick.name, candidates };
}
