/** `gaia import`: a manifest for what runs and is not gaia's — tmux sessions and git worktrees —
 *  written so that, once adopted, `gaia plan` with it says "No changes.". Pure: the facts read from
 *  tmux and git come in, the manifest (as a value) and notes about what could not be said go out.
 *
 *  Sessions are grouped by the report's naming patterns (`dev\d+_worker`, `pr_impl\d*`, …); the
 *  others form the group `existing` (the report's word for sessions that predate the system).
 *  Inside a group, sessions that share a command and a place stay together: a worker per worktree
 *  becomes `perEnvironment: true` with a `{env}` name pattern. A session whose program is a known
 *  agent CLI gets a provider of that name (`agent: true`). */
import { escapeHidden, hiddenCharProblem } from '../manifest/hidden-chars.js';
import { tmuxNameProblem } from '../manifest/names.js';
import { groupBy } from '../core/collections.js';
import { AGENT_PRESETS } from './defaults.js';
import { programName } from './profile.js';
import { REPORT_PATTERNS } from '../ops/patterns.js';
import type { AgentPreset, Command, GroupSpec, Manifest, ProviderSpec } from '../manifest/types.js';

export interface FoundSession {
  readonly name: string;
  /** Relative to the project root ('.' is the root), or absolute outside it. */
  readonly cwd: string;
  /** What tmux started in the pane, as tmux runs it: one string (through the shell) or argv; '' for the default shell. */
  readonly startCommand: Command;
  readonly currentCommand: string;
  /** gaia marked it (it is someone's manifest already). */
  readonly managed: boolean;
}

export interface FoundWorktree {
  /** Relative to the project root. */
  readonly path: string;
  /** Null when detached. */
  readonly branch: string | null;
}

export interface ImportFacts {
  readonly project: string;
  readonly socket: string | null;
  /** The main worktree's branch: the base of environment branches. */
  readonly base: string;
  readonly sessions: readonly FoundSession[];
  readonly worktrees: readonly FoundWorktree[];
  /** The shell to write for a session started without a command. */
  readonly defaultShell: string;
}

export interface ImportResult {
  readonly manifest: Manifest;
  /** What was left out, and why (written as comments). */
  readonly notes: readonly string[];
  readonly counts: { readonly sessions: number; readonly environments: number };
}

const NAME_OK = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Why the manifest validator would refuse this session name, or undefined. */
function refusedName(name: string): string | undefined {
  return tmuxNameProblem(name) ?? hiddenCharProblem(name);
}

/** A name as a note can show it: JSON-quoted (newlines, controls) with hidden characters as \\uXXXX. */
const printable = (s: string) => (/^[\x21-\x7e]+$/.test(s) ? s : escapeHidden(JSON.stringify(s)));

/** A manifest name from anything: letters, digits, `_` and `-`, starting with a letter. */
export function manifestName(raw: string, fallback: string): string {
  const s = raw.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z]+/, '');
  return NAME_OK.test(s) ? s : fallback;
}

interface EnvFound {
  readonly name: string;
  readonly path: string;
  readonly branch: string;
}

/** Worktrees as environments: one `path` and one `branch` template must fit them all; the largest
 *  set that fits one folder and one branch pattern is kept, the rest noted. */
export function environmentsOf(worktrees: readonly FoundWorktree[], notes: string[]): { readonly envs: readonly EnvFound[]; readonly path?: string; readonly branch?: string } {
  const candidates: EnvFound[] = [];
  for (const w of worktrees) {
    if (w.branch === null) {
      notes.push(`worktree ${w.path} is on a detached HEAD: left out (an environment has a branch)`);
      continue;
    }
    if (w.path.startsWith('/') || w.path.startsWith('..')) {
      notes.push(`worktree ${w.path} is outside the project: left out`);
      continue;
    }
    const slash = w.path.lastIndexOf('/');
    candidates.push({ name: w.path.slice(slash + 1), path: w.path, branch: w.branch });
  }
  // The folder most worktrees share, then the branch pattern most of those share.
  const dirOf = (e: EnvFound) => (e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '.');
  const byDir = groupBy(candidates, dirOf);
  const dir = [...byDir.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  if (!dir) return { envs: [] };
  const patternOf = (e: EnvFound): string | undefined => {
    const i = e.branch.lastIndexOf(e.name);
    return i < 0 ? undefined : `${e.branch.slice(0, i)}{env}${e.branch.slice(i + e.name.length)}`;
  };
  const byBranch = groupBy(dir[1].filter((e) => patternOf(e) !== undefined), (e) => patternOf(e)!);
  const branch = [...byBranch.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  const kept = new Set(branch?.[1] ?? []);
  const seen = new Set<string>();
  const envs: EnvFound[] = [];
  for (const e of candidates) {
    if (!kept.has(e) || seen.has(e.name) || !NAME_OK.test(e.name) || hiddenCharProblem(e.path) || hiddenCharProblem(e.branch)) {
      notes.push(`worktree ${printable(e.path)} (branch ${printable(e.branch)}) does not fit ${dir[0] === '.' ? '' : `${dir[0]}/`}{env} on ${branch?.[0] ?? '{env}'}: left out`);
      continue;
    }
    seen.add(e.name);
    envs.push(e);
  }
  if (!branch || envs.length === 0) return { envs: [] };
  return { envs, path: dir[0] === '.' ? '{env}' : `${dir[0]}/{env}`, branch: branch[0] };
}

interface Placed extends FoundSession {
  readonly command: Command;
  /** The environment whose worktree is the session's directory. */
  readonly env?: string;
}

const isAgentPreset = (p: string | undefined): p is AgentPreset =>
  p !== undefined && p !== 'generic' && Object.prototype.hasOwnProperty.call(AGENT_PRESETS, p);

export function importManifest(facts: ImportFacts): ImportResult {
  const notes: string[] = [];
  const envResult = environmentsOf(facts.worktrees, notes);
  const envByPath = new Map(envResult.envs.map((e) => [e.path, e.name]));

  const placed: Placed[] = [];
  for (const s of facts.sessions) {
    if (s.managed) continue; // already someone's manifest
    const started = typeof s.startCommand === 'string' ? s.startCommand.trim() : s.startCommand;
    const shell = /(^|\/)-?(ba|z|fi|da|k)?sh$/.test(s.currentCommand) ? s.currentCommand.replace(/^-/, '') : facts.defaultShell;
    const command: Command = started.length ? started : shell;
    const env = envByPath.get(s.cwd);
    placed.push({ ...s, command, ...(env ? { env } : {}) });
  }

  // Agent CLIs become providers, named for their program.
  const providers: Record<string, ProviderSpec> = {};
  const providerOf = (command: Command): string | undefined => {
    const program = programName(command);
    if (!isAgentPreset(program)) return undefined;
    providers[program] ??= { command, agent: true };
    return program;
  };

  const groups: Record<string, GroupSpec> = {};
  const used = new Set<string>();
  const uniqueGroup = (base: string): string => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const byPattern = groupBy(placed, (s) => REPORT_PATTERNS.find((p) => p.regex.test(s.name))?.group ?? 'existing');
  const order = [...REPORT_PATTERNS.map((p) => p.group), 'existing'];
  for (const kind of order) {
    const members = byPattern.get(kind);
    if (!members?.length) continue;
    // Sessions that share a command; within those, one place (an environment or a folder).
    for (const same of groupBy(members, (s) => JSON.stringify(s.command)).values()) {
      const command = same[0]!.command;
      const provider = providerOf(command);
      const runs: GroupSpec = provider ? { provider } : { command };
      const perEnv = perEnvironmentPattern(same, envResult.envs.map((e) => e.name));
      if (perEnv && same.every((s) => refusedName(s.name) === undefined)) {
        groups[uniqueGroup(kind)] = { perEnvironment: true, name: perEnv, ...runs };
        continue;
      }
      for (const [place, here] of groupBy(same, (s) => (s.env ? `env:${s.env}` : `cwd:${s.cwd}`))) {
        const where: GroupSpec = place.startsWith('env:') ? { env: place.slice(4) } : place === 'cwd:.' ? {} : { cwd: place.slice(4) };
        if (!place.startsWith('env:') && (place.slice(4).startsWith('/') || place.slice(4).startsWith('..'))) {
          notes.push(`session${here.length === 1 ? '' : 's'} ${here.map((s) => s.name).join(', ')} work${here.length === 1 ? 's' : ''} outside the project (${place.slice(4)}): left out`);
          continue;
        }
        // What the validator would refuse is left out, named escaped (a newline or a bidi control in a
        // note would forge the lines around it): renamed, the manifest would describe another session.
        const bad = here.filter((s) => refusedName(s.name) !== undefined || (s.cwd !== undefined && hiddenCharProblem(s.cwd) !== undefined));
        for (const s of bad) notes.push(`session ${printable(s.name)}: ${refusedName(s.name) ?? `its folder ${printable(s.cwd ?? '')} holds an invisible character`}; left out`);
        const names = here.filter((s) => !bad.includes(s)).map((s) => s.name);
        if (names.length) groups[uniqueGroup(kind)] = { names, ...runs, ...where };
      }
    }
  }

  const manifest: Manifest = {
    version: 1,
    project: manifestName(facts.project, 'imported'),
    settings: { tmux: { socket: facts.socket } },
    repository: { path: '.', base: facts.base },
    ...(Object.keys(providers).length ? { providers } : {}),
    ...(envResult.envs.length ? {
      environments: { names: envResult.envs.map((e) => e.name), path: envResult.path!, branch: envResult.branch!, base: facts.base },
    } : {}),
    ...(Object.keys(groups).length ? { groups } : {}),
  };
  const sessions = Object.values(groups).reduce((n, g) => n + (g.names?.length ?? (g.perEnvironment ? envResult.envs.length : 0)), 0);
  return { manifest, notes, counts: { sessions, environments: envResult.envs.length } };
}

/** `{env}_worker` when every environment has exactly one of these sessions, in its worktree, named so. */
function perEnvironmentPattern(sessions: readonly Placed[], envs: readonly string[]): string | undefined {
  if (envs.length === 0 || sessions.length !== envs.length) return undefined;
  if (!sessions.every((s) => s.env !== undefined)) return undefined;
  if (new Set(sessions.map((s) => s.env)).size !== envs.length) return undefined;
  const patterns = new Set(sessions.map((s) => {
    const i = s.name.indexOf(s.env!);
    return i < 0 ? '' : `${s.name.slice(0, i)}{env}${s.name.slice(i + s.env!.length)}`;
  }));
  const [only] = [...patterns];
  return patterns.size === 1 && only ? only : undefined;
}
