/** Agent states for a whole project in one go: the panes of every live agent session captured in
 *  one tmux invocation (`capturePanes` chains them), the newest event each agent CLI reported about
 *  itself read from its log in-process, what was remembered from the last look read and written as
 *  one value in the state store's kv table, the pure classification in between.
 *  No process per session. `GAIA_NO_AGENT_STATE=1` turns it off (benchmarks compare both). */
import { createHash } from 'node:crypto';
import type { Observed } from '../core/resource.js';
import type { Model } from '../manifest/model.js';
import { capturePanes } from '../providers/tmux/capture.js';
import { readLatestEvent } from './event-files.js';
import { eventLogPath, eventsAttribute } from './event-setup.js';
import { groupBy } from '../core/collections.js';
import type { AgentEvent } from './events.js';
import { agentProfile, compilePatterns, type AgentProfile, type CompiledPatterns } from './profile.js';
import { classify, type AgentMemory, type AgentReading, type PaneFacts } from './state.js';
import type { TmuxServer } from '../providers/tmux/settings.js';

/** The kv key of the remembered looks: `{ [address]: AgentMemory }`. */
export const MEMORY_KEY = 'agent-state';

export interface KvStore {
  getValue(key: string): Promise<string | undefined>;
  setValue(key: string, value: string): Promise<void>;
}

export interface AgentSession {
  readonly name: string;
  readonly address: string;
  /** The host it runs on (absent: this machine). */
  readonly host?: string;
  readonly profile: AgentProfile;
  readonly patterns: CompiledPatterns;
}

export const agentStateDisabled = (environ: NodeJS.ProcessEnv = process.env): boolean =>
  environ.GAIA_NO_AGENT_STATE !== undefined && environ.GAIA_NO_AGENT_STATE !== '' && environ.GAIA_NO_AGENT_STATE !== '0';

/** The manifest's agent sessions with their profiles (patterns compiled once per provider). */
export function agentSessions(model: Pick<Model, 'groups' | 'manifest'>): readonly AgentSession[] {
  const byProvider = new Map<string, { profile: AgentProfile; patterns: CompiledPatterns } | undefined>();
  const out: AgentSession[] = [];
  for (const g of model.groups) {
    for (const s of g.sessions) {
      if (!s.agent || s.provider === null) continue;
      if (!byProvider.has(s.provider)) {
        const profile = agentProfile(s.provider, model.manifest.providers?.[s.provider]);
        byProvider.set(s.provider, profile && { profile, patterns: compilePatterns(profile.patterns, profile.dialogs) });
      }
      const p = byProvider.get(s.provider);
      if (p) out.push({ name: s.name, address: s.address, ...(s.host !== undefined ? { host: s.host } : {}), ...p });
    }
  }
  return out;
}

function readMemory(raw: string | undefined): Record<string, AgentMemory> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, AgentMemory>) : {};
  } catch {
    return {};
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function paneFacts(o: Observed, screen: string | undefined): PaneFacts {
  const a = o.attributes;
  return {
    paneDead: a.paneDead === true,
    exitStatus: num(a.paneDeadStatus),
    exitSignal: num(a.paneDeadSignal),
    currentCommand: typeof a.currentCommand === 'string' && a.currentCommand !== '' ? a.currentCommand : null,
    activity: num(a.activity),
    ...(screen === undefined ? {} : { screen, screenHash: createHash('sha1').update(screen).digest('hex').slice(0, 16) }),
  };
}

/** What is read of agents' panes where they run: each live one's screen, and the last event of each
 *  that reports (its CLI's hooks). */
export interface AgentFacts {
  readonly screens: ReadonlyMap<string, string>;
  readonly events: ReadonlyMap<string, AgentEvent>;
}

/** Reads the facts of sessions on one tmux server: `live` are captured, `reporting` have their log read. */
export async function agentFactsOn(ctx: TmuxServer, root: string, live: readonly string[], reporting: readonly string[]): Promise<AgentFacts> {
  const screens = live.length ? await capturePanes(live, ctx) : new Map<string, string>();
  const events = new Map<string, AgentEvent>();
  for (const name of reporting) {
    const event = readLatestEvent(ctx.host.files, eventLogPath(root, name));
    if (event) events.set(name, event);
  }
  return { screens, events };
}

export interface ReadAgentsInput {
  readonly model: Pick<Model, 'groups' | 'manifest' | 'root'>;
  /** The tmux sessions observed (status's observation), by address. */
  readonly observed: ReadonlyMap<string, Observed>;
  readonly store: KvStore;
  readonly ctx: TmuxServer;
  readonly now: Date;
  /** The facts of agents on another host, read there; without it, those agents get no reading. */
  readonly elsewhere?: (host: string, live: readonly string[], reporting: readonly string[]) => Promise<AgentFacts | undefined>;
}

/** A reading per agent session that exists; sessions that are down have none (status says "down"). */
export async function readAgentStates(input: ReadAgentsInput): Promise<ReadonlyMap<string, AgentReading>> {
  const sessions = agentSessions(input.model).filter((s) => input.observed.has(s.address));
  if (sessions.length === 0) return new Map();
  // Each place's facts where its agents run: this machine's tmux server, or a host's worker.
  const byHost = groupBy(sessions, (s) => s.host ?? '');
  const facts = async (host: string, of: readonly AgentSession[]): Promise<AgentFacts | undefined> => {
    const live = of.filter((s) => input.observed.get(s.address)?.attributes.paneDead !== true).map((s) => s.name);
    const reporting = of.filter((s) => eventsAttribute(s.profile.preset)).map((s) => s.name);
    if (host === '') return agentFactsOn(input.ctx, input.model.root, live, reporting);
    return input.elsewhere?.(host, live, reporting);
  };
  const [read, raw] = await Promise.all([
    Promise.all([...byHost].map(async ([host, of]) => facts(host, of))),
    input.store.getValue(MEMORY_KEY),
  ]);
  const screens = new Map(read.flatMap((f) => [...(f?.screens ?? [])]));
  const events = new Map(read.flatMap((f) => [...(f?.events ?? [])]));
  const answered = new Set([...byHost.entries()].filter((_, i) => read[i] !== undefined).flatMap(([, of]) => of.map((s) => s.address)));
  const memory = readMemory(raw);
  const nowMs = input.now.getTime();
  const readings = new Map<string, AgentReading>();
  const next: Record<string, AgentMemory> = {};
  for (const s of sessions) {
    if (!answered.has(s.address)) continue; // its host did not answer: no reading, nothing forgotten
    const o = input.observed.get(s.address)!;
    // Only CLIs gaia sets up to report have a log (a read of its last few KB).
    const event = events.get(s.name);
    const created = num(o.attributes.created);
    const r = classify({
      facts: paneFacts(o, screens.get(s.name)), profile: s.profile, patterns: s.patterns, memory: memory[s.address], nowMs,
      ...(event ? { event } : {}), startedAtMs: created === null ? null : created * 1000,
    });
    readings.set(s.address, r.reading);
    next[s.address] = r.memory;
  }
  // Sessions not seen this time keep what was remembered (a filtered or failed look forgets nothing).
  await input.store.setValue(MEMORY_KEY, JSON.stringify({ ...memory, ...next }));
  return readings;
}
