/** Counts and templates → concrete resources with addresses and dependencies. Pure: every fact
 *  from the disk (migration files, ports allocated before, gaia's environment) comes in as an argument. */
import { findHiddenChars } from './hidden-chars.js';
import { resource, type Attributes, type Resource } from '../core/resource.js';
import { didYouMean } from './suggest.js';
import { makeChecks, type Checks } from './checks.js';
import { databaseMigrations, expandEnvironments } from './expand-environments.js';
import { expandGroups, type ExpandedGroup } from './expand-groups.js';
import { checkWriters, expandFiles, type Writer } from './expand-files.js';
import { expandHosts, onHost } from './hosts.js';
import type { EnvironmentInfo, GroupInfo, HooksInfo, HostInfo, Problem } from './model.js';
import { checkProviders, environmentHooks } from './expand-agents.js';
import type { Manifest } from './types.js';

export interface Migration {
  readonly name: string;
  /** Relative to the project root. */
  readonly file: string;
  readonly sha256: string;
}

export interface ExpandFacts {
  /** For each `schema` file or `migrations` folder named in the manifest (as written): its files in apply order; undefined if missing. */
  readonly migrations: { readonly [source: string]: readonly Migration[] | undefined };
  /** Why a source in `migrations` is undefined, when it is more than "does not exist" (`is a file, not a folder`). */
  readonly migrationProblems?: { readonly [source: string]: string };
  /** Ports allocated from ranges by earlier applies, by key `env.stage`: keeps allocations stable. */
  readonly previousPorts: { readonly [key: string]: number };
  /** gaia's own environment, for `fromEnv` values. */
  readonly environ: { readonly [name: string]: string | undefined };
}

export interface Expanded {
  readonly hosts: readonly HostInfo[];
  readonly environments: readonly EnvironmentInfo[];
  readonly groups: readonly GroupInfo[];
  readonly resources: readonly Resource[];
  readonly problems: readonly Problem[];
  /** Worth saying on every plan, not worth stopping it (a group over its budget). */
  readonly warnings: readonly string[];
  readonly environmentHooks?: HooksInfo;
}

export function expand(m: Manifest, facts: ExpandFacts): Expanded {
  const { checks, problems } = makeChecks();
  for (const h of findHiddenChars(m)) checks.report(h.path, h.message, 'retype the name without it', h.at);

  const hosts = expandHosts(m, checks);
  const envs = expandEnvironments(m, facts, checks);
  const environments = envs.environments;
  const envByName = new Map(environments.map((e) => [e.name, e]));
  const resources: Resource[] = [];
  const writers: Writer[] = [];

  // gaia's own state file is a path in the manifest like any other: it stays inside the project.
  checks.rootPath(m.settings?.state ?? '.gaia/state.db', ['settings', 'state']);

  // Environments: branch → worktree, then per stage a port and a database. On a remote host
  // everything carries `host:` and its paths are relative to that host's root.
  const repoPath = checks.rootPath(m.repository?.path ?? '.', ['repository', 'path']);
  for (const env of environments) {
    const wt = `git_worktree.${env.name}`;
    const here = (attributes: Attributes) => onHost(attributes, env.host);
    if (env.source === 'worktree') {
      resources.push(resource('git_branch', env.name, { repo: repoPath, name: env.branch, base: env.base }));
      resources.push(resource('git_worktree', env.name, { source: 'worktree', repo: repoPath, path: env.path, branch: env.branch }, [`git_branch.${env.name}`]));
    } else {
      // A remote host without repository.url is reported (hosts.ts); the local path stands in meanwhile.
      const url = m.repository?.url ?? repoPath;
      resources.push(resource('git_worktree', env.name, here({ source: 'clone', url, path: env.path, branch: env.branch, base: env.base })));
    }
    for (const stage of env.stages) {
      const spec = m.environments?.stages?.[stage.name];
      if (stage.port !== undefined) resources.push(resource('port', `${env.name}.${stage.name}`, here({ port: stage.port, env: env.name, stage: stage.name })));
      if (spec?.database && stage.database) {
        const migrations = databaseMigrations(spec.database, stage.name, facts, checks);
        const address = `sqlite_database.${env.name}.${stage.name}`;
        writers.push({ address, path: stage.database, at: ['environments', 'stages', stage.name, 'database', 'path'], ...(env.host !== undefined ? { host: env.host } : {}) });
        resources.push(resource('sqlite_database', `${env.name}.${stage.name}`, here({
          path: stage.database,
          migrations: migrations.map((x) => ({ name: x.name, file: x.file, sha256: x.sha256 })),
          preventDestroy: spec.database.preventDestroy ?? false,
        }), [wt]));
      }
    }
  }

  const warnings: string[] = [];
  const groups = expandGroups(m, environments, envByName, facts, checks, warnings);
  checkProviders(m, checks);
  for (const g of groups) for (const s of g.sessions) resources.push(s.resource);

  const files = expandFiles(m, environments, envs.secrets, checks);
  for (const f of files) {
    resources.push(f.resource);
    const host = f.resource.attributes.host;
    writers.push({ address: f.resource.address, path: String(f.resource.attributes.path), at: f.at, ...(typeof host === 'string' ? { host } : {}) });
  }
  checkWriters(writers, checks);
  checkRouting(m, groups, checks);

  // Anything inside an environment's directory waits for its worktree.
  const envAt = environmentsByPath(environments);
  const withDeps = resources.map((r) => addWorktreeDependency(r, envAt));
  const hooks = environmentHooks(m);
  return { hosts, environments, groups: groups.map((g) => g.info), resources: withDeps, problems, warnings, ...(hooks ? { environmentHooks: hooks } : {}) };
}

function checkRouting(m: Manifest, groups: readonly ExpandedGroup[], checks: Checks): void {
  const { report } = checks;
  const byName = new Map(groups.map((g) => [g.info.name, g.info]));
  const names = [...byName.keys()];
  const known = `groups: ${names.join(', ') || 'none'}`;
  (m.routing?.rules ?? []).forEach((rule, i) => {
    const g = byName.get(rule.group);
    if (!g) report(['routing', 'rules', i, 'group'], `unknown group "${rule.group}"${didYouMean(rule.group, names)}`, known);
    else if (rule.env && !g.perEnvironment) report(['routing', 'rules', i, 'group'], `group ${rule.group} is not perEnvironment, so it has no session per environment`, 'route env tasks to a perEnvironment group');
  });
  if (m.routing?.default !== undefined && !byName.has(m.routing.default)) report(['routing', 'default'], `unknown group "${m.routing.default}"${didYouMean(m.routing.default, names)}`, known);
  const baseline = m.cost?.baseline;
  const providers = Object.keys(m.providers ?? {});
  if (baseline?.provider !== undefined && !m.providers?.[baseline.provider]) {
    report(['cost', 'baseline', 'provider'], `unknown provider "${baseline.provider}"${didYouMean(baseline.provider, providers)}`, `defined providers: ${providers.join(', ') || 'none'}`);
  }
}

/** A path on a host (this machine: no host), as one map key. */
const placeKey = (host: string | undefined, path: string): string => `${host ?? ''}\0${path}`;

/** Environments by host and path, the first one listed for each (with its position in the list). */
function environmentsByPath(environments: readonly EnvironmentInfo[]): ReadonlyMap<string, { readonly env: EnvironmentInfo; readonly index: number }> {
  const byPath = new Map<string, { env: EnvironmentInfo; index: number }>();
  environments.forEach((env, index) => {
    const key = placeKey(env.host, env.path);
    if (!byPath.has(key)) byPath.set(key, { env, index });
  });
  return byPath;
}

/** The first listed environment on `host` whose directory holds `path` (the path itself or one of its
 *  parent folders): a look-up per parent, not a scan of every environment per resource. */
function environmentHolding(host: string | undefined, path: string, byPath: ReturnType<typeof environmentsByPath>): EnvironmentInfo | undefined {
  let best = byPath.get(placeKey(host, path));
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    const hit = byPath.get(placeKey(host, path.slice(0, slash)));
    if (hit && (!best || hit.index < best.index)) best = hit;
  }
  return best?.env;
}

function addWorktreeDependency(r: Resource, envAt: ReturnType<typeof environmentsByPath>): Resource {
  if (r.kind === 'git_worktree' || r.kind === 'git_branch') return r;
  const path = r.kind === 'tmux_session' ? r.attributes.cwd : r.attributes.path;
  if (typeof path !== 'string') return r;
  const host = r.attributes.host;
  const env = environmentHolding(typeof host === 'string' ? host : undefined, path, envAt);
  const dep = env ? `git_worktree.${env.name}` : undefined;
  if (!dep || r.dependsOn.includes(dep)) return r;
  return { ...r, dependsOn: [...r.dependsOn, dep] };
}
