/** `buildStatus(project)`: one bulk observation (every provider at once, unmanaged things
 *  included), the batched git facts and the open tasks, side by side; then the pure assembly.
 *  What `gaia status` prints and the dashboard serves. */
import path from 'node:path';
import type { Observed, Recorded } from '../core/resource.js';
import { agentStateDisabled, readAgentStates } from '../agents/observe.js';
import { observeEverywhere } from '../engine/hosts.js';
import { LOCAL, placeOf } from '../core/place.js';
import type { Project } from '../engine/project.js';
import { readGitFacts, type EnvGitFacts } from './git-facts.js';
import { groupBy } from '../core/collections.js';
import { remoteSideOf, unreachableText } from '../engine/hosts.js';
import { unlessHostGone } from '../host/ssh/worker-client.js';
import { assembleStatus, type StatusReport } from './status-model.js';
import { tmuxServer } from '../providers/tmux/settings.js';

export interface StatusOptions {
  readonly now?: () => Date;
  /** Skip reading agent states (one tmux capture of every agent pane); default: GAIA_NO_AGENT_STATE. */
  readonly agentStates?: boolean;
}

/** The raw material, for operations that need more than the report (health, routing). */
export interface StatusSnapshot {
  readonly report: StatusReport;
  readonly observed: readonly Observed[];
  readonly recorded: readonly Recorded[];
}

export async function buildStatus(project: Project, options: StatusOptions = {}): Promise<StatusReport> {
  return (await statusSnapshot(project, options)).report;
}

/** Git facts of every environment, each read where it is; a host that cannot be reached gives none. */
async function gitFactsEverywhere(project: Project): Promise<ReadonlyMap<string, EnvGitFacts>> {
  const { model, ctx } = project;
  const byPlace = groupBy(model.environments, (e) => e.host ?? LOCAL);
  const parts = await Promise.all([...byPlace].map(async ([place, envs]) => {
    const resources = model.resources.filter((r) => placeOf(r.attributes) === place);
    if (place === LOCAL) return readGitFacts(envs, resources, ctx);
    const side = remoteSideOf(project.sides, place);
    if (!side) return new Map<string, EnvGitFacts>();
    return (await unlessHostGone(side.gitFacts(envs, resources))) ?? new Map<string, EnvGitFacts>();
  }));
  return new Map(parts.flatMap((m) => [...m]));
}

export async function statusSnapshot(project: Project, options: StatusOptions = {}): Promise<StatusSnapshot> {
  const { model, store, ctx } = project;
  const recorded = await store.recorded();
  const now = options.now?.() ?? new Date();
  const observing = observeEverywhere(project, model.resources, recorded, { includeUnmanaged: true });
  // An environment on another host is told by its observed worktree; its git facts come from its host.
  const here = model.environments.filter((e) => e.host === undefined);
  // Agent panes are captured as soon as the observation says which sessions exist (one tmux
  // invocation for all), while the slower git facts are still being read.
  const capturing = (options.agentStates ?? !agentStateDisabled())
    ? observing.then((o) => readAgentStates({
      model, observed: new Map(o.observed.filter((x) => x.kind === 'tmux_session').map((x) => [x.address, x])), store, ctx: tmuxServer(ctx), now,
      elsewhere: async (host, live, reporting) => {
        const side = remoteSideOf(project.sides, host);
        return side ? unlessHostGone(side.agentFacts(live, reporting)) : undefined;
      },
    }))
    : Promise.resolve(undefined);
  const [observation, git, tasks, agents] = await Promise.all([
    observing,
    gitFactsEverywhere(project),
    store.listTasks({ status: 'open' }),
    capturing,
  ]);
  const desired = new Set(model.resources.map((r) => r.address));
  const openTasks = new Map<string, number>();
  for (const t of tasks) if (t.session) openTasks.set(t.session, (openTasks.get(t.session) ?? 0) + 1);
  const exists = (rel: string, ...rest: string[]) => ctx.host.files.exists(path.resolve(model.root, rel, ...rest));
  const seenThere = new Set(observation.observed.filter((o) => o.kind === 'git_worktree').map((o) => o.address));
  const remote = model.environments.filter((e) => e.host !== undefined && seenThere.has(`git_worktree.${e.name}`)).map((e) => e.name);
  const directories = new Set([...here.filter((e) => exists(e.path)).map((e) => e.name), ...remote]);
  const gitWorktrees = new Set([...here.filter((e) => exists(e.path, '.git')).map((e) => e.name), ...remote]);
  const report = assembleStatus({
    model,
    observed: observation.observed,
    unmanaged: observation.unmanaged,
    owned: new Set(recorded.map((r) => r.address)),
    orphans: new Set(recorded.filter((r) => r.kind === 'tmux_session' && !desired.has(r.address)).map((r) => r.address)),
    git,
    openTasks,
    directories,
    gitWorktrees,
    warnings: [
      ...observation.unreachable.map(unreachableText),
      ...observation.warnings.map((w) => (w.address ? `${w.text} (${w.address})` : w.text)),
    ],
    hosts: model.hosts.map((h) => {
      const down = observation.unreachable.find((u) => u.host === h.name);
      return { name: h.name, reach: project.sides.get(h.name)?.reach ?? h.name, ...(down ? { unreachable: down.reason } : {}) };
    }),
    now,
    ...(agents ? { agents } : {}),
  });
  return { report, observed: observation.observed, recorded };
}
