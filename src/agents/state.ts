/** Is an agent working, idle, waiting for its person, exited or crashed? Decided from what its pane
 *  shows and how tmux reports it, with the evidence kept, so a person can see why. Pure: the screen,
 *  the pane's facts, what gaia remembered from its last look and the clock come in as arguments.
 *
 *  The order of the checks:
 *  1. a dead pane: exit status 0 → exited, anything else (a status, a signal) → crashed;
 *  2. a first-run dialog of the CLI (sign-in, trust this folder, approve API key) → waiting, saying
 *     for what; then the waiting pattern on the pane's last lines → waiting (a permission prompt);
 *  3. the working pattern → working;
 *  4. the idle pattern → idle (an agent that just finished has just changed its pane, so its prompt
 *     is better evidence than the time of its last output);
 *  5. pane content that changed within the active window → working (agents without patterns);
 *  6. a shell in the foreground (and no pattern matched) → exited: the agent is gone, its shell stayed;
 *  7. otherwise idle: quiet for longer than the active window;
 *  8. over all but 1 and 2 (a first-run dialog): the agent's own newest event (claude's hooks, codex's
 *     notify: src/agents/events.ts), unless the screen changed since it (beyond a short grace for the
 *     CLI's own redraw) and says otherwise. The evidence says which source decided.
 *  "Changed" is judged by the hash of the screen against the one remembered from the last look;
 *  on a first look (nothing remembered) by tmux's time of the pane's last output. */
import { isShell } from '../providers/tmux/session.js';
import { eventLabel, eventVerdict, type AgentEvent } from './events.js';
import type { AgentProfile, CompiledPatterns } from './profile.js';

export type AgentState = 'working' | 'idle' | 'waiting' | 'exited' | 'crashed';
export const AGENT_STATES: readonly AgentState[] = ['working', 'idle', 'waiting', 'exited', 'crashed'];

export interface PaneFacts {
  readonly paneDead: boolean;
  readonly exitStatus: number | null;
  /** The signal that ended the program, when one did. */
  readonly exitSignal: number | null;
  readonly currentCommand: string | null;
  /** Epoch seconds of the pane's last output (tmux `window_activity`), when known. */
  readonly activity: number | null;
  /** The visible screen and its hash, when it was captured. */
  readonly screen?: string;
  readonly screenHash?: string;
}

/** What gaia keeps between looks (in the state store's kv table). Times are epoch milliseconds. */
export interface AgentMemory {
  readonly hash: string | null;
  /** When the screen was last seen to change; null: not known yet. */
  readonly changedAt: number | null;
  readonly lookedAt: number;
  readonly state: AgentState;
  readonly since: number;
}

export interface AgentEvidence {
  /** Seconds since the pane's content last changed; null when not known. */
  readonly changedSecondsAgo: number | null;
  readonly activeWindowSeconds: number;
  /** The pattern that decided (or backed) the state, and the line it matched. */
  readonly matched: { readonly pattern: 'dialog' | 'waiting' | 'working' | 'idle'; readonly regex: string; readonly line: string } | null;
  readonly paneDead: boolean;
  readonly exitStatus: number | null;
  /** The signal that ended the program, when one did. */
  readonly exitSignal: number | null;
  readonly currentCommand: string | null;
  /** Nothing was remembered from an earlier look: "changed" comes from tmux's last-output time. */
  readonly firstLook: boolean;
  /** What decided: the agent's own event (its hooks, codex's notify) or the screen (and tmux). */
  readonly source: 'hook' | 'screen';
  /** The agent's newest event of this run, whether it decided or not. */
  readonly event?: { readonly source: AgentEvent['source']; readonly kind: string; readonly detail?: string; readonly secondsAgo: number; readonly sessionId?: string };
}

export interface AgentReading {
  readonly state: AgentState;
  /** When the agent entered this state (ISO time), as far as gaia can tell. */
  readonly since: string;
  readonly ageSeconds: number;
  /** Waiting for input for longer than the provider's waitingAlert. */
  readonly alert: boolean;
  /** One line for people: "permission prompt: Do you want to proceed?". */
  readonly reason: string;
  /** What a waiting agent waits for, when a first-run dialog says it: "sign-in", "trust this folder". */
  readonly waitingFor?: string;
  readonly preset: string;
  readonly evidence: AgentEvidence;
}

export interface ClassifyInput {
  readonly facts: PaneFacts;
  readonly profile: AgentProfile;
  readonly patterns: CompiledPatterns;
  readonly memory: AgentMemory | undefined;
  readonly nowMs: number;
  /** The agent's newest reported event, and when its session was made (events before are another run's). */
  readonly event?: AgentEvent;
  readonly startedAtMs?: number | null;
}

/** The pane's last `n` non-empty lines, trailing spaces removed. */
export function tailOf(screen: string, n: number): readonly string[] {
  const lines = screen.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  return lines.slice(-n);
}

function match(kind: 'dialog' | 'waiting' | 'working' | 'idle', re: RegExp | undefined, lines: readonly string[]): AgentEvidence['matched'] {
  if (!re || lines.length === 0) return null;
  if (!re.test(lines.join('\n'))) return null;
  // The last line that matches on its own is the one a person wants to see; a pattern spanning lines names none.
  const line = [...lines].reverse().find((l) => re.test(l)) ?? '';
  return { pattern: kind, regex: re.source, line: line.trim().slice(0, 200) };
}

/** When the content last changed, from the remembered hash (or, on a first look, tmux's activity time). */
function changedAt(facts: PaneFacts, memory: AgentMemory | undefined, nowMs: number): number | null {
  const activityMs = facts.activity === null ? null : facts.activity * 1000;
  if (!memory || facts.screenHash === undefined || memory.hash === null) return activityMs ?? memory?.changedAt ?? null;
  if (memory.hash === facts.screenHash) return memory.changedAt;
  // It changed since the last look: at tmux's last output time if that is after the last look, else "just now".
  return activityMs !== null && activityMs > memory.lookedAt ? Math.min(activityMs, nowMs) : nowMs;
}

/** Why an agent whose pane shows `screen` must not be given text now, if it must not: a first-run
 *  dialog or a question is on its last lines (a paste and an Enter would answer it). Pure. */
export function inputRefusal(screen: string, profile: Pick<AgentProfile, 'tailLines'>, patterns: CompiledPatterns): string | undefined {
  const lines = tailOf(screen, profile.tailLines);
  for (const d of patterns.dialogs ?? []) if (match('dialog', d.re, lines)) return `is waiting for you (${d.what})`;
  const asked = match('waiting', patterns.waiting, lines);
  return asked ? `is waiting for you (${asked.line || 'a question'})` : undefined;
}

const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000));

export function classify(input: ClassifyInput): { readonly reading: AgentReading; readonly memory: AgentMemory } {
  const { facts, profile, patterns, memory, nowMs, event } = input;
  const changed = changedAt(facts, memory, nowMs);
  const changedAgo = changed === null ? null : seconds(nowMs - changed);
  const recent = changed !== null && nowMs - changed <= profile.activeWindowMs;
  const lines = facts.screen === undefined ? [] : tailOf(facts.screen, profile.tailLines);

  let state: AgentState;
  let matched: AgentEvidence['matched'] = null;
  let reason: string;
  let waitingFor: string | undefined;
  const dialog = facts.paneDead ? undefined : patterns.dialogs?.find((d) => match('dialog', d.re, lines) !== null);
  if (facts.paneDead) {
    state = facts.exitStatus === 0 ? 'exited' : 'crashed';
    reason = facts.exitStatus !== null ? `the program exited with status ${facts.exitStatus}`
      : facts.exitSignal !== null ? `the program was killed by signal ${facts.exitSignal}; the pane is dead`
      : 'the program ended and tmux has not said how; the pane is dead';
  } else if (dialog && (matched = match('dialog', dialog.re, lines))) {
    state = 'waiting';
    waitingFor = dialog.what;
    reason = `waiting: ${dialog.what} (${matched.line || `/${matched.regex}/`})`;
  } else if ((matched = match('waiting', patterns.waiting, lines))) {
    state = 'waiting';
    reason = `asks for input: ${matched.line || `/${matched.regex}/`}`;
  } else if ((matched = match('working', patterns.working, lines))) {
    state = 'working';
    reason = `busy: ${matched.line || `/${matched.regex}/`}`;
  } else if ((matched = match('idle', patterns.idle, lines))) {
    state = 'idle';
    reason = `at its prompt: ${matched.line || `/${matched.regex}/`}`;
  } else if (recent) {
    state = 'working';
    reason = `the pane changed ${changedAgo}s ago`;
  } else if (facts.currentCommand !== null && isShell(facts.currentCommand)) {
    state = 'exited';
    reason = `a shell (${facts.currentCommand}) is in the foreground, not the agent`;
  } else {
    state = 'idle';
    reason = changedAgo === null ? 'no output seen' : `no output for ${changedAgo}s`;
  }

  // 8. the agent's own newest event decides over the screen's patterns unless the screen changed
  //    since and says otherwise (a dead pane and a first-run dialog are things no hook reports; nor
  //    is a question drawn after the event at all: codex reports the end of a side turn, its title,
  //    and draws its permission prompt within the second after it).
  const current = event && (input.startedAtMs == null || event.at >= input.startedAtMs) ? event : undefined;
  const verdict = eventVerdict(current, { changedAt: changed, state });
  // An event that itself says waiting still decides: the question drawn just after it backs it.
  const askedSince = matched !== null && matched.pattern === 'waiting' && current !== undefined && changed !== null
    && changed > current.at && verdict !== 'waiting';
  const told = facts.paneDead || (matched !== null && matched.pattern === 'dialog') || askedSince ? undefined : verdict;
  let decidedAt: number | undefined;
  if (told && current) {
    // A screen pattern that says the same backs the event; one that says otherwise is not evidence.
    if (told !== state) matched = null;
    state = told;
    decidedAt = Math.min(current.at, nowMs);
    waitingFor = undefined;
    reason = `hook: ${eventLabel(current)} ${seconds(nowMs - current.at)}s ago`;
  }

  const fresh = (): number => {
    if (decidedAt !== undefined) return decidedAt;
    switch (state) {
      case 'idle':
      case 'waiting':
      case 'exited':
      case 'crashed':
        // The screen has looked like this since it last changed.
        return changed ?? nowMs;
      case 'working':
        return nowMs;
    }
  };
  const since = memory && memory.state === state ? memory.since : Math.min(fresh(), nowMs);
  const ageSeconds = seconds(nowMs - since);
  const evidence: AgentEvidence = {
    changedSecondsAgo: changedAgo,
    activeWindowSeconds: seconds(profile.activeWindowMs),
    matched,
    paneDead: facts.paneDead,
    exitStatus: facts.exitStatus,
    exitSignal: facts.exitSignal,
    currentCommand: facts.currentCommand,
    firstLook: memory === undefined,
    source: decidedAt !== undefined ? 'hook' : 'screen',
    ...(current ? {
      event: {
        source: current.source, kind: current.kind, secondsAgo: seconds(nowMs - current.at),
        ...(current.detail ? { detail: current.detail } : {}), ...(current.sessionId ? { sessionId: current.sessionId } : {}),
      },
    } : {}),
  };
  return {
    reading: {
      state,
      since: new Date(since).toISOString(),
      ageSeconds,
      alert: state === 'waiting' && nowMs - since >= profile.waitingAlertMs,
      reason,
      ...(waitingFor !== undefined ? { waitingFor } : {}),
      preset: profile.preset,
      evidence,
    },
    memory: { hash: facts.screenHash ?? memory?.hash ?? null, changedAt: changed, lookedAt: nowMs, state, since },
  };
}
