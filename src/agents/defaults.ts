/** What common agent CLIs show in their pane when they wait for a person, work, or sit idle: data,
 *  not code. The manifest overrides any of it per provider (`agent.patterns`), and these are only a
 *  starting point: the CLIs change their screens between versions.
 *
 *  Each pattern is a JavaScript regular expression matched against the pane's last non-empty lines
 *  (`m` flag: `^`/`$` are line ends). Order of the checks: waiting, then working, then idle.
 *  Glyphs in String.raw patterns are written as \u escapes (❯ \u276F, │ \u2502, ⏎ \u23CE, › \u203A,
 *  ▌ \u258C), which the RegExp reads the same: esbuild cannot escape a raw string, and a bundle that
 *  stays ASCII loads faster. */
import type { AgentPreset } from '../manifest/types.js';

export interface PatternSources {
  readonly waiting?: string;
  readonly working?: string;
  readonly idle?: string;
}

/** Yes/no prompts most terminal programs use. */
const YES_NO = String.raw`\((?:y/n|Y/n|y/N|yes/no)\)|\[(?:y/n|Y/n|y/N|yes/no)\]`;

export const AGENT_PRESETS: { readonly [P in AgentPreset]: PatternSources } = {
  // Claude Code: a permission dialog ("Do you want to proceed?" with numbered choices); "esc to
  // interrupt" under the spinner while it works; "? for shortcuts" under the empty input box.
  claude: {
    waiting: String.raw`Do you want to (?:proceed|make this edit|create|allow|run)|\u276F 1\. Yes|Would you like to|${YES_NO}`,
    working: String.raw`esc to interrupt|ctrl\+c to interrupt`,
    idle: String.raw`\? for shortcuts|^\s*[\u2502|]?\s*>\s*[\u2502|]?\s*$`,
  },
  // Codex CLI: approval requests ("Allow command?", "Yes (y)"); "Esc to interrupt" while working.
  codex: {
    waiting: String.raw`Allow command\?|Apply (?:this )?(?:patch|changes)\?|Yes \(y\)|Would you like to run|approve|${YES_NO}`,
    working: String.raw`[Ee]sc to interrupt|Working \(|Thinking`,
    idle: String.raw`send \u23CE|\u23CE send|Ctrl\+J newline|^\s*[\u203A>\u258C]\s*$`,
  },
  // `ollama run MODEL`: a `>>> ` prompt; a braille spinner while the model answers. It never asks permission.
  ollama: {
    working: '[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]',
    idle: String.raw`^>>> (?:Send a message.*)?$`,
  },
  // aider: "(Y)es/(N)o" confirmations; a `> ` prompt (or `architect> `, `ask> `) when idle.
  aider: {
    waiting: String.raw`\(Y\)es/\(N\)o|\[Yes\]:|${YES_NO}`,
    working: String.raw`Waiting for |Thinking|Tokens: .* sent`,
    idle: String.raw`^(?:\w+ )?(?:architect|ask|code|help)?>\s*$`,
  },
  // Gemini CLI: "Allow execution?" / "Apply this change?" with a radio list; "esc to cancel" while working.
  gemini: {
    waiting: String.raw`Allow execution|Apply this change\?|Do you want to proceed|Yes, allow once|${YES_NO}`,
    working: String.raw`esc to cancel`,
    idle: String.raw`Type your message|^\s*[\u2502|]?\s*>\s*[\u2502|]?\s*$`,
  },
  generic: {
    waiting: YES_NO,
  },
};

export const PRESET_NAMES = Object.keys(AGENT_PRESETS) as readonly AgentPreset[];

export const DEFAULT_TAIL_LINES = 15;
export const DEFAULT_ACTIVE_WINDOW_MS = 5_000;
export const DEFAULT_WAITING_ALERT_MS = 10 * 60_000;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;
export const DEFAULT_START_INTERVAL_MS = 2_000;
