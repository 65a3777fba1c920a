/** How gaia asks an agent CLI to report its own state, per session, without touching the user's
 *  configuration of that CLI: everything lives under the project's `.gaia/` folder and reaches the
 *  CLI through one flag of the session's command.
 *  - claude: `--settings .gaia/agents/<session>/claude-settings.json`, a settings file of hooks
 *    (added to the user's own settings, which stay as they are);
 *  - codex: `-c notify=[".gaia/agents/<session>/event"]`, its notify program for this run (it stands
 *    in for a `notify` of the user's config.toml in gaia's sessions; nothing is written there).
 *  Gemini CLI reports nothing gaia can set up (see events.ts).
 *  Every hook runs `.gaia/agents/<session>/event`, a small script that hands the event to
 *  bin/gaia-agent-event.js, which appends one line to `.gaia/agent-events/<session>.jsonl`.
 *  The paths depend only on the project's folder and the session's name, so a plan is stable.
 *  Pure: the files' contents are computed here, written by event-files.ts. */
import path from 'node:path';
import type { Attributes, Json } from '../core/resource.js';
import { shellQuote } from '../manifest/template.js';
import type { AgentPreset, Command } from '../manifest/types.js';
import { CLAUDE_HOOKS, type EventSource } from './events.js';
import { programName } from './profile.js';

/** What a session's `agentEvents` attribute stands for, in a project's folder. */
export interface EventSetup {
  readonly source: EventSource;
  /** The program the flags are for: they are added only to a command that runs it. */
  readonly program: string;
  /** Inserted right after the program in its command. */
  readonly args: readonly string[];
  /** The session's folder of settings and the event script. */
  readonly dir: string;
  /** The session's event log. */
  readonly log: string;
}

const isSource = (p: AgentPreset): p is EventSource => p === 'claude' || p === 'codex';

export const agentsDir = (root: string): string => path.join(root, '.gaia', 'agents');
export const eventLogPath = (root: string, session: string): string => path.join(root, '.gaia', 'agent-events', `${session}.jsonl`);
const scriptOf = (s: Pick<EventSetup, 'dir'>): string => path.join(s.dir, 'event');
const claudeSettings = (s: Pick<EventSetup, 'dir'>): string => path.join(s.dir, 'claude-settings.json');

/** The setup for a session of this preset, or undefined for CLIs that report nothing. */
export function eventSetup(preset: AgentPreset, session: string, root: string): EventSetup | undefined {
  if (!isSource(preset)) return undefined;
  const dir = path.join(agentsDir(root), session);
  const base = { source: preset, program: preset, dir, log: eventLogPath(root, session) };
  switch (preset) {
    case 'claude':
      return { ...base, args: ['--settings', claudeSettings(base)] };
    case 'codex':
      // The value is TOML: an array of one basic string (JSON's escapes are TOML's).
      return { ...base, args: ['-c', `notify=[${JSON.stringify(scriptOf(base))}]`] };
  }
}

/** The setup a session's `agentEvents` attribute (the reporting CLI's name, set by the manifest's
 *  expansion) stands for, in this project's folder. */
export function setupOf(attributes: Attributes | undefined, session: string, root: string): EventSetup | undefined {
  const v = attributes?.agentEvents;
  return typeof v === 'string' && isSource(v as AgentPreset) ? eventSetup(v as AgentPreset, session, root) : undefined;
}

/** The agentEvents attribute for a session of this preset: the CLI that reports, or none. */
export const eventsAttribute = (preset: AgentPreset): EventSource | undefined => (isSource(preset) ? preset : undefined);

/** The command with the setup's flags right after its program, when it runs that program (a resume
 *  template that runs something else, or a command that already names its own settings, is left alone). */
export function withEventArgs(command: string | readonly string[], s: EventSetup): string | readonly string[] {
  if (programName(command as Command) !== s.program) return command;
  const words = typeof command === 'string' ? command.split(/\s+/) : command;
  const ownSettings = s.source === 'codex' ? words.some((w) => w.includes('notify=')) : words.some((w) => w === '--settings' || w.startsWith('--settings='));
  if (ownSettings) return command;
  if (typeof command !== 'string') return [command[0]!, ...s.args, ...command.slice(1)];
  const m = /^(\s*\S+)/.exec(command)!;
  return `${m[1]} ${s.args.map(shellQuote).join(' ')}${command.slice(m[1]!.length)}`;
}

/** The command runs the setup's program (its flags go in): only then are its files worth writing. */
export const runsProgram = (command: Json | undefined, s: EventSetup): boolean =>
  (typeof command === 'string' || Array.isArray(command)) && programName(command as Command) === s.program;

export interface SetupFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

export interface EventRuntime {
  /** The node that runs the hook program, and the program. */
  readonly node: string;
  readonly script: string;
}

const claudeHooks = (command: string): Record<string, unknown> =>
  Object.fromEntries(CLAUDE_HOOKS.map((e) => [e, [{ hooks: [{ type: 'command', command }] }]]));

/** The files a session's CLI reads: the event script, and claude's settings. */
export function setupFiles(s: EventSetup, rt: EventRuntime): readonly SetupFile[] {
  const script = scriptOf(s);
  // claude runs a hook through a shell (the event on stdin); codex its notify directly (the event as its last argument).
  const files: SetupFile[] = [{
    path: script,
    content: `#!/bin/sh\n# Written by gaia: hands ${s.source}'s event to gaia's recorder (see .gaia/agent-events).\nexec ${[rt.node, rt.script, s.log, s.source].map(shellQuote).join(' ')} "$@"\n`,
    mode: 0o700,
  }];
  if (s.source === 'claude') files.push({ path: claudeSettings(s), content: `${JSON.stringify({ hooks: claudeHooks(shellQuote(script)) }, null, 2)}\n`, mode: 0o600 });
  return files;
}
