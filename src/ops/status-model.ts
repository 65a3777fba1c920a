/** The status of a project as data: what `gaia status` prints, `--json` emits and the dashboard
 *  serves. Built by a pure function from the manifest model and one observation. */
import { AGENT_STATES, type AgentReading, type AgentState } from '../agents/state.js';
import { branchIntent, type BranchIntent } from '../core/branch-intent.js';
import type { Attributes, Json, Observed } from '../core/resource.js';
import type { EnvironmentInfo, GroupInfo, Model } from '../manifest/model.js';
import type { EnvGitFacts } from './git-facts.js';
import { recognise, sessionPatterns } from './patterns.js';

export const STATUS_FORMAT_VERSION = 1;

export interface DatabaseStatus {
  readonly path: string;
  readonly exists: boolean;
  /** Set when the file exists but could not be read as a database. */
  readonly error?: string;
  readonly rows: number | null;
  readonly tables: number | null;
  readonly migrations: { readonly applied: number; readonly wanted: number };
}

export interface PortStatus {
  readonly port: number;
  /** Null when gaia has not reserved it yet (no apply), so nothing was looked at. */
  readonly listening: boolean | null;
  readonly holder: { readonly pid: number; readonly command: string } | null;
}

export interface StageStatus {
  readonly name: string;
  readonly database?: DatabaseStatus;
  readonly port?: PortStatus;
}

export interface EnvironmentStatus {
  readonly name: string;
  /** The host it is on (absent: this machine). */
  readonly host?: string;
  /** Why nothing is known of it now (its host cannot be reached); what else it says is not a reading then. */
  readonly unknown?: string;
  readonly path: string;
  readonly branch: string;
  readonly base: string;
  readonly directory: boolean;
  /** The directory is a git worktree or clone (has its own `.git`). */
  readonly gitWorktree: boolean;
  /** What is checked out there (null: detached or unknown). */
  readonly head: string | null;
  readonly onBranch: boolean;
  /** What the checked-out branch is to the environment (src/core/branch-intent.ts): its branch, a
   *  feature branch (its current work, which ahead/behind then count), another branch, or none. */
  readonly intent: BranchIntent;
  readonly ahead: number | null;
  readonly behind: number | null;
  readonly dirty: number | null;
  readonly conflicted: readonly string[];
  readonly stages: readonly StageStatus[];
  readonly error?: string;
}

export type SessionState = 'up' | 'dead' | 'down';

export interface SessionStatus {
  readonly name: string;
  readonly group: string;
  readonly provider: string | null;
  readonly env?: string;
  /** The host it runs on (absent: this machine). */
  readonly host?: string;
  /** Why nothing is known of it now (its host cannot be reached): its state then says `down` for want of a reading. */
  readonly unknown?: string;
  readonly state: SessionState;
  /** gaia made it (state store or its `@gaia-spec` mark). */
  readonly owned: boolean;
  readonly uptimeSeconds: number | null;
  readonly currentCommand: string | null;
  readonly pid: number | null;
  /** Exit status of a dead pane's command. */
  readonly exitStatus: number | null;
  /** The signal that ended a dead pane's command, when one did. */
  readonly exitSignal: number | null;
  readonly openTasks: number;
  /** For an agent session that exists: working, idle, waiting, exited or crashed, since when, and why. */
  readonly agent?: AgentReading;
}

export interface GroupStatus {
  readonly name: string;
  readonly description?: string;
  readonly expected: number;
  readonly up: number;
  readonly dead: number;
  readonly down: number;
  readonly providers: readonly string[];
  readonly sessions: readonly SessionStatus[];
}

export interface UnmanagedSession {
  readonly name: string;
  /** gaia made it, but the manifest no longer names it: the next apply removes it. */
  readonly owned: boolean;
  /** The group its name looks like it belongs to, and by which pattern. */
  readonly looksLike: { readonly group: string; readonly pattern: string; readonly source: 'manifest' | 'report' } | null;
  readonly state: Exclude<SessionState, 'down'>;
  readonly uptimeSeconds: number | null;
  readonly currentCommand: string | null;
}

export interface StatusReport {
  readonly formatVersion: typeof STATUS_FORMAT_VERSION;
  readonly project: string;
  readonly manifest: string;
  readonly generatedAt: string;
  readonly environments: readonly EnvironmentStatus[];
  readonly groups: readonly GroupStatus[];
  readonly unmanaged: readonly UnmanagedSession[];
  readonly totals: {
    readonly environments: number;
    readonly sessions: { readonly expected: number; readonly up: number; readonly dead: number; readonly down: number };
    readonly openTasks: number;
    /** Agent sessions per state, when agent states were read. */
    readonly agents?: { readonly [S in AgentState]: number };
  };
  readonly warnings: readonly string[];
  /** The manifest's hosts (not this machine), reachable or not. */
  readonly hosts: readonly HostStatus[];
}

export interface HostStatus {
  readonly name: string;
  /** How it is reached (`dev@gpu1.internal`). */
  readonly reach: string;
  /** Set when it could not be reached: what ssh said. */
  readonly unreachable?: string;
}

export interface StatusInput {
  readonly model: Pick<Model, 'manifest' | 'file' | 'environments' | 'groups' | 'resources'>;
  readonly observed: readonly Observed[];
  readonly unmanaged: readonly Observed[];
  /** Addresses gaia owns (state store). */
  readonly owned: ReadonlySet<string>;
  /** Recorded tmux sessions the manifest no longer names, by address. */
  readonly orphans: ReadonlySet<string>;
  readonly git: ReadonlyMap<string, EnvGitFacts>;
  /** Open tasks per session name. */
  readonly openTasks: ReadonlyMap<string, number>;
  readonly directories: ReadonlySet<string>;
  /** Environments whose directory holds a `.git` (a worktree or a clone). */
  readonly gitWorktrees: ReadonlySet<string>;
  readonly warnings: readonly string[];
  readonly now: Date;
  /** Agent readings by session address (absent: not read). */
  readonly agents?: ReadonlyMap<string, AgentReading>;
  readonly hosts?: readonly HostStatus[];
}

const num = (v: Json | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: Json | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A tmux session's observed attributes, read loosely (the provider's edge owns their exact shape). */
export function readSession(attrs: Attributes, now: Date): { state: Exclude<SessionState, 'down'>; uptimeSeconds: number | null; currentCommand: string | null; pid: number | null; exitStatus: number | null; exitSignal: number | null } {
  const created = num(attrs.created);
  return {
    state: attrs.paneDead === true ? 'dead' : 'up',
    uptimeSeconds: created === null ? null : Math.max(0, Math.floor(now.getTime() / 1000 - created)),
    currentCommand: str(attrs.currentCommand),
    pid: num(attrs.panePid),
    exitStatus: num(attrs.paneDeadStatus),
    exitSignal: num(attrs.paneDeadSignal),
  };
}

export function assembleStatus(input: StatusInput): StatusReport {
  const byAddress = new Map(input.observed.map((o) => [o.address, o]));
  const environments = input.model.environments.map((env) => environmentStatus(env, byAddress, input));
  const groups = input.model.groups.map((g) => groupStatus(g, byAddress, input));
  const unmanaged = unmanagedSessions(input, byAddress);
  const sessions = groups.flatMap((g) => g.sessions);
  return {
    formatVersion: STATUS_FORMAT_VERSION,
    project: input.model.manifest.project,
    manifest: input.model.file,
    generatedAt: input.now.toISOString(),
    environments,
    groups,
    unmanaged,
    totals: totalsOf(environments.length, sessions),
    warnings: input.warnings,
    hosts: input.hosts ?? [],
  };
}

function totalsOf(environments: number, sessions: readonly SessionStatus[]): StatusReport['totals'] {
  return {
    environments,
    sessions: {
      expected: sessions.length,
      up: sessions.filter((s) => s.state === 'up').length,
      dead: sessions.filter((s) => s.state === 'dead').length,
      down: sessions.filter((s) => s.state === 'down').length,
    },
    openTasks: sessions.reduce((n, s) => n + s.openTasks, 0),
    ...(sessions.some((s) => s.agent) ? { agents: agentCounts(sessions) } : {}),
  };
}

function agentCounts(sessions: readonly SessionStatus[]): { readonly [S in AgentState]: number } {
  const counts = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as { [S in AgentState]: number };
  for (const s of sessions) if (s.agent) counts[s.agent.state]++;
  return counts;
}

function environmentStatus(env: EnvironmentInfo, byAddress: ReadonlyMap<string, Observed>, input: StatusInput): EnvironmentStatus {
  const facts = input.git.get(env.name);
  const wt = byAddress.get(`git_worktree.${env.name}`);
  // The worktree's own status is fresher than the provider's list; fall back to it.
  const head = facts?.worktree ? facts.worktree.head : str(wt?.attributes.branch);
  const stages = env.stages.map((stage): StageStatus => {
    const db = stage.database === undefined ? undefined : databaseStatus(byAddress.get(`sqlite_database.${env.name}.${stage.name}`), stage.database, input, `${env.name}.${stage.name}`);
    const port = stage.port === undefined ? undefined : portStatus(byAddress.get(`port.${env.name}.${stage.name}`), stage.port);
    return { name: stage.name, ...(db ? { database: db } : {}), ...(port ? { port } : {}) };
  });
  const unknown = unknownOn(env.host, input);
  return {
    name: env.name,
    ...(env.host !== undefined ? { host: env.host } : {}),
    ...(unknown ? { unknown } : {}),
    path: env.path,
    branch: env.branch,
    base: env.base,
    directory: input.directories.has(env.name),
    gitWorktree: input.gitWorktrees.has(env.name),
    head,
    onBranch: head === env.branch,
    intent: branchIntent(head, env.branch),
    ahead: facts?.ahead ?? null,
    behind: facts?.behind ?? null,
    dirty: facts?.worktree?.dirty ?? null,
    conflicted: facts?.worktree?.conflicted ?? [],
    stages,
    ...(facts?.error ? { error: facts.error } : {}),
  };
}

function wantedMigrations(input: StatusInput, key: string): number {
  const r = input.model.resources.find((x) => x.address === `sqlite_database.${key}`);
  return Array.isArray(r?.attributes.migrations) ? r.attributes.migrations.length : 0;
}

function databaseStatus(o: Observed | undefined, path: string, input: StatusInput, key: string): DatabaseStatus {
  const wanted = wantedMigrations(input, key);
  if (!o) return { path, exists: false, rows: null, tables: null, migrations: { applied: 0, wanted } };
  const a = o.attributes;
  if (a.corrupt === true) return { path, exists: true, error: str(a.error) ?? 'unreadable', rows: null, tables: null, migrations: { applied: 0, wanted } };
  return {
    path,
    exists: true,
    rows: num(a.rows),
    tables: Array.isArray(a.tables) ? a.tables.length : null,
    migrations: { applied: Array.isArray(a.applied) ? a.applied.length : 0, wanted },
  };
}

function portStatus(o: Observed | undefined, port: number): PortStatus {
  if (!o) return { port, listening: null, holder: null };
  const h = o.attributes.holder;
  const obj = h && typeof h === 'object' && !Array.isArray(h) ? (h as { readonly [key: string]: Json }) : undefined;
  const holder = obj && typeof obj.pid === 'number' ? { pid: obj.pid, command: String(obj.command ?? '') } : null;
  return { port, listening: o.attributes.listening === true, holder };
}

/** Why a thing on `host` is unknown now, if it is. */
function unknownOn(host: string | undefined, input: StatusInput): string | undefined {
  if (host === undefined) return undefined;
  const h = input.hosts?.find((x) => x.name === host);
  return h?.unreachable === undefined ? undefined : `host ${host} cannot be reached`;
}

function groupStatus(g: GroupInfo, byAddress: ReadonlyMap<string, Observed>, input: StatusInput): GroupStatus {
  const sessions = g.sessions.map((s): SessionStatus => {
    const o = byAddress.get(s.address);
    const unknown = unknownOn(s.host, input);
    const base = {
      name: s.name, group: g.name, provider: s.provider, ...(s.env ? { env: s.env } : {}), ...(s.host !== undefined ? { host: s.host } : {}),
      ...(unknown ? { unknown } : {}), openTasks: input.openTasks.get(s.name) ?? 0,
    };
    if (!o) return { ...base, state: 'down', owned: input.owned.has(s.address), uptimeSeconds: null, currentCommand: null, pid: null, exitStatus: null, exitSignal: null };
    const agent = input.agents?.get(s.address);
    return { ...base, ...readSession(o.attributes, input.now), owned: input.owned.has(s.address) || o.marker !== undefined, ...(agent ? { agent } : {}) };
  });
  return {
    name: g.name,
    ...(g.description ? { description: g.description } : {}),
    expected: sessions.length,
    up: sessions.filter((s) => s.state === 'up').length,
    dead: sessions.filter((s) => s.state === 'dead').length,
    down: sessions.filter((s) => s.state === 'down').length,
    providers: [...new Set(g.sessions.map((s) => s.provider).filter((p): p is string => p !== null))],
    sessions,
  };
}

function unmanagedSessions(input: StatusInput, byAddress: ReadonlyMap<string, Observed>): readonly UnmanagedSession[] {
  const patterns = sessionPatterns(input.model);
  const found = [
    ...input.unmanaged.filter((o) => o.kind === 'tmux_session').map((o) => ({ o, owned: false })),
    ...[...input.orphans].map((a) => byAddress.get(a)).filter((o): o is Observed => o !== undefined).map((o) => ({ o, owned: true })),
  ];
  return found
    .map(({ o, owned }): UnmanagedSession => {
      const name = str(o.attributes.name) ?? o.address.slice(o.address.indexOf('.') + 1);
      const match = recognise(name, patterns);
      const s = readSession(o.attributes, input.now);
      return {
        name,
        owned,
        looksLike: match ? { group: match.group, pattern: match.pattern, source: match.source } : null,
        state: s.state,
        uptimeSeconds: s.uptimeSeconds,
        currentCommand: s.currentCommand,
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Keep one group and/or one environment (and the sessions working in it). Names are checked by the caller. */
export function filterStatus(report: StatusReport, filter: { readonly group?: string; readonly env?: string }): StatusReport {
  const environments = filter.env !== undefined ? report.environments.filter((e) => e.name === filter.env)
    : filter.group !== undefined ? [] : report.environments;
  const groups = report.groups
    .filter((g) => filter.group === undefined || g.name === filter.group)
    .map((g) => filter.env === undefined ? g : { ...g, sessions: g.sessions.filter((s) => s.env === filter.env) })
    .filter((g) => g.sessions.length > 0 || filter.env === undefined)
    .map((g) => ({
      ...g,
      expected: g.sessions.length,
      up: g.sessions.filter((s) => s.state === 'up').length,
      dead: g.sessions.filter((s) => s.state === 'dead').length,
      down: g.sessions.filter((s) => s.state === 'down').length,
    }));
  const unmanaged = filter.group === undefined && filter.env === undefined ? report.unmanaged
    : report.unmanaged.filter((u) => filter.group !== undefined && u.looksLike?.group === filter.group);
  return { ...report, environments, groups, unmanaged, totals: totalsOf(environments.length, groups.flatMap((g) => g.sessions)) };
}
