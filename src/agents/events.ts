/** What an agent CLI says about itself, as gaia's hook program (bin/gaia-agent-event.js) recorded
 *  it: one JSON line per event in `.gaia/agent-events/<session>.jsonl`. Claude Code's hooks and
 *  Codex's `notify` program end up as an `AgentEvent`. Gemini CLI 0.61 has hooks too, but takes
 *  them per run only from a system settings file (GEMINI_CLI_SYSTEM_DEFAULTS_PATH) that it skips
 *  unless that file and every folder above it are owned by root and writable by nobody else: no
 *  place gaia owns qualifies, so gemini stays on its screen patterns. Pure: parsing a line, and
 *  which state an event means. */
import type { AgentState } from './state.js';

export type EventSource = 'claude' | 'codex';
export const EVENT_SOURCES: readonly EventSource[] = ['claude', 'codex'];

export interface AgentEvent {
  readonly source: EventSource;
  /** The CLI's own name of the event: `Stop`, `UserPromptSubmit`, `agent-turn-complete`, `AfterAgent`. */
  readonly kind: string;
  /** The conversation the CLI is in: claude's `session_id`, codex's `thread-id`. */
  readonly sessionId?: string;
  /** Codex's `turn-id`. */
  readonly turnId?: string;
  /** A Notification's type (claude's `permission_prompt`, `idle_prompt`), or
   *  what started a SessionStart (`startup`, `resume`, `clear`, `compact`). */
  readonly detail?: string;
  /** When the hook program ran, epoch milliseconds. */
  readonly at: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, 200) : undefined);
const isSource = (v: unknown): v is EventSource => typeof v === 'string' && (EVENT_SOURCES as readonly string[]).includes(v);

/** One recorded line, or undefined when it is not one (a torn or foreign line is skipped, never fatal). */
export function parseEventLine(line: string): AgentEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const kind = str(o.kind);
  if (!isSource(o.source) || kind === undefined || typeof o.at !== 'number' || !Number.isFinite(o.at)) return undefined;
  const sessionId = str(o.sessionId);
  const turnId = str(o.turnId);
  const detail = str(o.detail);
  return { source: o.source, kind, at: o.at, ...(sessionId ? { sessionId } : {}), ...(turnId ? { turnId } : {}), ...(detail ? { detail } : {}) };
}

/** The newest event in a file's text (its last complete, valid line). */
export function lastEvent(text: string): AgentEvent | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const e = lines[i]!.trim() === '' ? undefined : parseEventLine(lines[i]!);
    if (e) return e;
  }
  return undefined;
}

type StateOf = AgentState | ((detail: string | undefined) => AgentState | undefined);

/** Which state each event means. Events not listed (SessionEnd: the pane says that) decide nothing. */
const EVENT_STATES: { readonly [S in EventSource]: { readonly [kind: string]: StateOf } } = {
  claude: {
    // A compaction's SessionStart comes in the middle of work.
    SessionStart: (d) => (d === 'compact' ? undefined : 'idle'),
    UserPromptSubmit: 'working',
    // After a tool ran (a permission given) the turn goes on.
    PostToolUse: 'working',
    PostToolUseFailure: 'working',
    Notification: (d) => (d === 'permission_prompt' || d === 'elicitation_dialog' ? 'waiting' : d === 'idle_prompt' ? 'idle' : undefined),
    Stop: 'idle',
    StopFailure: 'idle',
  },
  codex: {
    'agent-turn-complete': 'idle',
  },
};

/** The state an event means, if it means one. */
export function eventState(e: AgentEvent): AgentState | undefined {
  const s = EVENT_STATES[e.source][e.kind];
  return typeof s === 'function' ? s(e.detail) : s;
}

/** The hook events gaia asks claude for: the ones that mean a state (codex has one, turn-complete). */
export const CLAUDE_HOOKS: readonly string[] = Object.keys(EVENT_STATES.claude);

/** A screen change this soon after an event is the CLI drawing what the event says (the reply's last
 *  lines, the prompt coming back), not news: the event still decides. Measured on the real CLIs:
 *  their last redraw after Stop or turn-complete lands within a second. */
export const EVENT_GRACE_MS = 2000;

/** The event's state, when it decides: the screen did not change after it (beyond the grace), or
 *  did and still says the same (claude redraws its idle screen now and then: no news). A screen that
 *  changed since and says otherwise is newer evidence (codex reports no turn start). Pure. */
export function eventVerdict(e: AgentEvent | undefined, screen: { readonly changedAt: number | null; readonly state: AgentState }): AgentState | undefined {
  const told = e === undefined ? undefined : eventState(e);
  if (told === undefined) return undefined;
  const changedSince = screen.changedAt !== null && screen.changedAt > e!.at + EVENT_GRACE_MS;
  return changedSince && screen.state !== told ? undefined : told;
}

/** `Stop`, `Notification (permission_prompt)`: the event as people read it. */
export const eventLabel = (e: AgentEvent): string => (e.detail && e.kind !== 'SessionStart' ? `${e.kind} (${e.detail})` : e.kind);
