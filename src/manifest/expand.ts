/** Counts and templates → concrete resources with addresses and dependencies. Pure: every fact
 *  from the disk (migration files, ports allocated before, gaia's environment) comes in as an argument. */
import { resource, type Json, type Resource } from '../core/resource.js';
import { allocatePorts, type PortRequest } from '../core/ports.js';
import { branchNameProblem, insideRoot, tmuxNameProblem } from './names.js';
import { didYouMean } from './suggest.js';
import { placeholderHelp, renderText, renderValue, shellQuote, type TemplateContext } from './template.js';
import type { EnvironmentInfo, GroupInfo, Problem, SessionInfo, StageInfo } from './model.js';
import type { Command, EnvVars, GroupSpec, Manifest } from './types.js';
import type { PathSegment } from './parse.js';

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
  readonly environments: readonly EnvironmentInfo[];
  readonly groups: readonly GroupInfo[];
  readonly resources: readonly Resource[];
  readonly problems: readonly Problem[];
}

/** How the expansion steps report problems and render templates. */
interface Checks {
  report(path: readonly PathSegment[], message: string, fix?: string, at?: 'key' | 'value'): void;
  /** Report only the first problem of this kind at this place: a template repeated per environment or
   *  session would otherwise give one error per copy for one mistake. */
  once(kind: string, path: readonly PathSegment[], message: string, fix?: string): void;
  text(template: string, ctx: TemplateContext, path: readonly PathSegment[], quote?: (s: string) => string): string;
  /** A path normalised inside the project root; reported (and returned as written) when it leaves it. */
  rootPath(p: string, path: readonly PathSegment[]): string;
}

/** Where in the manifest a resource that writes a file came from, for path-clash errors. */
interface Writer {
  readonly address: string;
  readonly path: string;
  readonly at: readonly PathSegment[];
}

export function expand(m: Manifest, facts: ExpandFacts): Expanded {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const report: Checks['report'] = (path, message, fix, at) => {
    const key = `${JSON.stringify(path)}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ path: [...path], message, ...(fix ? { fix } : {}), ...(at ? { at } : {}) });
  };
  const onceSeen = new Set<string>();
  const checks: Checks = {
    report,
    once(kind, path, message, fix) {
      const key = `${kind}|${JSON.stringify(path)}`;
      if (onceSeen.has(key)) return;
      onceSeen.add(key);
      report(path, message, fix);
    },
    text(template, ctx, path, quote) {
      const r = renderText(template, ctx, quote);
      for (const u of r.unknown) unknownPlaceholder(report, ctx, u, path);
      return r.value;
    },
    rootPath(p, path) {
      const inside = insideRoot(p);
      if (inside === undefined) checks.once('root', path, `path "${p}" leads outside the project root`, 'use a path inside the manifest\'s folder (no leading "/" or "..")');
      return inside ?? p;
    },
  };

  const envs = expandEnvironments(m, facts, checks);
  const environments = envs.environments;
  const envByName = new Map(environments.map((e) => [e.name, e]));
  const resources: Resource[] = [];
  const writers: Writer[] = [];

  // Environments: branch → worktree, then per stage a port and a database.
  const repoPath = checks.rootPath(m.repository?.path ?? '.', ['repository', 'path']);
  for (const env of environments) {
    const wt = `git_worktree.${env.name}`;
    if (env.source === 'worktree') {
      resources.push(resource('git_branch', env.name, { repo: repoPath, name: env.branch, base: env.base }));
      resources.push(resource('git_worktree', env.name, { source: 'worktree', repo: repoPath, path: env.path, branch: env.branch }, [`git_branch.${env.name}`]));
    } else {
      const url = m.repository?.url ?? repoPath;
      resources.push(resource('git_worktree', env.name, { source: 'clone', url, path: env.path, branch: env.branch, base: env.base }));
    }
    for (const stage of env.stages) {
      const spec = m.environments?.stages?.[stage.name];
      if (stage.port !== undefined) resources.push(resource('port', `${env.name}.${stage.name}`, { port: stage.port, env: env.name, stage: stage.name }));
      if (spec?.database && stage.database) {
        const migrations = databaseMigrations(spec.database, stage.name, facts, checks);
        const address = `sqlite_database.${env.name}.${stage.name}`;
        writers.push({ address, path: stage.database, at: ['environments', 'stages', stage.name, 'database', 'path'] });
        resources.push(resource('sqlite_database', `${env.name}.${stage.name}`, {
          path: stage.database,
          migrations: migrations.map((x) => ({ name: x.name, file: x.file, sha256: x.sha256 })),
          preventDestroy: spec.database.preventDestroy ?? false,
        }, [wt]));
      }
    }
  }

  const groups = expandGroups(m, environments, envByName, facts, checks);
  for (const g of groups) for (const s of g.sessions) resources.push(s.resource);

  const files = expandFiles(m, environments, envs.secrets, checks);
  for (const f of files) {
    resources.push(f.resource);
    writers.push({ address: f.resource.address, path: String(f.resource.attributes.path), at: f.at });
  }
  checkWriters(writers, checks);
  checkRouting(m, groups, checks);

  // Anything inside an environment's directory waits for its worktree.
  const withDeps = resources.map((r) => addWorktreeDependency(r, environments));
  return { environments, groups: groups.map((g) => g.info), resources: withDeps, problems };
}

/** Scoped placeholders ({env}, {stage}) get their own explanation: they exist, just not here. */
const SCOPED: { readonly [root: string]: string } = {
  env: 'only sessions of a perEnvironment group (or a group with env:) and perEnvironment or perStage files have an {env}',
  stage: 'only perStage files have a {stage}',
};

function unknownPlaceholder(report: Checks['report'], ctx: TemplateContext, name: string, path: readonly PathSegment[]): void {
  const root = name.split('.')[0]!;
  const scoped = SCOPED[root];
  if (scoped && !(root in ctx)) {
    report(path, `placeholder {${name}} has no value here: there is no ${root === 'env' ? 'environment' : 'stage'} in scope`, scoped);
    return;
  }
  const help = placeholderHelp(ctx, name);
  report(path, `unknown placeholder {${name}}${help.suggestion ? ` (did you mean {${help.suggestion}}?)` : ''}`,
    help.available.length ? `available here: ${help.available.map((k) => `{${k}}`).join(', ')}; write {{ for a literal brace` : undefined);
}

function databaseMigrations(
  db: NonNullable<NonNullable<NonNullable<Manifest['environments']>['stages']>[string]['database']>,
  stage: string,
  facts: ExpandFacts,
  checks: Checks,
): readonly Migration[] {
  const dbAt: PathSegment[] = ['environments', 'stages', stage, 'database'];
  if (db.migrations !== undefined && db.schema !== undefined) {
    checks.report([...dbAt, 'schema'], 'give either schema (one SQL file) or migrations (a folder), not both', 'move the schema into the migrations folder as its first file');
  }
  const source = db.migrations ?? db.schema;
  if (source === undefined) return [];
  const where: PathSegment[] = [...dbAt, db.migrations !== undefined ? 'migrations' : 'schema'];
  if (insideRoot(source) === undefined) {
    checks.once('root', where, `path "${source}" leads outside the project root`, 'keep SQL files inside the manifest\'s folder');
    return [];
  }
  const migrations = facts.migrations[source];
  if (migrations === undefined) {
    const what = db.migrations !== undefined ? 'migrations folder' : 'schema file';
    const reason = facts.migrationProblems?.[source];
    checks.report(where, `${what} "${source}" ${reason ?? 'does not exist'}`,
      reason ? 'migrations: names a folder of .sql files; schema: names one .sql file' : 'create it or fix the path (relative to the manifest\'s folder)');
  }
  return migrations ?? [];
}

function expandEnvironments(m: Manifest, facts: ExpandFacts, checks: Checks): { environments: EnvironmentInfo[]; secrets: string[] } {
  const spec = m.environments;
  if (!spec) return { environments: [], secrets: [] };
  const { report, once, text, rootPath } = checks;
  let names: string[];
  let patternBroken = false;
  if (spec.names) {
    if (spec.count !== undefined) report(['environments', 'count'], 'give either count (with name) or names, not both', 'remove count, or replace names with name: dev{n}');
    names = [...spec.names];
  } else if (spec.count !== undefined) {
    const pattern = spec.name ?? 'env{n}';
    patternBroken = spec.count > 1 && !pattern.includes('{n}');
    if (patternBroken) report(['environments', 'name'], `pattern "${pattern}" has no {n}, so all ${spec.count} environments get the same name`, 'add {n}, e.g. dev{n}');
    names = Array.from({ length: spec.count }, (_, i) => text(pattern, { n: i + 1 }, ['environments', 'name']));
  } else {
    report(['environments'], 'missing count or names', 'add count: 5 and name: dev{n}, or names: [dev1, dev2]');
    return { environments: [], secrets: [] };
  }

  const invalid = new Set<string>();
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const where: PathSegment[] = spec.names ? ['environments', 'names', i] : ['environments', 'name'];
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
      invalid.add(name);
      once('env-name', where, `environment name "${name}" is not allowed`, 'use letters, digits, "_" or "-", starting with a letter or digit');
    }
    if (seen.has(name) && !patternBroken) report(where, `environment "${name}" is defined twice`, 'give each environment its own name');
    seen.add(name);
  });

  const stageNames = Object.keys(spec.stages ?? {});
  const ports = allocateStagePorts(stageNames, spec.stages ?? {}, names, facts, checks);

  // Stage variables are resolved once per stage: they are the same in every environment.
  const secrets: string[] = [];
  const stageVars = new Map(stageNames.map((stage) => {
    const r = resolveVars(spec.stages![stage]!.vars ?? {}, facts, checks, ['environments', 'stages', stage, 'vars']);
    for (const k of r.sensitive) if (r.values[k]) secrets.push(r.values[k]!);
    return [stage, r.values] as const;
  }));

  const base = spec.base ?? m.repository?.base ?? 'main';
  const source = spec.source ?? 'worktree';
  const pathAt: PathSegment[] = ['environments', 'path'];
  const branchAt: PathSegment[] = ['environments', 'branch'];
  const byPath = new Map<string, string>();
  const byBranch = new Map<string, string>();
  const environments = names.map((name, i): EnvironmentInfo => {
    const ctx = { env: name, n: i + 1 };
    const written = text(spec.path ?? 'envs/{env}', ctx, pathAt);
    const path = rootPath(written, pathAt);
    const pathOk = insideRoot(written) !== undefined;
    const branch = text(spec.branch ?? 'env/{env}', ctx, branchAt);
    if (!invalid.has(name)) {
      const branchProblem = branchNameProblem(branch);
      if (branchProblem) once('branch', branchAt, branchProblem, 'use letters, digits, "/", "-" and "_", e.g. env/{env}');
      else if (source === 'worktree' && branch === base) once('branch', branchAt, `environment "${name}" would use its base branch "${base}" as its own branch`, 'give each environment its own branch, e.g. env/{env}');
    }
    if (pathOk && path === '.') once('env-path', pathAt, `environment "${name}" would live in the project root itself`, 'use a folder per environment, e.g. envs/{env}');
    // Same-named environments are reported once, as such, not again for everything they share.
    const otherPath = byPath.get(path);
    if (otherPath && otherPath !== name && !patternBroken) once('env-path', pathAt, `environments ${otherPath} and ${name} would share the directory ${path}`, 'put {env} in the path, e.g. envs/{env}');
    byPath.set(path, name);
    const otherBranch = byBranch.get(branch);
    if (otherBranch && otherBranch !== name && !patternBroken) once('branch', branchAt, `environments ${otherBranch} and ${name} would share the branch ${branch}`, 'put {env} in the branch, e.g. env/{env}');
    byBranch.set(branch, name);

    const stages = stageNames.map((stageName): StageInfo => {
      const st = spec.stages![stageName]!;
      let database: string | undefined;
      if (st.database && pathOk) {
        const inside = insideRoot(`${path}/${st.database.path}`);
        if (inside === undefined) {
          once('root', ['environments', 'stages', stageName, 'database', 'path'], `database path "${st.database.path}" leads outside the project root (from ${path})`, 'database paths are relative to the environment\'s directory; keep them inside it');
        }
        database = inside ?? `${path}/${st.database.path}`;
      }
      const port = ports[`${name}.${stageName}`];
      return { name: stageName, ...(port !== undefined ? { port } : {}), ...(database ? { database } : {}), vars: stageVars.get(stageName) ?? {} };
    });
    return { name, index: i + 1, path, branch, base, source, sync: spec.sync ?? 'rebase', stages };
  });
  return { environments, secrets };
}

/** Ports for every environment × stage: fixed ones as written, ranges through the stable allocator. */
function allocateStagePorts(
  stageNames: readonly string[],
  stages: NonNullable<NonNullable<Manifest['environments']>['stages']>,
  envNames: readonly string[],
  facts: ExpandFacts,
  checks: Checks,
): { readonly [key: string]: number } {
  const requests: (PortRequest & { stage: string })[] = [];
  for (const stage of stageNames) {
    const p = stages[stage]!.port;
    const at: PathSegment[] = ['environments', 'stages', stage, 'port'];
    if (p === undefined) continue;
    if (typeof p === 'number') {
      if (envNames.length > 1) {
        checks.report(at, `port ${p} is fixed, but each of the ${envNames.length} environments needs its own ${stage} port`, `use a range, e.g. port: { range: [${p}, ${p + envNames.length - 1}] }`);
      }
      if (envNames[0] !== undefined) requests.push({ key: `${envNames[0]}.${stage}`, explicit: p, stage });
      continue;
    }
    const [lo, hi] = p.range;
    if (lo > hi) {
      checks.report([...at, 'range'], `range [${lo}, ${hi}] is empty: the low port must come first`, `write [${hi}, ${lo}]`);
      continue;
    }
    for (const env of envNames) requests.push({ key: `${env}.${stage}`, range: [lo, hi], stage });
  }

  const allocation = allocatePorts(requests, facts.previousPorts);
  const holders = new Map(Object.entries(allocation.ports).map(([key, port]) => [port, key]));
  for (const e of allocation.errors) {
    const request = requests.find((r) => r.key === e.key);
    if (!request) continue;
    const at: PathSegment[] = ['environments', 'stages', request.stage, 'port'];
    if (request.explicit !== undefined) {
      const holder = holders.get(request.explicit);
      checks.once('port', at, `port ${request.explicit} for ${e.key} is already used by ${holder ?? 'another stage'}`, 'give each stage its own port');
    } else if (request.range) {
      const [lo, hi] = request.range;
      const taken: string[] = [];
      for (let p = lo; p <= hi && taken.length <= 4; p++) {
        const h = holders.get(p);
        if (h) taken.push(`${p} by ${h}`);
      }
      const list = taken.length > 4 ? `${taken.slice(0, 4).join(', ')}, …` : taken.join(', ');
      checks.once('port', at, `range ${lo}-${hi} is exhausted: no free port left for ${e.key} (taken: ${list})`, 'widen the range or use fewer environments');
    }
  }
  return allocation.ports;
}

interface ExpandedGroup {
  readonly info: GroupInfo;
  readonly sessions: readonly (SessionInfo & { readonly resource: Resource })[];
}

function expandGroups(
  m: Manifest,
  environments: readonly EnvironmentInfo[],
  envByName: ReadonlyMap<string, EnvironmentInfo>,
  facts: ExpandFacts,
  checks: Checks,
): ExpandedGroup[] {
  const { report, once, text, rootPath } = checks;
  const sessionOwner = new Map<string, string>();
  const providerNames = Object.keys(m.providers ?? {});
  const providerVars = new Map(Object.entries(m.providers ?? {}).map(([name, p]) => [name, resolveVars(p.vars ?? {}, facts, checks, ['providers', name, 'vars'])]));
  const out: ExpandedGroup[] = [];
  for (const [gname, g] of Object.entries(m.groups ?? {})) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['groups', gname, ...rest];
    const slots = groupSlots(gname, g, environments, envByName, checks, at);
    const listMismatch = Array.isArray(g.provider) && g.provider.length !== slots.length;
    if (listMismatch) {
      report(at('provider'), `lists ${g.provider!.length} providers for ${slots.length} sessions`, 'give one provider per session, or a single name for all');
    }
    const pattern = g.name ?? (g.perEnvironment ? `{env}_${gname}` : slots.length > 1 ? `${gname}{n}` : gname);
    const sample = renderText(pattern, { n: 1, group: gname, project: m.project, ...(slots[0]?.env ? { env: slots[0].env } : {}) });
    const varies = pattern.includes('{n}') || (g.perEnvironment === true && /\{env(\.name)?\}/.test(pattern));
    const patternBroken = !g.names && (sample.unknown.length > 0 || (slots.length > 1 && !varies));
    if (!g.names && sample.unknown.length === 0 && slots.length > 1 && !varies) {
      report(at('name'), `pattern "${pattern}" has no {n}, so all ${slots.length} sessions get the same name`,
        g.perEnvironment ? 'add {env}, e.g. {env}_worker' : 'add {n}, e.g. worker{n}');
    }

    const clashes = new Map<string, { names: string[]; at: PathSegment[] }>();
    const sessions = slots.map((slot, i) => {
      const ctx = { n: i + 1, group: gname, project: m.project, ...(slot.env ? { env: slot.env } : {}) };
      const nameAt = g.names ? at('names', i) : at('name');
      const name = g.names ? g.names[i]! : text(pattern, ctx, nameAt);
      const nameProblem = tmuxNameProblem(name);
      if (nameProblem) once('tmux-name', nameAt, nameProblem, 'use letters, digits, "_" and "-"');
      const previous = sessionOwner.get(name);
      if (previous === gname) {
        if (!patternBroken) report(nameAt, `session "${name}" is listed twice in this group`, 'give every session its own name');
      } else if (previous !== undefined) {
        const c = clashes.get(previous) ?? { names: [], at: nameAt };
        c.names.push(name);
        clashes.set(previous, c);
      } else {
        sessionOwner.set(name, gname);
      }

      const providerName = Array.isArray(g.provider) ? g.provider[i] ?? null : (g.provider as string | undefined) ?? null;
      const provider = providerName ? m.providers?.[providerName] : undefined;
      if (providerName && !provider) {
        report(Array.isArray(g.provider) ? at('provider', i) : at('provider'), `unknown provider "${providerName}"${didYouMean(providerName, providerNames)}`,
          `defined providers: ${providerNames.join(', ') || 'none (add a providers: section)'}`);
      }
      const command = g.command ?? provider?.command;
      if (command === undefined && !providerName && !listMismatch) {
        report(at(), `group ${gname} has neither a command nor a provider`, 'add command: (e.g. command: bash) or provider: NAME');
      }

      const cwd = slot.env ? slot.env.path : rootPath(g.cwd ?? '.', at('cwd'));
      const sessionCtx = { ...ctx, session: name, path: cwd };
      const fromProvider: ResolvedVars = (providerName ? providerVars.get(providerName) : undefined) ?? { values: {}, sensitive: [] };
      const fromGroup = resolveVars(g.vars ?? {}, facts, checks, at('vars'));
      // A group's own value replaces the provider's, sensitivity included.
      const sensitive = [...fromProvider.sensitive.filter((k) => !(k in fromGroup.values)), ...fromGroup.sensitive];
      const env: Record<string, string> = {
        ...fromProvider.values, ...fromGroup.values, GAIA_SESSION: name, GAIA_GROUP: gname, ...(slot.env ? { GAIA_ENV: slot.env.name } : {}),
      };
      const agent = provider?.agent ?? false;
      const attributes = {
        name,
        command: renderCommand(command ?? 'true', sessionCtx, checks, at('command')),
        cwd,
        env,
        group: gname,
        provider: providerName,
        agent,
      };
      const r = resource('tmux_session', name, attributes, [], sensitive.length ? { sensitive: sensitive.map((k) => `env.${k}`) } : {});
      const info: SessionInfo = {
        name, address: r.address, group: gname, provider: providerName, cwd, agent,
        ...(slot.env ? { env: slot.env.name } : {}),
        costPerMonth: g.costPerSession ?? provider?.costPerMonth ?? 0,
      };
      return { ...info, resource: r };
    });
    for (const [other, c] of clashes) {
      const what = c.names.length === 1 ? `session "${c.names[0]}" is` : `sessions ${c.names.map((n) => `"${n}"`).join(', ')} are`;
      report(c.at, `${what} also made by group ${other}`, 'give the groups different name patterns or names');
    }
    out.push({
      info: {
        name: gname, sessions: sessions.map(({ resource: _r, ...s }) => s), costAdjustment: g.costAdjustment ?? 0,
        perEnvironment: g.perEnvironment ?? false, ...(g.description ? { description: g.description } : {}),
        ...(g.names ? {} : { pattern }),
      },
      sessions,
    });
  }
  return out;
}

function groupSlots(
  gname: string, g: GroupSpec, environments: readonly EnvironmentInfo[], envByName: ReadonlyMap<string, EnvironmentInfo>,
  checks: Checks, at: (...rest: PathSegment[]) => PathSegment[],
): { env?: EnvironmentInfo }[] {
  const { report } = checks;
  const ways = [g.count !== undefined, g.perEnvironment === true, g.names !== undefined].filter(Boolean).length;
  if (ways === 0) {
    report(at(), `group ${gname} says neither count, perEnvironment nor names, so it has no sessions`, 'add count: N, perEnvironment: true or names: [...]');
    return [];
  }
  if (ways > 1) report(at(), 'give only one of count, perEnvironment and names');
  let fixedEnv: EnvironmentInfo | undefined;
  if (g.env !== undefined) {
    fixedEnv = envByName.get(g.env);
    const known = environments.map((e) => e.name);
    if (g.perEnvironment) report(at('env'), 'a perEnvironment group works in every environment; remove env');
    else if (!fixedEnv) report(at('env'), `unknown environment "${g.env}"${didYouMean(g.env, known)}`, `environments: ${known.join(', ') || 'none defined'}`);
    if (g.cwd !== undefined) report(at('cwd'), 'give either env (work in that environment) or cwd (a folder), not both', 'remove one of them');
  }
  if (g.perEnvironment) {
    if (g.cwd !== undefined && g.env === undefined) report(at('cwd'), 'a perEnvironment group works in each environment\'s directory; remove cwd');
    if (environments.length === 0) report(at('perEnvironment'), 'there are no environments to attach the group to', 'add an environments: section, or use count: N instead');
    return environments.map((env) => ({ env }));
  }
  const n = g.names ? g.names.length : g.count ?? 0;
  return Array.from({ length: n }, () => (fixedEnv ? { env: fixedEnv } : {}));
}

function renderCommand(command: Command, ctx: TemplateContext, checks: Checks, where: PathSegment[]): Json {
  // In a string command the shell will parse the result, so substituted values are quoted; argv elements are data already.
  if (typeof command === 'string') return checks.text(command, ctx, where, shellQuote);
  return command.map((arg, i) => checks.text(arg, ctx, [...where, i]));
}

interface ResolvedVars {
  readonly values: Record<string, string>;
  readonly sensitive: readonly string[];
}

function resolveVars(vars: EnvVars, facts: ExpandFacts, checks: Checks, where: PathSegment[]): ResolvedVars {
  const values: Record<string, string> = {};
  const sensitive: string[] = [];
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'object') {
      values[k] = String(v);
      continue;
    }
    if ((v.value === undefined) === (v.fromEnv === undefined)) {
      checks.report([...where, k], 'give exactly one of value and fromEnv', 'value: the text itself; fromEnv: the name of a variable in gaia\'s environment');
      continue;
    }
    const value = v.value ?? facts.environ[v.fromEnv!];
    if (value === undefined) {
      checks.report([...where, k, 'fromEnv'], `environment variable ${v.fromEnv} is not set`, `export ${v.fromEnv}=… before running gaia`);
      continue;
    }
    values[k] = value;
    if (v.sensitive) sensitive.push(k);
  }
  return { values, sensitive };
}

function expandFiles(
  m: Manifest, environments: readonly EnvironmentInfo[], secrets: readonly string[], checks: Checks,
): { resource: Resource; at: PathSegment[] }[] {
  const { report, text, rootPath } = checks;
  const out: { resource: Resource; at: PathSegment[] }[] = [];
  const envJson = environments.map((e) => ({
    name: e.name, path: e.path, branch: e.branch, base: e.base,
    stages: Object.fromEntries(e.stages.map((s) => [s.name, { name: s.name, port: s.port ?? null, database: s.database ?? null, vars: s.vars }])),
  }));
  for (const [fname, f] of Object.entries(m.files ?? {})) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['files', fname, ...rest];
    if ((f.content === undefined) === (f.json === undefined)) {
      report(at(), f.content === undefined ? 'give content (text) or json (a value)' : 'give exactly one of content and json, not both', 'content: a text template; json: a value written as JSON');
      continue;
    }
    if (f.perEnvironment && f.perStage) report(at(), 'give only one of perEnvironment and perStage');
    else if (f.perEnvironment && environments.length === 0) report(at('perEnvironment'), 'there are no environments to write this file for', 'add an environments: section, or remove perEnvironment');
    else if (f.perStage && !environments.some((e) => e.stages.length > 0)) report(at('perStage'), 'there are no stages to write this file for', 'add environments.stages, or remove perStage');
    const instances: { name: string; ctx: TemplateContext }[] = [];
    const base = { project: m.project, environments: envJson };
    if (f.perStage) {
      environments.forEach((e, i) => e.stages.forEach((s) => instances.push({ name: `${e.name}.${s.name}.${fname}`, ctx: { ...base, env: envJson[i], stage: envJson[i]!.stages[s.name] } })));
    } else if (f.perEnvironment) {
      environments.forEach((e, i) => instances.push({ name: `${e.name}.${fname}`, ctx: { ...base, env: envJson[i] } }));
    } else {
      instances.push({ name: fname, ctx: base });
    }
    for (const inst of instances) {
      const path = rootPath(text(f.path, inst.ctx, at('path')), at('path'));
      let content: string;
      if (f.json !== undefined) {
        const r = renderValue(f.json, inst.ctx);
        for (const u of r.unknown) unknownPlaceholder(report, inst.ctx, u, at('json'));
        content = `${JSON.stringify(r.value, null, 2)}\n`;
      } else {
        content = text(f.content!, inst.ctx, at('content'));
      }
      // A sensitive stage variable rendered into a file makes the file's content sensitive.
      const secret = secrets.some((s) => s.length > 0 && content.includes(s));
      out.push({ resource: resource('file', inst.name, { path, content, mode: f.mode ?? '0644' }, [], secret ? { sensitive: ['content'] } : {}), at: at('path') });
    }
  }
  return out;
}

/** Two resources writing one file would fight each other on every apply. */
function checkWriters(writers: readonly Writer[], checks: Checks): void {
  const byPath = new Map<string, Writer>();
  for (const w of writers) {
    const other = byPath.get(w.path);
    if (other) checks.once('writes', w.at, `${w.address} would write ${w.path}, which ${other.address} already writes`, 'give each its own path (use {env} or {stage.name} in templated paths)');
    else byPath.set(w.path, w);
  }
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

function addWorktreeDependency(r: Resource, environments: readonly EnvironmentInfo[]): Resource {
  if (r.kind === 'git_worktree' || r.kind === 'git_branch') return r;
  const path = r.kind === 'tmux_session' ? r.attributes.cwd : r.attributes.path;
  if (typeof path !== 'string') return r;
  const env = environments.find((e) => path === e.path || path.startsWith(`${e.path}/`));
  const dep = env ? `git_worktree.${env.name}` : undefined;
  if (!dep || r.dependsOn.includes(dep)) return r;
  return { ...r, dependsOn: [...r.dependsOn, dep] };
}
