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
    idle: String.raw`\? for shortcuts|^\u276F(?: |$)|^\s*[\u2502|]?\s*>\s*[\u2502|]?\s*$`,
  },
  // Codex CLI: approval requests ("Would you like to run the following command?", "…make the
  // following edits?", "…grant these permissions?"); "Working (2s • esc to interrupt)" while
  // working; its composer ("› Ask Codex to do anything", "? for shortcuts") when idle.
  codex: {
    waiting: String.raw`Allow command\?|Apply (?:this )?(?:patch|changes)\?|Yes \(y\)|Would you like to (?:run|make the following edits|grant these permissions)|${YES_NO}`,
    working: String.raw`[Ee]sc to interrupt|Working \(|Thinking`,
    idle: String.raw`Ask Codex to do anything|\? for shortcuts|send \u23CE|\u23CE send|Ctrl\+J newline|^\s*[\u203A>\u258C](?: |$)`,
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

/** A screen a CLI shows before it takes any work (sign-in, trust, key approval): the agent waits for
 *  its person, and `what` says for what. Checked before the waiting pattern, on the same lines.
 *  Taken from the real screens under test/fixtures/agents/real. */
export interface DialogPattern {
  readonly what: string;
  readonly pattern: string;
}

export const AGENT_DIALOGS: { readonly [P in AgentPreset]: readonly DialogPattern[] } = {
  claude: [
    { what: 'trust this folder', pattern: String.raw`Yes, I trust this folder|Is this a project you created or one you trust` },
    { what: 'approve API key', pattern: String.raw`Do you want to use this API key\?` },
    { what: 'sign-in', pattern: String.raw`Select login method|Choose the text style|Let's get started` },
  ],
  codex: [
    { what: 'sign-in', pattern: String.raw`Sign in with ChatGPT|Sign in another way|Provide your own API key` },
    { what: 'trust this folder', pattern: String.raw`Trust this folder\?|Trust and continue|allow Codex to work in this folder` },
    // After a turn on an older model it offers a newer one ("Meet GPT-6 Sol").
    { what: 'choose a model', pattern: String.raw`Try new model|Use existing model` },
  ],
  gemini: [
    { what: 'trust this folder', pattern: String.raw`Do you trust the files in this folder\?|Do you trust this folder\?` },
    { what: 'sign-in', pattern: String.raw`How would you like to authenticate|Waiting for auth` },
    { what: 'API key', pattern: String.raw`Please enter your Gemini API key|Enter Gemini API Key` },
  ],
  ollama: [],
  aider: [],
  generic: [],
};

/** Where a CLI keeps its conversations, so gaia can tell whether a recorded one can be resumed (a
 *  conversation that never got a message is not kept, and resuming it crashes the CLI) and learn the
 *  identifier of a CLI that picks its own. What each kind reads is in
 *  src/providers/tmux/conversation-store.ts. Checked against claude 2.1.197, codex 0.171, gemini 0.61:
 *  - claude: `--session-id <uuid>` at start; `<config>/projects/<cwd, non-alphanumerics as ->/<id>.jsonl`
 *    appears with the first message (config: $CLAUDE_CONFIG_DIR, else ~/.claude);
 *  - gemini: `--session-id <uuid>` at start; `~/.gemini/tmp/<project>/chats/session-*-<id[0:8]>.jsonl`
 *    is written at start, and resumable once it holds a message of the person's or the model's
 *    (~ is $GEMINI_CLI_HOME, else $HOME; <project> from ~/.gemini/projects.json);
 *  - codex: takes no identifier at start; its thread's rollout
 *    `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl` appears with the first message,
 *    its first line naming the thread's id, start time and folder (CODEX_HOME: else ~/.codex). */
export type ConversationStoreKind = 'claude' | 'gemini' | 'codex';

/** A start template with `{conversation}` gives the CLI gaia's identifier; one without lets the CLI
 *  pick its own, which gaia then learns from these files (codex). */
export interface ConversationStoreSpec {
  readonly kind: ConversationStoreKind;
}

export const CONVERSATION_STORES: { readonly [P in AgentPreset]?: ConversationStoreSpec } = {
  claude: { kind: 'claude' },
  gemini: { kind: 'gemini' },
  codex: { kind: 'codex' },
};

export const PRESET_NAMES = Object.keys(AGENT_PRESETS) as readonly AgentPreset[];

export const DEFAULT_TAIL_LINES = 15;
export const DEFAULT_ACTIVE_WINDOW_MS = 5_000;
export const DEFAULT_WAITING_ALERT_MS = 10 * 60_000;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;
export const DEFAULT_START_INTERVAL_MS = 2_000;
