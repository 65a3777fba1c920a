/** Counts and templates → concrete resources with addresses and dependencies. Pure: every fact
 *  from the disk (migration files, ports allocated before, gaia's environment) comes in as an argument. */
import { resource, type Json, type Resource } from '../core/resource.js';
import { allocatePorts } from '../core/ports.js';
import { branchNameProblem, insideRoot, tmuxNameProblem } from './names.js';
import { renderText, renderValue, shellQuote, type TemplateContext } from './template.js';
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

export function expand(m: Manifest, facts: ExpandFacts): Expanded {
  const problems: Problem[] = [];
  const report = (path: PathSegment[], message: string, fix?: string, at?: 'key' | 'value') =>
    problems.push({ path, message, ...(fix ? { fix } : {}), ...(at ? { at } : {}) });

  const text = (template: string, ctx: TemplateContext, path: PathSegment[], quote?: (s: string) => string): string => {
    const r = renderText(template, ctx, quote);
    for (const u of r.unknown) report(path, `unknown placeholder {${u}}`, `available here: ${Object.keys(ctx).map((k) => `{${k}}`).join(', ')}`);
    return r.value;
  };
  const rootPath = (p: string, path: PathSegment[]): string => {
    const inside = insideRoot(p);
    if (inside === undefined) report(path, `path "${p}" escapes the project root`, 'use a path inside the manifest\'s folder');
    return inside ?? p;
  };

  const environments = expandEnvironments(m, facts, report, text, rootPath);
  const envByName = new Map(environments.map((e) => [e.name, e]));
  const resources: Resource[] = [];

  // Environments: branch → worktree, then per stage a port and a database.
  const repoPath = rootPath(m.repository?.path ?? '.', ['repository', 'path']);
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
        const source = spec.database.migrations ?? spec.database.schema;
        const where: PathSegment[] = ['environments', 'stages', stage.name, 'database', spec.database.migrations ? 'migrations' : 'schema'];
        const migrations = source === undefined ? [] : facts.migrations[source];
        if (migrations === undefined) report(where, `"${source}" does not exist`, 'create it or fix the path (relative to the manifest)');
        resources.push(resource('sqlite_database', `${env.name}.${stage.name}`, {
          path: stage.database,
          migrations: (migrations ?? []).map((x) => ({ name: x.name, file: x.file, sha256: x.sha256 })),
          preventDestroy: spec.database.preventDestroy ?? false,
        }, [wt]));
      }
    }
  }

  const groups = expandGroups(m, environments, envByName, facts, report, text, rootPath);
  for (const g of groups) for (const s of g.sessions) resources.push(s.resource);

  resources.push(...expandFiles(m, environments, report, text, rootPath));
  checkRouting(m, groups, report);

  // Anything inside an environment's directory waits for its worktree.
  const withDeps = resources.map((r) => addWorktreeDependency(r, environments));
  return { environments, groups: groups.map((g) => g.info), resources: withDeps, problems };
}

type Report = (path: PathSegment[], message: string, fix?: string, at?: 'key' | 'value') => void;
type Text = (template: string, ctx: TemplateContext, path: PathSegment[], quote?: (s: string) => string) => string;
type RootPath = (p: string, path: PathSegment[]) => string;

function expandEnvironments(m: Manifest, facts: ExpandFacts, report: Report, text: Text, rootPath: RootPath): EnvironmentInfo[] {
  const spec = m.environments;
  if (!spec) return [];
  let names: string[];
  if (spec.names) {
    if (spec.count !== undefined) report(['environments', 'count'], 'give either count (with name) or names, not both');
    names = [...spec.names];
  } else if (spec.count !== undefined) {
    const pattern = spec.name ?? 'env{n}';
    if (spec.count > 1 && !pattern.includes('{n}')) report(['environments', 'name'], `pattern "${pattern}" has no {n}, so all ${spec.count} environments get the same name`, 'add {n}, e.g. dev{n}');
    names = Array.from({ length: spec.count }, (_, i) => text(pattern, { n: i + 1 }, ['environments', 'name']));
  } else {
    report(['environments'], 'missing count or names', 'add count: 5 and name: dev{n}, or names: [dev1, dev2]');
    return [];
  }

  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const where: PathSegment[] = spec.names ? ['environments', 'names', i] : ['environments', 'name'];
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) report(where, `environment name "${name}" is not allowed`, 'use letters, digits, "_" or "-"');
    if (seen.has(name)) report(where, `environment "${name}" is defined twice`);
    seen.set(name, i);
  });

  const base = spec.base ?? m.repository?.base ?? 'main';
  const stageNames = Object.keys(spec.stages ?? {});
  const portRequests = names.flatMap((env) =>
    stageNames.flatMap((stage) => {
      const p = spec.stages![stage]!.port;
      if (p === undefined) return [];
      return [typeof p === 'number' ? { key: `${env}.${stage}`, explicit: p } : { key: `${env}.${stage}`, range: [p.range[0], p.range[1]] as [number, number] }];
    }),
  );
  for (const stage of stageNames) {
    const p = spec.stages![stage]!.port;
    if (typeof p === 'object' && p.range[0] > p.range[1]) report(['environments', 'stages', stage, 'port', 'range'], `range ${p.range[0]}-${p.range[1]} is empty`, 'write [low, high]');
  }
  const allocation = allocatePorts(portRequests, facts.previousPorts);
  for (const e of allocation.errors) {
    const stage = e.key.slice(e.key.indexOf('.') + 1);
    report(['environments', 'stages', stage, 'port'], `${e.key}: ${e.text}`, 'widen the range or use fewer environments');
  }
  // Two stages on one port is a clash whatever the allocator did.
  const byPort = new Map<number, string>();
  for (const [key, port] of Object.entries(allocation.ports)) {
    const other = byPort.get(port);
    const stage = key.slice(key.indexOf('.') + 1);
    if (other) report(['environments', 'stages', stage, 'port'], `port ${port} for ${key} is already used by ${other}`, 'give each stage its own port or range');
    else byPort.set(port, key);
  }

  return names.map((name, i) => {
    const ctx = { env: name, n: i + 1 };
    const path = rootPath(text(spec.path ?? 'envs/{env}', ctx, ['environments', 'path']), ['environments', 'path']);
    const branch = text(spec.branch ?? 'env/{env}', ctx, ['environments', 'branch']);
    const branchProblem = branchNameProblem(branch);
    if (branchProblem) report(['environments', 'branch'], branchProblem, 'use letters, digits, "/", "-" and "_"');
    if (path === '.') report(['environments', 'path'], `environment "${name}" would live in the project root itself`, 'use a folder per environment, e.g. envs/{env}');
    const stages: StageInfo[] = stageNames.map((stageName) => {
      const st = spec.stages![stageName]!;
      const dbRel = st.database ? `${path}/${st.database.path}` : undefined;
      const database = dbRel === undefined ? undefined : rootPath(dbRel, ['environments', 'stages', stageName, 'database', 'path']);
      const port = allocation.ports[`${name}.${stageName}`];
      return { name: stageName, ...(port !== undefined ? { port } : {}), ...(database ? { database } : {}), vars: plainVars(st.vars) };
    });
    return { name, index: i + 1, path, branch, base, source: spec.source ?? 'worktree', sync: spec.sync ?? 'rebase', stages };
  });
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
  report: Report,
  text: Text,
  rootPath: RootPath,
): ExpandedGroup[] {
  const sessionOwner = new Map<string, string>();
  const out: ExpandedGroup[] = [];
  for (const [gname, g] of Object.entries(m.groups ?? {})) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['groups', gname, ...rest];
    const slots = groupSlots(gname, g, environments, envByName, report, at);
    if (g.provider !== undefined && Array.isArray(g.provider) && g.provider.length !== slots.length) {
      report(at('provider'), `lists ${g.provider.length} providers for ${slots.length} sessions`, 'give one provider per session, or a single name');
    }
    const pattern = g.name ?? (g.perEnvironment ? `{env}_${gname}` : slots.length > 1 ? `${gname}{n}` : gname);
    if (!g.names && slots.length > 1 && !/\{(n|env)\}/.test(pattern)) {
      report(at('name'), `pattern "${pattern}" has no {n} or {env}, so all ${slots.length} sessions get the same name`, 'add {n}, e.g. worker{n}');
    }

    const sessions = slots.map((slot, i) => {
      const ctx = { n: i + 1, env: slot.env ?? null, group: gname, project: m.project };
      const name = g.names ? g.names[i]! : text(pattern, { ...ctx, env: slot.env?.name ?? '' }, at('name'));
      const nameAt = g.names ? at('names', i) : at('name');
      const nameProblem = tmuxNameProblem(name);
      if (nameProblem) report(nameAt, nameProblem);
      const previous = sessionOwner.get(name);
      if (previous) report(nameAt, `session "${name}" is also made by group ${previous}`, 'give the groups different name patterns');
      sessionOwner.set(name, gname);

      const providerName = Array.isArray(g.provider) ? g.provider[i] ?? null : (g.provider as string | undefined) ?? null;
      const provider = providerName ? m.providers?.[providerName] : undefined;
      if (providerName && !provider) {
        report(Array.isArray(g.provider) ? at('provider', i) : at('provider'), `unknown provider "${providerName}"`, `defined providers: ${Object.keys(m.providers ?? {}).join(', ') || 'none'}`);
      }
      const command = g.command ?? provider?.command;
      if (command === undefined && (!providerName || provider)) report(at(), 'sessions have no command', 'set command, or a provider that has one');

      const cwd = slot.env ? slot.env.path : rootPath(g.cwd ?? '.', at('cwd'));
      const sessionCtx = { ...ctx, session: name, path: cwd };
      const vars = resolveVars({ ...(provider?.vars ?? {}), ...(g.vars ?? {}) }, facts, report, at('vars'));
      const env: Record<string, string> = { ...vars.values, GAIA_SESSION: name, GAIA_GROUP: gname, ...(slot.env ? { GAIA_ENV: slot.env.name } : {}) };
      const agent = provider?.agent ?? false;
      const attributes = {
        name,
        command: renderCommand(command ?? 'true', sessionCtx, text, at('command')),
        cwd,
        env,
        group: gname,
        provider: providerName,
        agent,
      };
      const r = resource('tmux_session', name, attributes, [], vars.sensitive.length ? { sensitive: vars.sensitive.map((k) => `env.${k}`) } : {});
      const info: SessionInfo = {
        name, address: r.address, group: gname, provider: providerName, cwd, agent,
        ...(slot.env ? { env: slot.env.name } : {}),
        costPerMonth: g.costPerSession ?? provider?.costPerMonth ?? 0,
      };
      return { ...info, resource: r };
    });
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
  report: Report, at: (...rest: PathSegment[]) => PathSegment[],
): { env?: EnvironmentInfo }[] {
  const ways = [g.count !== undefined, g.perEnvironment === true, g.names !== undefined].filter(Boolean).length;
  if (ways === 0) {
    report(at(), `group ${gname} says neither count, perEnvironment nor names`, 'add count: N, perEnvironment: true or names: [...]');
    return [];
  }
  if (ways > 1) report(at(), 'give only one of count, perEnvironment and names');
  let fixedEnv: EnvironmentInfo | undefined;
  if (g.env !== undefined) {
    fixedEnv = envByName.get(g.env);
    if (!fixedEnv) report(at('env'), `unknown environment "${g.env}"`, `environments: ${environments.map((e) => e.name).join(', ') || 'none defined'}`);
    if (g.perEnvironment) report(at('env'), 'a perEnvironment group works in every environment; remove env');
    if (g.cwd !== undefined) report(at('cwd'), 'give either env or cwd, not both');
  }
  if (g.perEnvironment) {
    if (environments.length === 0) report(at('perEnvironment'), 'there are no environments to attach the group to');
    return environments.map((env) => ({ env }));
  }
  const n = g.names ? g.names.length : g.count ?? 0;
  return Array.from({ length: n }, () => (fixedEnv ? { env: fixedEnv } : {}));
}

function renderCommand(command: Command, ctx: TemplateContext, text: Text, where: PathSegment[]): Json {
  // In a string command the shell will parse the result, so substituted values are quoted; argv elements are data already.
  if (typeof command === 'string') return text(command, ctx, where, shellQuote);
  return command.map((arg, i) => text(arg, ctx, [...where, i]));
}

function plainVars(vars: EnvVars | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars ?? {})) if (typeof v !== 'object') out[k] = String(v);
  return out;
}

function resolveVars(vars: EnvVars, facts: ExpandFacts, report: Report, where: PathSegment[]): { values: Record<string, string>; sensitive: string[] } {
  const values: Record<string, string> = {};
  const sensitive: string[] = [];
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'object') {
      values[k] = String(v);
      continue;
    }
    if ((v.value === undefined) === (v.fromEnv === undefined)) {
      report([...where, k], 'give exactly one of value and fromEnv');
      continue;
    }
    const value = v.value ?? facts.environ[v.fromEnv!];
    if (value === undefined) {
      report([...where, k, 'fromEnv'], `environment variable ${v.fromEnv} is not set`, `export ${v.fromEnv}=… before running gaia`);
      continue;
    }
    values[k] = value;
    if (v.sensitive) sensitive.push(k);
  }
  return { values, sensitive };
}

function expandFiles(m: Manifest, environments: readonly EnvironmentInfo[], report: Report, text: Text, rootPath: RootPath): Resource[] {
  const out: Resource[] = [];
  const envJson = environments.map((e) => ({
    name: e.name, path: e.path, branch: e.branch, base: e.base,
    stages: Object.fromEntries(e.stages.map((s) => [s.name, { name: s.name, port: s.port ?? null, database: s.database ?? null, vars: s.vars }])),
  }));
  for (const [fname, f] of Object.entries(m.files ?? {})) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['files', fname, ...rest];
    if ((f.content === undefined) === (f.json === undefined)) {
      report(at(), 'give exactly one of content and json');
      continue;
    }
    if (f.perEnvironment && f.perStage) report(at(), 'give only one of perEnvironment and perStage');
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
        for (const u of r.unknown) report(at('json'), `unknown placeholder {${u}}`);
        content = `${JSON.stringify(r.value, null, 2)}\n`;
      } else {
        content = text(f.content!, inst.ctx, at('content'));
      }
      out.push(resource('file', inst.name, { path, content, mode: f.mode ?? '0644' }));
    }
  }
  return out;
}

function checkRouting(m: Manifest, groups: readonly ExpandedGroup[], report: Report): void {
  const byName = new Map(groups.map((g) => [g.info.name, g.info]));
  const known = `groups: ${[...byName.keys()].join(', ') || 'none'}`;
  (m.routing?.rules ?? []).forEach((rule, i) => {
    const g = byName.get(rule.group);
    if (!g) report(['routing', 'rules', i, 'group'], `unknown group "${rule.group}"`, known);
    else if (rule.env && !g.perEnvironment) report(['routing', 'rules', i, 'group'], `group ${rule.group} is not perEnvironment, so it has no session per environment`, 'route env tasks to a perEnvironment group');
  });
  if (m.routing?.default !== undefined && !byName.has(m.routing.default)) report(['routing', 'default'], `unknown group "${m.routing.default}"`, known);
  const baseline = m.cost?.baseline;
  if (baseline?.provider !== undefined && !m.providers?.[baseline.provider]) report(['cost', 'baseline', 'provider'], `unknown provider "${baseline.provider}"`);
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
