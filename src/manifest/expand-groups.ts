/** Session groups → tmux session resources: names, providers, commands, directories and variables. Pure. */
import { resource, type Json, type Resource } from '../core/resource.js';
import { DEFAULT_START_INTERVAL_MS } from '../agents/defaults.js';
import { durationMs } from '../agents/duration.js';
import { agentProfile } from '../agents/profile.js';
import { tmuxNameProblem } from './names.js';
import { countProblem, MAX_COUNT } from './limits.js';
import { didYouMean } from './suggest.js';
import { hostNamed, LOCAL_HOST, onHost } from './hosts.js';
import { renderText, shellQuote, type TemplateContext } from './template.js';
import { resolveVars, type Checks, type ResolvedVars } from './checks.js';
import type { ExpandFacts } from './expand.js';
import type { EnvironmentInfo, GroupInfo, SessionInfo } from './model.js';
import type { Command, GroupSpec, Manifest } from './types.js';
import { CONVERSATION, commandSource, groupExtras } from './expand-agents.js';
import { isAgent, presetOf } from '../agents/profile.js';
import { eventsAttribute } from '../agents/event-setup.js';
import type { PathSegment } from './parse.js';

export interface ExpandedGroup {
  readonly info: GroupInfo;
  readonly sessions: readonly (SessionInfo & { readonly resource: Resource })[];
}

export function expandGroups(
  m: Manifest,
  environments: readonly EnvironmentInfo[],
  envByName: ReadonlyMap<string, EnvironmentInfo>,
  facts: ExpandFacts,
  checks: Checks,
  /** Collects warnings that do not stop a plan (a group over its budget). */
  warnings: string[] = [],
): ExpandedGroup[] {
  const { report, once, text, rootPath } = checks;
  const sessionOwner = new Map<string, string>();
  const providerNames = Object.keys(m.providers ?? {});
  const providerVars = new Map(Object.entries(m.providers ?? {}).map(([name, p]) => [name, resolveVars(p.vars ?? {}, facts.environ, checks, ['providers', name, 'vars'])]));
  const out: ExpandedGroup[] = [];
  for (const [gname, g] of Object.entries(m.groups ?? {})) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['groups', gname, ...rest];
    const slots = groupSlots(gname, g, environments, envByName, checks, at);
    const groupHost = groupHostOf(g, m, envByName, checks, at);
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
      const source = commandSource(g, provider, providerName, at());
      const command = source.command;
      if (command === undefined && !providerName && !listMismatch) {
        report(at(), `group ${gname} has neither a command nor a provider`, 'add command: (e.g. command: bash) or provider: NAME');
      }

      // A session in an environment runs on that environment's host; the others on the group's.
      const host = slot.env ? slot.env.host : groupHost;
      const cwd = slot.env ? slot.env.path : rootPath(g.cwd ?? '.', at('cwd'));
      const sessionCtx = { ...ctx, session: name, path: cwd };
      const fromProvider: ResolvedVars = (providerName ? providerVars.get(providerName) : undefined) ?? { values: {}, sensitive: [] };
      const fromGroup = resolveVars(g.vars ?? {}, facts.environ, checks, at('vars'));
      // A group's own value replaces the provider's, sensitivity included.
      const sensitive = [...fromProvider.sensitive.filter((k) => !(k in fromGroup.values)), ...fromGroup.sensitive];
      const env: Record<string, string> = {
        ...fromProvider.values, ...fromGroup.values, GAIA_SESSION: name, GAIA_GROUP: gname, ...(slot.env ? { GAIA_ENV: slot.env.name } : {}),
      };
      const agent = isAgent(provider);
      const events = agent && providerName && provider ? eventsAttribute(presetOf(providerName, provider)) : undefined;
      // {conversation} stays as written until apply (the spec hash never sees an identifier).
      const convCtx = { ...sessionCtx, conversation: CONVERSATION };
      const limit = g.policy?.maxConcurrentStarts;
      // Where the CLI keeps its conversations (not part of the spec hash: the running program is the same).
      const store = source.conversation && providerName ? agentProfile(providerName, provider)?.conversationStore : undefined;
      const attributes = {
        name,
        command: renderCommand(command ?? 'true', source.conversation ? convCtx : sessionCtx, checks, [...source.at]),
        cwd,
        env,
        group: gname,
        provider: providerName,
        agent,
        // Absent means on (the provider's default), so existing sessions keep their spec hashes.
        ...(g.remainOnExit === false ? { remainOnExit: false } : {}),
        ...(source.resume ? { resume: renderCommand(source.resume.command, convCtx, checks, [...source.resume.at]) } : {}),
        // The CLI that reports its own state (hooks, notify), set up per session at apply; outside the spec hash.
        ...(events ? { agentEvents: events } : {}),
        ...(store ? { conversationStore: store.kind } : {}),
        ...(limit !== undefined ? { startLimit: { concurrent: limit, intervalMs: durationMs(g.policy?.startInterval, DEFAULT_START_INTERVAL_MS) } } : {}),
      };
      const r = resource('tmux_session', name, onHost(attributes, host), [], sensitive.length ? { sensitive: sensitive.map((k) => `env.${k}`) } : {});
      const info: SessionInfo = {
        name, address: r.address, group: gname, provider: providerName, cwd, agent,
        ...(slot.env ? { env: slot.env.name } : {}),
        costPerMonth: g.costPerSession ?? provider?.costPerMonth ?? 0,
        ...(host !== undefined ? { host } : {}),
      };
      return { ...info, resource: r };
    });
    for (const [other, c] of clashes) {
      const what = c.names.length === 1 ? `session "${c.names[0]}" is` : `sessions ${c.names.map((n) => `"${n}"`).join(', ')} are`;
      report(c.at, `${what} also made by group ${other}`, 'give the groups different name patterns or names');
    }
    const extras = groupExtras(gname, g, sessions.map((s) => s.costPerMonth), checks, at, warnings);
    out.push({
      info: {
        name: gname, sessions: sessions.map(({ resource: _r, ...s }) => s), costAdjustment: g.costAdjustment ?? 0,
        perEnvironment: g.perEnvironment ?? false, ...(g.description ? { description: g.description } : {}), ...extras,
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
  const tooMany = g.names ? undefined : countProblem(g.count ?? 0);
  if (tooMany) {
    report(at('count'), tooMany, `use a count from 1 to ${MAX_COUNT}`);
    return [];
  }
  const n = g.names ? g.names.length : g.count ?? 0;
  return Array.from({ length: n }, () => (fixedEnv ? { env: fixedEnv } : {}));
}

/** The remote host a group's own sessions run on (undefined: here). A perEnvironment group has none of
 *  its own, and a group in one environment runs where that environment is. */
function groupHostOf(
  g: GroupSpec, m: Manifest, envByName: ReadonlyMap<string, EnvironmentInfo>, checks: Checks, at: (...rest: PathSegment[]) => PathSegment[],
): string | undefined {
  if (g.host === undefined) return undefined;
  if (g.perEnvironment) {
    checks.report(at('host'), 'a perEnvironment group\'s sessions run on their environment\'s host', 'remove host, or spread the environments with environments.hosts');
    return undefined;
  }
  const host = hostNamed(g.host, m, at('host'), checks);
  const env = g.env !== undefined ? envByName.get(g.env) : undefined;
  const known = g.host === LOCAL_HOST || host !== undefined;
  if (env && known && env.host !== host) {
    checks.report(at('host'), `the group works in environment ${env.name}, which is ${env.host !== undefined ? `on host ${env.host}` : 'on this machine'}`, 'remove host: the sessions run where their environment is');
  }
  return host;
}

function renderCommand(command: Command, ctx: TemplateContext, checks: Checks, where: PathSegment[]): Json {
  // In a string command the shell will parse the result, so substituted values are quoted; argv elements are data already.
  if (typeof command === 'string') return checks.text(command, ctx, where, shellQuote);
  return command.map((arg, i) => checks.text(arg, ctx, [...where, i]));
}
