/** `{placeholder}` templates: `dev{n}_worker`, `{env.path}/.env.{stage.name}`. Pure.
 *  `{{` and `}}` write literal braces. A value that is an object with a `name` stands for its name in text. */
import { closest } from './suggest.js';

export type TemplateContext = { readonly [key: string]: unknown };

export interface Rendered<T> {
  readonly value: T;
  /** Placeholders the context could not resolve, as written (`env.pth`). */
  readonly unknown: readonly string[];
}

const PLACEHOLDER = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}/g;

function lookup(ctx: TemplateContext, path: string): { found: boolean; value: unknown } {
  let cur: unknown = ctx;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') return (value as { name: string }).name;
  return JSON.stringify(value ?? null);
}

/** Render a text template; `quote` wraps each substituted value (shell quoting for string commands). */
export function renderText(template: string, ctx: TemplateContext, quote: (s: string) => string = (s) => s): Rendered<string> {
  const unknown: string[] = [];
  const value = template.replace(PLACEHOLDER, (match, path: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const hit = lookup(ctx, path!);
    if (!hit.found) {
      unknown.push(path!);
      return match;
    }
    return quote(asText(hit.value));
  });
  return { value, unknown };
}

/** Render every string inside a JSON-like value; a string that is exactly one placeholder keeps the value's own type. */
export function renderValue(template: unknown, ctx: TemplateContext): Rendered<unknown> {
  const unknown: string[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}$/.exec(v);
      if (whole) {
        const hit = lookup(ctx, whole[1]!);
        if (hit.found) return hit.value;
      }
      const r = renderText(v, ctx);
      unknown.push(...r.unknown);
      return r.value;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(template), unknown };
}

/** POSIX shell single-quoting, for values substituted into a string command. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** For an unknown placeholder: the placeholders available at its level (`{stage.port}` beside `{stage.prt}`), nearest first if one is close. */
export function placeholderHelp(ctx: TemplateContext, path: string): { readonly available: readonly string[]; readonly suggestion?: string } {
  const parts = path.split('.');
  let cur: unknown = ctx;
  let prefix = '';
  for (const part of parts.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) break;
    cur = (cur as Record<string, unknown>)[part];
    prefix += `${part}.`;
  }
  const keys = cur !== null && typeof cur === 'object' && !Array.isArray(cur) ? Object.keys(cur) : [];
  const available = keys.map((k) => `${prefix}${k}`);
  const suggestion = closest(path, available);
  return { available, ...(suggestion !== undefined ? { suggestion } : {}) };
}
