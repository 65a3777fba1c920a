/** Health as data: checks per environment and per session, each with a level, and an overall
 *  verdict. Pure: the status report and the in-process probes come in as arguments.
 *
 *  Levels: `fail` — the environment cannot be used (directory gone or not a worktree, database missing, unreadable
 *  or failing `PRAGMA quick_check`); `warn` — it works but needs a person (wrong branch, detached
 *  HEAD, a merge or rebase in progress, a session down or sitting in a dead pane); `info` — worth
 *  knowing, not a problem (ports with nothing listening: the manifest has no "must listen" field;
 *  uncommitted files; a feature branch checked out). */
import type { AgentReading } from '../agents/state.js';
import { formatAge } from '../agents/duration.js';
import type { EnvironmentStatus, SessionStatus, StatusReport } from './status-model.js';
import { isFeatureBranch } from '../core/branch-intent.js';

export type Level = 'ok' | 'info' | 'warn' | 'fail';
export type Verdict = 'healthy' | 'degraded' | 'failing';
export type CheckKind = 'directory' | 'branch' | 'git-operation' | 'database' | 'port' | 'session' | 'host';

export interface Check {
  readonly kind: CheckKind;
  /** What was checked: `dev1`, `dev1.qa`, `pr_review2`. */
  readonly subject: string;
  readonly level: Level;
  readonly text: string;
}

export interface EnvironmentHealth {
  readonly name: string;
  readonly level: Level;
  readonly checks: readonly Check[];
}

export interface GroupHealth {
  readonly name: string;
  readonly level: Level;
  readonly checks: readonly Check[];
}

export interface HealthReport {
  readonly project: string;
  readonly generatedAt: string;
  readonly verdict: Verdict;
  readonly counts: { readonly [L in Level]: number };
  readonly environments: readonly EnvironmentHealth[];
  readonly groups: readonly GroupHealth[];
  /** A check per host of the manifest: can it be reached. What is on one that cannot is unknown, not failing. */
  readonly hosts: readonly Check[];
}

/** What the probes found that status does not say. */
export interface HealthProbes {
  /** Per environment: git operations in progress (`merge`, `rebase`, `cherry-pick`, …). */
  readonly gitOperations: ReadonlyMap<string, readonly string[]>;
  /** Per `env.stage`: the quick_check result of an existing database. */
  readonly quickCheck: ReadonlyMap<string, { readonly ok: true } | { readonly ok: false; readonly error: string }>;
}

const RANK: { readonly [L in Level]: number } = { ok: 0, info: 1, warn: 2, fail: 3 };
export const worst = (levels: readonly Level[]): Level => levels.reduce<Level>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');

export function verdictOf(level: Level): Verdict {
  switch (level) {
    case 'ok':
    case 'info':
      return 'healthy';
    case 'warn':
      return 'degraded';
    case 'fail':
      return 'failing';
  }
}

/** The exit code `gaia health` ends with: 0 healthy, 1 failing, 2 degraded. */
export function exitCodeOf(verdict: Verdict): number {
  switch (verdict) {
    case 'healthy':
      return 0;
    case 'failing':
      return 1;
    case 'degraded':
      return 2;
  }
}

export function assessHealth(status: StatusReport, probes: HealthProbes): HealthReport {
  const environments = status.environments.map((e) => {
    const checks = e.unknown ? [] : environmentChecks(e, probes);
    return { name: e.name, level: worst(checks.map((c) => c.level)), checks };
  });
  const groups = status.groups.map((g) => {
    const checks = g.sessions.filter((s) => !s.unknown).map(sessionCheck);
    return { name: g.name, level: worst(checks.map((c) => c.level)), checks };
  });
  const hosts = status.hosts.map((h): Check => (h.unreachable === undefined
    ? { kind: 'host', subject: h.name, level: 'ok', text: `host ${h.name} (${h.reach}) answers` }
    : { kind: 'host', subject: h.name, level: 'fail', text: `host ${h.name} (${h.reach}) cannot be reached: ${h.unreachable}; what is on it is unknown` }));
  const all = [...[...environments, ...groups].flatMap((x) => x.checks), ...hosts];
  const counts = { ok: 0, info: 0, warn: 0, fail: 0 };
  for (const c of all) counts[c.level]++;
  return {
    project: status.project,
    generatedAt: status.generatedAt,
    verdict: verdictOf(worst(all.map((c) => c.level))),
    counts,
    environments,
    groups,
    hosts,
  };
}

function environmentChecks(e: EnvironmentStatus, probes: HealthProbes): Check[] {
  const check = (kind: CheckKind, level: Level, text: string, subject = e.name): Check => ({ kind, subject, level, text });
  if (!e.directory) return [check('directory', 'fail', `directory ${e.path} is missing (run gaia apply)`)];
  if (!e.gitWorktree) return [check('directory', 'fail', `${e.path} exists but is not a git worktree (something else is in the way; gaia plan shows it)`)];
  const checks: Check[] = [check('directory', 'ok', `directory ${e.path} exists`)];
  const ops = probes.gitOperations.get(e.name) ?? [];
  const conflicts = e.conflicted.length ? ` (conflicts in ${e.conflicted.join(', ')})` : '';
  if (ops.length) checks.push(check('git-operation', 'warn', `${ops.join(' and ')} in progress${conflicts}: finish it or abort it (git ${ops[0]} --abort)`));
  else checks.push(check('git-operation', 'ok', 'no merge or rebase in progress'));

  if (e.head === e.branch) checks.push(check('branch', 'ok', `on ${e.branch}`));
  else if (ops.length) checks.push(check('branch', 'info', `${e.branch} is mid-${ops[0]}`));
  else if (e.head === null) checks.push(check('branch', 'warn', e.error ? `branch unknown: ${e.error}` : `HEAD is detached, not on ${e.branch}`));
  else if (isFeatureBranch(e.head)) checks.push(check('branch', 'info', `on feature branch ${e.head}, the environment's current work (its branch is ${e.branch})`));
  else checks.push(check('branch', 'warn', `on ${e.head}, expected ${e.branch}`));
  if (e.dirty) checks.push(check('branch', 'info', `${e.dirty} uncommitted file${e.dirty === 1 ? '' : 's'}`));

  for (const s of e.stages) {
    const subject = `${e.name}.${s.name}`;
    if (s.database) {
      const db = s.database;
      const probe = probes.quickCheck.get(subject);
      if (!db.exists) checks.push(check('database', 'fail', `database ${db.path} is missing (run gaia apply)`, subject));
      else if (db.error) checks.push(check('database', 'fail', `database ${db.path} cannot be read: ${db.error}`, subject));
      else if (probe && !probe.ok) checks.push(check('database', 'fail', `database ${db.path} fails quick_check: ${probe.error}`, subject));
      else checks.push(check('database', 'ok', `database ${db.path} opens and passes quick_check`, subject));
    }
    if (s.port) {
      const p = s.port;
      if (p.listening === null) checks.push(check('port', 'info', `port ${p.port} is not reserved yet (run gaia apply)`, subject));
      else if (p.listening) checks.push(check('port', 'ok', `port ${p.port} answers${p.holder ? ` (${p.holder.command}, pid ${p.holder.pid})` : ''}`, subject));
      else checks.push(check('port', 'info', `nothing listens on port ${p.port}`, subject));
    }
  }
  return checks;
}

function sessionCheck(s: SessionStatus): Check {
  const base = { kind: 'session' as const, subject: s.name };
  switch (s.state) {
    case 'up':
      if (s.agent) return agentCheck(s, s.agent);
      return { ...base, level: 'ok', text: `${s.name} is running${s.currentCommand ? ` (${s.currentCommand})` : ''}` };
    case 'dead':
      return { ...base, level: 'warn', text: `${s.name}'s command ${s.exitSignal !== null ? `was killed by signal ${s.exitSignal}` : `has exited${s.exitStatus === null ? '' : ` with status ${s.exitStatus}`}`}; the pane is dead (gaia apply restarts it)` };
    case 'down':
      return { ...base, level: 'warn', text: `${s.name} is not running (gaia apply starts it)` };
  }
}

/** A live agent: waiting for its person longer than its provider's waitingAlert is degraded; an
 *  agent gone from its pane (a shell left behind) needs a person too. */
function agentCheck(s: SessionStatus, a: AgentReading): Check {
  const base = { kind: 'session' as const, subject: s.name };
  const age = formatAge(a.ageSeconds);
  switch (a.state) {
    case 'waiting':
      return { ...base, level: a.alert ? 'warn' : 'info', text: `${s.name} has been waiting for input for ${age}: ${a.reason}` };
    case 'exited':
    case 'crashed':
      return { ...base, level: 'warn', text: `${s.name}'s agent is not running: ${a.reason}` };
    case 'working':
    case 'idle':
      return { ...base, level: 'ok', text: `${s.name} is ${a.state} (${age}; ${a.reason})` };
  }
}
