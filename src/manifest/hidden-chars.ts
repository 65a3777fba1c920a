/** Names are what they show: a bidirectional control (U+202A–202E, U+2066–2069, U+200E/200F, U+061C)
 *  reorders what a terminal prints and a zero-width character (U+200B–200D, U+2060, U+FEFF, U+180E,
 *  U+00AD soft hyphen) prints as nothing, so `dev1` and `dev\u200b1` would look like one name. Such
 *  characters are refused in every key of the manifest and every value that names something; free
 *  text (commands, file contents, values of variables) may hold them. Pure. */
import type { PathSegment } from './parse.js';

const HIDDEN = /[\u061c\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** `U+202E (right-to-left override)` for the first hidden character of `s`, or undefined. */
export function hiddenCharProblem(s: string): string | undefined {
  const m = HIDDEN.exec(s);
  if (!m) return undefined;
  const code = m[0].codePointAt(0)!;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const bidi = (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code === 0x200e || code === 0x200f || code === 0x061c;
  return `"${escapeHidden(s)}" contains U+${hex} (${bidi ? 'a bidirectional control' : 'an invisible character'}), so it would print as another name`;
}

/** Only escapes `\uXXXX` for what JSON.stringify leaves raw: the message must not itself reorder the line. */
export function escapeHidden(s: string): string {
  return s.replace(new RegExp(HIDDEN.source, 'gu'), (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** Values that name something (a session, branch, path, environment, group…), by their key. */
const NAME_KEYS = new Set(['project', 'name', 'names', 'branch', 'base', 'path', 'migrations', 'schema', 'provider', 'env', 'group', 'groups', 'state', 'session', 'dependsOn', 'after', 'host']);

export type HiddenCharFinding = { readonly path: readonly PathSegment[]; readonly message: string; readonly at: 'key' | 'value' };

/** Every key, and every string under a naming key (also inside lists), holding a hidden character. */
export function findHiddenChars(doc: unknown): HiddenCharFinding[] {
  const out: HiddenCharFinding[] = [];
  const walk = (v: unknown, path: PathSegment[], naming: boolean) => {
    if (typeof v === 'string') {
      const p = naming ? hiddenCharProblem(v) : undefined;
      if (p) out.push({ path, message: p, at: 'value' });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i], naming));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const p = hiddenCharProblem(k);
        if (p) out.push({ path: [...path, k], message: `key ${p}`, at: 'key' });
        walk(x, [...path, k], NAME_KEYS.has(k));
      }
    }
  };
  walk(doc, [], false);
  return out;
}
