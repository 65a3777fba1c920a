/** Secrets out of everything an apply prints or records. Providers run commands with sensitive values in
 *  clear (a session's `-e API_KEY=…`), and a failing command's message, argv and stderr carry them; one
 *  tmux invocation holds many sessions, so a failure names the others' values too. The engine therefore
 *  scrubs every value any change of the plan marks sensitive, in every form it may be printed in. */
import { maskSensitive } from '../core/mask.js';
import type { Change } from '../core/plan.js';
import type { Json } from '../core/resource.js';

const SHOWN = '(sensitive)';

/** The clear-text values at the sensitive paths of every change (after and before). */
export function secretsOf(changes: readonly Change[]): readonly string[] {
  const found = new Set<string>();
  const collect = (v: Json): string => {
    if (typeof v === 'string' || typeof v === 'number') {
      const s = String(v);
      if (s !== '' && !s.startsWith('sensitive:')) found.add(s);
    }
    return '';
  };
  for (const c of changes) {
    if (!c.sensitive?.length) continue;
    if (c.after) maskSensitive(c.after, c.sensitive, collect);
    if (c.before) maskSensitive(c.before, c.sensitive, collect);
  }
  // Also as JSON and shell display quoting would print them; longest first so no part survives.
  const forms = [...found].flatMap((s) => [s, JSON.stringify(s).slice(1, -1), s.replace(/'/g, `'\\''`)]);
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(SHOWN);
  return out;
}

type Scrubbable = { readonly error?: string; readonly argv?: readonly string[]; readonly stderr?: string; readonly notes?: readonly string[] };

/** A step result or record with its message, argv, stderr and notes scrubbed. */
export function redactFields<T extends Scrubbable>(x: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return x;
  const scrub = (s: string) => redact(s, secrets);
  return {
    ...x,
    ...(x.error !== undefined ? { error: scrub(x.error) } : {}),
    ...(x.argv ? { argv: x.argv.map(scrub) } : {}),
    ...(x.stderr !== undefined ? { stderr: scrub(x.stderr) } : {}),
    ...(x.notes ? { notes: x.notes.map(scrub) } : {}),
  };
}
