/** Environments: names, directories, branches, stage ports (stable allocation) and databases. Pure. */
import { allocatePorts, type PortRequest } from '../core/ports.js';
import { branchNameProblem, insideRoot } from './names.js';
import { countProblem, MAX_COUNT } from './limits.js';
import { resolveVars, type Checks } from './checks.js';
import { environmentHosts } from './hosts.js';
import type { ExpandFacts, Migration } from './expand.js';
import type { EnvironmentInfo, StageInfo } from './model.js';
import type { Manifest } from './types.js';
import type { PathSegment } from './parse.js';

export function databaseMigrations(
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

export function expandEnvironments(m: Manifest, facts: ExpandFacts, checks: Checks): { environments: EnvironmentInfo[]; secrets: string[] } {
  const spec = m.environments;
  if (!spec) return { environments: [], secrets: [] };
  const { report, once, text, rootPath } = checks;
  let names: string[];
  let patternBroken = false;
  if (spec.names) {
    if (spec.count !== undefined) report(['environments', 'count'], 'give either count (with name) or names, not both', 'remove count, or replace names with name: dev{n}');
    names = [...spec.names];
  } else if (spec.count !== undefined) {
    const tooMany = countProblem(spec.count);
    if (tooMany) {
      report(['environments', 'count'], tooMany, `use a count from 1 to ${MAX_COUNT}`);
      return { environments: [], secrets: [] };
    }
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

  const hosts = environmentHosts(m, names.length, checks);
  const stageNames = Object.keys(spec.stages ?? {});
  const ports = allocateStagePorts(stageNames, spec.stages ?? {}, onEachHost(names, hosts, spec.hosts !== undefined), facts, checks);

  // Stage variables are resolved once per stage: they are the same in every environment.
  const secrets: string[] = [];
  const stageVars = new Map(stageNames.map((stage) => {
    const r = resolveVars(spec.stages![stage]!.vars ?? {}, facts.environ, checks, ['environments', 'stages', stage, 'vars']);
    for (const k of r.sensitive) if (r.values[k]) secrets.push(r.values[k]!);
    return [stage, r.values] as const;
  }));

  const base = spec.base ?? m.repository?.base ?? 'main';
  const pathAt: PathSegment[] = ['environments', 'path'];
  const branchAt: PathSegment[] = ['environments', 'branch'];
  const byPath = new Map<string, string>();
  const byBranch = new Map<string, string>();
  const environments = names.map((name, i): EnvironmentInfo => {
    const host = hosts[i];
    // The local repository is not on another host: an environment there is a clone.
    const source = host !== undefined ? 'clone' : spec.source ?? 'worktree';
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
    // Directories are per host: environments on two hosts may both live in envs/app.
    const pathKey = `${host ?? ''}\0${path}`;
    const otherPath = byPath.get(pathKey);
    if (otherPath && otherPath !== name && !patternBroken) once('env-path', pathAt, `environments ${otherPath} and ${name} would share the directory ${path}${host !== undefined ? ` on host ${host}` : ''}`, 'put {env} in the path, e.g. envs/{env}');
    byPath.set(pathKey, name);
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
    return { name, index: i + 1, path, branch, base, source, sync: spec.sync ?? 'rebase', stages, ...(host !== undefined ? { host } : {}) };
  });
  return { environments, secrets };
}

/** The environments that share one host's ports, host by host (this machine is one of them). */
interface HostEnvironments {
  readonly names: readonly string[];
  /** ` on host gpu1`, ` on this machine`; nothing while every environment is here (the messages of old). */
  readonly where: string;
}

function onEachHost(names: readonly string[], hosts: readonly (string | undefined)[], spread: boolean): HostEnvironments[] {
  const byHost = new Map<string | undefined, string[]>();
  names.forEach((name, i) => {
    const list = byHost.get(hosts[i]) ?? [];
    list.push(name);
    byHost.set(hosts[i], list);
  });
  return [...byHost].map(([host, list]) => ({ names: list, where: !spread ? '' : host === undefined ? ' on this machine' : ` on host ${host}` }));
}

/** Ports for every environment × stage, one host at a time (environments on two hosts may take the
 *  same port): fixed ones as written, ranges through the stable allocator. */
function allocateStagePorts(
  stageNames: readonly string[],
  stages: NonNullable<NonNullable<Manifest['environments']>['stages']>,
  perHost: readonly HostEnvironments[],
  facts: ExpandFacts,
  checks: Checks,
): { readonly [key: string]: number } {
  const ports: Record<string, number> = {};
  for (const group of perHost) Object.assign(ports, allocateHostPorts(stageNames, stages, group, facts, checks));
  return ports;
}

function allocateHostPorts(
  stageNames: readonly string[],
  stages: NonNullable<NonNullable<Manifest['environments']>['stages']>,
  { names: envNames, where }: HostEnvironments,
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
        checks.once('port-fixed', at, `port ${p} is fixed, but each of the ${envNames.length} environments${where} needs its own ${stage} port`, `use a range, e.g. port: { range: [${p}, ${p + envNames.length - 1}] }`);
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
      checks.once('port', at, `port ${request.explicit} for ${e.key} is already used by ${holder ?? 'another stage'}${where}`, 'give each stage its own port');
    } else if (request.range) {
      const [lo, hi] = request.range;
      const taken: string[] = [];
      for (let p = lo; p <= hi && taken.length <= 4; p++) {
        const h = holders.get(p);
        if (h) taken.push(`${p} by ${h}`);
      }
      const list = taken.length > 4 ? `${taken.slice(0, 4).join(', ')}, …` : taken.join(', ');
      checks.once('port', at, `range ${lo}-${hi} is exhausted${where}: no free port left for ${e.key} (taken: ${list})`, 'widen the range or use fewer environments');
    }
  }
  return allocation.ports;
}
