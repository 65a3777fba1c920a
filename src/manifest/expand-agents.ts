/** The agent parts of the manifest, expanded: conversation templates of providers (`start`,
 *  `resume` with `{conversation}`), per group `ready`, `hooks` and `policy` (staggered starts, a
 *  budget), environment hooks, and checks of the regular expressions. Pure. */
import { DEFAULT_HOOK_TIMEOUT_MS, DEFAULT_READY_TIMEOUT_MS, DEFAULT_START_INTERVAL_MS } from '../agents/defaults.js';
import { durationMs } from '../agents/duration.js';
import { patternProblem } from '../agents/profile.js';
import type { Checks } from './checks.js';
import type { GroupInfo, HookInfo, HooksInfo } from './model.js';
import type { PathSegment } from './parse.js';
import type { Command, GroupSpec, HookSpec, HooksSpec, Manifest, ProviderSpec } from './types.js';

/** Stays in a session's command until apply puts the conversation identifier there. */
export { CONVERSATION } from '../providers/tmux/conversation.js';

export interface CommandSource {
  readonly command: Command | undefined;
  /** Where a problem in it is reported. */
  readonly at: readonly PathSegment[];
  /** The provider's resume template, when the command is the provider's (a group's own command has none). */
  readonly resume?: { readonly command: Command; readonly at: readonly PathSegment[] };
  /** `{conversation}` may appear (a provider's start or command). */
  readonly conversation: boolean;
}

/** A group's own command wins; else the provider's start template, else its command. */
export function commandSource(g: GroupSpec, provider: ProviderSpec | undefined, providerName: string | null, groupAt: readonly PathSegment[]): CommandSource {
  if (g.command !== undefined || !provider || providerName === null) return { command: g.command ?? provider?.command, at: [...groupAt, 'command'], conversation: false };
  const at: PathSegment[] = provider.start !== undefined ? ['providers', providerName, 'start'] : [...groupAt, 'command'];
  return {
    command: provider.start ?? provider.command,
    at,
    conversation: true,
    ...(provider.resume !== undefined ? { resume: { command: provider.resume, at: ['providers', providerName, 'resume'] } } : {}),
  };
}

const isCommand = (h: HookSpec): h is Command => typeof h === 'string' || Array.isArray(h);

function hookOf(h: HookSpec): HookInfo {
  if (isCommand(h)) return { command: h, timeoutMs: DEFAULT_HOOK_TIMEOUT_MS };
  return { command: h.command, timeoutMs: durationMs(h.timeout, DEFAULT_HOOK_TIMEOUT_MS), ...(h.description ? { description: h.description } : {}) };
}

function hooksOf(spec: HooksSpec | undefined): HooksInfo | undefined {
  if (!spec) return undefined;
  const out = { after_create: (spec.after_create ?? []).map(hookOf), before_destroy: (spec.before_destroy ?? []).map(hookOf) };
  return out.after_create.length || out.before_destroy.length ? out : undefined;
}

export const environmentHooks = (m: Manifest): HooksInfo | undefined => hooksOf(m.environments?.hooks);

const money = (n: number): number => Math.round(n * 100) / 100;

/** A group's ready gate, hooks and policy; a budget it exceeds is a warning, or an error with onBudget: refuse. */
export function groupExtras(
  gname: string, g: GroupSpec, monthlyPerSession: readonly number[], checks: Checks, at: (...rest: PathSegment[]) => PathSegment[], warnings: string[],
): Pick<GroupInfo, 'ready' | 'hooks' | 'policy'> {
  const ready = g.ready ? { pattern: g.ready.pattern, timeoutMs: durationMs(g.ready.timeout, DEFAULT_READY_TIMEOUT_MS) } : undefined;
  if (ready) {
    const problem = patternProblem(ready.pattern);
    if (problem) checks.report(at('ready', 'pattern'), `ready.pattern is ${problem}`, 'write a JavaScript regular expression, e.g. "^> " or "\\\\? for shortcuts"');
  }
  const p = g.policy;
  const policy = p ? {
    ...(p.maxConcurrentStarts !== undefined ? { maxConcurrentStarts: p.maxConcurrentStarts } : {}),
    startIntervalMs: durationMs(p.startInterval, DEFAULT_START_INTERVAL_MS),
    ...(p.budget !== undefined ? { budget: p.budget } : {}),
    onBudget: p.onBudget ?? 'warn',
  } as const : undefined;
  if (policy?.budget !== undefined) {
    const monthly = money(monthlyPerSession.reduce((n, c) => n + c, 0) + (g.costAdjustment ?? 0));
    if (monthly > policy.budget) {
      const over = `group ${gname} costs $${monthly} a month, $${money(monthly - policy.budget)} over its budget of $${policy.budget}`;
      if (policy.onBudget === 'refuse') checks.report(at('policy', 'budget'), `${over} (policy.onBudget: refuse)`, 'run fewer sessions or cheaper providers, raise policy.budget, or set policy.onBudget: warn');
      else warnings.push(over);
    }
  }
  const hooks = hooksOf(g.hooks);
  return { ...(ready ? { ready } : {}), ...(hooks ? { hooks } : {}), ...(policy ? { policy } : {}) };
}

/** Every provider runs something (command, or start), and its agent patterns compile. */
export function checkProviders(m: Manifest, checks: Checks): void {
  for (const [name, p] of Object.entries(m.providers ?? {})) {
    if (p.command === undefined && p.start === undefined) {
      checks.report(['providers', name], 'missing required field "command"', 'add command: the program sessions run, e.g. command: bash (or start: for an agent that resumes conversations)');
    }
    if (typeof p.agent !== 'object') continue;
    for (const [key, source] of Object.entries(p.agent.patterns ?? {})) {
      if (typeof source !== 'string') continue;
      const problem = patternProblem(source);
      if (problem) checks.report(['providers', name, 'agent', 'patterns', key], `agent.patterns.${key} is ${problem}`, 'write a JavaScript regular expression; escape ( ) [ ] ? * + with a backslash to match them literally');
    }
  }
}
