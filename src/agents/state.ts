/** Is an agent working, idle, waiting for its person, exited or crashed? Decided from what its pane
 *  shows and how tmux reports it, with the evidence kept, so a person can see why. Pure: the screen,
 *  the pane's facts, what gaia remembered from its last look and the clock come in as arguments.
 *
 *  The order of the checks:
 *  1. a dead pane: exit status 0 → exited, anything else (a status, a signal) → crashed;
 *  2. the waiting pattern on the pane's last lines → waiting (a permission prompt, a question);
 *  3. the working pattern → working;
 *  4. the idle pattern → idle (an agent that just finished has just changed its pane, so its prompt
 *     is better evidence than the time of its last output);
 *  5. pane content that changed within the active window → working (agents without patterns);
 *  6. a shell in the foreground (and no pattern matched) → exited: the agent is gone, its shell stayed;
 *  7. otherwise idle: quiet for longer than the active window.
 *  "Changed" is judged by the hash of the screen against the one remembered from the last look;
 *  on a first look (nothing remembered) by tmux's time of the pane's last output. */
import { isShell } from '../providers/tmux/session.js';
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
  readonly matched: { readonly pattern: 'waiting' | 'working' | 'idle'; readonly regex: string; readonly line: string } | null;
  readonly paneDead: boolean;
  readonly exitStatus: number | null;
  /** The signal that ended the program, when one did. */
  readonly exitSignal: number | null;
  readonly currentCommand: string | null;
  /** Nothing was remembered from an earlier look: "changed" comes from tmux's last-output time. */
  readonly firstLook: boolean;
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
  readonly preset: string;
  readonly evidence: AgentEvidence;
}

export interface ClassifyInput {
  readonly facts: PaneFacts;
  readonly profile: AgentProfile;
  readonly patterns: CompiledPatterns;
  readonly memory: AgentMemory | undefined;
  readonly nowMs: number;
}

/** The pane's last `n` non-empty lines, trailing spaces removed. */
export function tailOf(screen: string, n: number): readonly string[] {
  const lines = screen.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  return lines.slice(-n);
}

function match(kind: 'waiting' | 'working' | 'idle', re: RegExp | undefined, lines: readonly string[]): AgentEvidence['matched'] {
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

const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000));

export function classify(input: ClassifyInput): { readonly reading: AgentReading; readonly memory: AgentMemory } {
  const { facts, profile, patterns, memory, nowMs } = input;
  const changed = changedAt(facts, memory, nowMs);
  const changedAgo = changed === null ? null : seconds(nowMs - changed);
  const recent = changed !== null && nowMs - changed <= profile.activeWindowMs;
  const lines = facts.screen === undefined ? [] : tailOf(facts.screen, profile.tailLines);

  let state: AgentState;
  let matched: AgentEvidence['matched'] = null;
  let reason: string;
  if (facts.paneDead) {
    state = facts.exitStatus === 0 ? 'exited' : 'crashed';
    reason = facts.exitStatus !== null ? `the program exited with status ${facts.exitStatus}`
      : facts.exitSignal !== null ? `the program was killed by signal ${facts.exitSignal}; the pane is dead`
      : 'the program ended and tmux has not said how; the pane is dead';
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

  const fresh = (): number => {
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
  };
  return {
    reading: {
      state,
      since: new Date(since).toISOString(),
      ageSeconds,
      alert: state === 'waiting' && nowMs - since >= profile.waitingAlertMs,
      reason,
      preset: profile.preset,
      evidence,
    },
    memory: { hash: facts.screenHash ?? memory?.hash ?? null, changedAt: changed, lookedAt: nowMs, state, since },
  };
}
