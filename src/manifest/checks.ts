/** How the expansion steps report problems (deduplicated, once per place) and render templates. Pure. */
import { insideRoot } from './names.js';
import { placeholderHelp, renderText, type TemplateContext } from './template.js';
import type { Problem } from './model.js';
import type { EnvVars } from './types.js';
import type { PathSegment } from './parse.js';

/** How the expansion steps report problems and render templates. */
export interface Checks {
  report(path: readonly PathSegment[], message: string, fix?: string, at?: 'key' | 'value'): void;
  /** Report only the first problem of this kind at this place: a template repeated per environment or
   *  session would otherwise give one error per copy for one mistake. */
  once(kind: string, path: readonly PathSegment[], message: string, fix?: string): void;
  text(template: string, ctx: TemplateContext, path: readonly PathSegment[], quote?: (s: string) => string): string;
  /** A path normalised inside the project root; reported (and returned as written) when it leaves it. */
  rootPath(p: string, path: readonly PathSegment[]): string;
}

export function makeChecks(): { readonly checks: Checks; readonly problems: readonly Problem[] } {
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
  return { checks, problems };
}

/** Scoped placeholders ({env}, {stage}) get their own explanation: they exist, just not here. */
const SCOPED: { readonly [root: string]: string } = {
  env: 'only sessions of a perEnvironment group (or a group with env:) and perEnvironment or perStage files have an {env}',
  stage: 'only perStage files have a {stage}',
  conversation: 'only a provider\'s start, command and resume templates have a {conversation} (a group\'s own command does not)',
};

export function unknownPlaceholder(report: Checks['report'], ctx: TemplateContext, name: string, path: readonly PathSegment[]): void {
  const root = name.split('.')[0]!;
  const scoped = SCOPED[root];
  if (scoped && !(root in ctx)) {
    const what = root === 'env' ? 'environment' : root === 'stage' ? 'stage' : 'conversation';
    report(path, `placeholder {${name}} has no value here: there is no ${what} in scope`, scoped);
    return;
  }
  const help = placeholderHelp(ctx, name);
  report(path, `unknown placeholder {${name}}${help.suggestion ? ` (did you mean {${help.suggestion}}?)` : ''}`,
    help.available.length ? `available here: ${help.available.map((k) => `{${k}}`).join(', ')}; write {{ for a literal brace` : undefined);
}

export interface ResolvedVars {
  readonly values: Record<string, string>;
  readonly sensitive: readonly string[];
}

export function resolveVars(vars: EnvVars, environ: { readonly [name: string]: string | undefined }, checks: Checks, where: PathSegment[]): ResolvedVars {
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
    const value = v.value ?? environ[v.fromEnv!];
    if (value === undefined) {
      checks.report([...where, k, 'fromEnv'], `environment variable ${v.fromEnv} is not set`, `export ${v.fromEnv}=… before running gaia`);
      continue;
    }
    values[k] = value;
    if (v.sensitive) sensitive.push(k);
  }
  return { values, sensitive };
}
