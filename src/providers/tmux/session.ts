/** The `tmux_session` resource: its desired shape, read leniently from attributes (the manifest's
 *  validation owns strictness), and the marks gaia leaves on a session it creates. Pure. */
import type { Attributes, Json } from '../../core/resource.js';

export const SESSION_KIND = 'tmux_session';

export interface SessionSpec {
  readonly name: string;
  /** A string is run by tmux through the shell (the manifest author wrote it); an array is exec'd as argv. */
  readonly command: string | readonly string[];
  /** Relative to the project root; '.' is the root. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly group: string;
  readonly provider: string | null;
  readonly agent: boolean;
  /** Keep the pane (and its last output) when the program exits, so a crash is seen as `paneDead`.
   *  Default true. Costly at scale: see createCommands. */
  readonly remainOnExit: boolean;
}

/**
 * What gaia writes on a session it creates. These live in the session's environment (`new-session -e`)
 * rather than in `@user-options`: tmux 3.3a rescans every session and window after each `set-option`
 * (options_push_changes), so an option per session grows with the square of the sessions (measured:
 * one set-option per session took tmux's CPU time for 2,500 sessions from ~10 s to ~26 s). A session
 * variable costs nothing extra, and formats read it (`#{GAIA_SPEC}` falls back to the session
 * environment). The program in the pane sees them too (harmless: it learns its gaia address).
 */
export const MARK_SPEC = 'GAIA_SPEC';
export const MARK_ADDRESS = 'GAIA_ADDRESS';
/** JSON `{group, provider, agent}`: what `update` changes in place and hazards need to see. */
export const MARK_META = 'GAIA_META';
/** The project (`name@root`) that made the session: another project's same-named session is a conflict. */
export const MARK_PROJECT = 'GAIA_PROJECT';
export const MARK_NAMES: readonly string[] = [MARK_SPEC, MARK_ADDRESS, MARK_META, MARK_PROJECT];

export interface SessionMark {
  readonly spec: string;
  readonly project?: string;
  readonly address: string;
  readonly group: string;
  readonly provider: string | null;
  readonly agent: boolean;
}

export type SessionMeta = Pick<SessionMark, 'group' | 'provider' | 'agent'>;

export function addressOf(name: string): string {
  return `${SESSION_KIND}.${name}`;
}

/** The session name: the `name` attribute, else the address without its kind. */
export function nameOf(address: string, attributes: Attributes | undefined): string {
  const n = attributes?.name;
  if (typeof n === 'string' && n !== '') return n;
  return address.startsWith(`${SESSION_KIND}.`) ? address.slice(SESSION_KIND.length + 1) : address;
}

const text = (v: Json | undefined, fallback: string): string => (typeof v === 'string' ? v : v === undefined || v === null ? fallback : String(v));

export function readSessionSpec(address: string, attributes: Attributes): SessionSpec {
  const c = attributes.command;
  const command = Array.isArray(c) ? (c as readonly Json[]).map((x) => text(x, '')) : text(c, '');
  const envIn = attributes.env;
  const env: Record<string, string> = {};
  if (envIn && typeof envIn === 'object' && !Array.isArray(envIn)) {
    for (const [k, v] of Object.entries(envIn as { readonly [k: string]: Json })) env[k] = text(v, '');
  }
  const provider = attributes.provider;
  return {
    name: nameOf(address, attributes),
    command,
    cwd: text(attributes.cwd, '.') || '.',
    env,
    group: text(attributes.group, ''),
    provider: typeof provider === 'string' ? provider : null,
    agent: attributes.agent === true,
    remainOnExit: attributes.remainOnExit !== false,
  };
}

export function encodeMeta(meta: SessionMeta): string {
  return JSON.stringify({ group: meta.group, provider: meta.provider, agent: meta.agent });
}

export function decodeMeta(raw: string): SessionMeta | undefined {
  if (raw === '') return undefined;
  try {
    const v = JSON.parse(raw) as { group?: unknown; provider?: unknown; agent?: unknown };
    if (typeof v !== 'object' || v === null) return undefined;
    return {
      group: typeof v.group === 'string' ? v.group : '',
      provider: typeof v.provider === 'string' ? v.provider : null,
      agent: v.agent === true,
    };
  } catch {
    return undefined;
  }
}

/** tmux would rename (`.`, `:`) or cannot target such a name; the manifest checks this too. */
export function sessionNameProblem(name: string): string | undefined {
  if (name === '') return 'a tmux session name cannot be empty';
  if (/[.:]/.test(name)) return `tmux would rename "${name}" (it replaces "." and ":" in session names)`;
  if (/[\x00-\x1f\x7f]/.test(name)) return 'a tmux session name cannot contain control characters';
  return undefined;
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'fish', 'dash', 'ksh', 'mksh', 'ash', 'csh', 'tcsh', 'nu', 'elvish', 'xonsh', 'pwsh', 'busybox']);

/** A login shell shows as `-bash`; a shell prompt in a pane means no program of value is running. */
export function isShell(command: string): boolean {
  return SHELLS.has(command.replace(/^-/, '').replace(/^.*\//, ''));
}
