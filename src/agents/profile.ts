/** A provider's agent settings as gaia uses them: its preset's patterns with the manifest's
 *  overrides, and the time thresholds. Pure. */
import type { AgentPreset, AgentSpec, Command, ProviderSpec } from '../manifest/types.js';
import {
  AGENT_DIALOGS, AGENT_PRESETS, CONVERSATION_STORES, type ConversationStoreSpec, type DialogPattern, DEFAULT_ACTIVE_WINDOW_MS, DEFAULT_TAIL_LINES, DEFAULT_WAITING_ALERT_MS, PRESET_NAMES, type PatternSources,
} from './defaults.js';
import { durationMs } from './duration.js';

export interface AgentProfile {
  readonly preset: AgentPreset;
  readonly patterns: PatternSources;
  /** First-run screens of the preset's CLI (sign-in, trust, key approval). */
  readonly dialogs: readonly DialogPattern[];
  /** Where the preset's CLI keeps its conversations, when gaia knows. */
  readonly conversationStore?: ConversationStoreSpec;
  readonly tailLines: number;
  readonly activeWindowMs: number;
  readonly waitingAlertMs: number;
}

export type CompiledPatterns = { readonly [K in keyof PatternSources]?: RegExp } & {
  readonly dialogs?: readonly { readonly what: string; readonly re: RegExp }[];
};

/** The program a command runs: argv[0], or the first word of a shell string, without its folder. */
export function programName(command: Command | undefined): string | undefined {
  const first = Array.isArray(command) ? command[0] : typeof command === 'string' ? command.trim().split(/\s+/)[0] : undefined;
  return first ? first.replace(/^.*\//, '') : undefined;
}

const isPreset = (s: string | undefined): s is AgentPreset => s !== undefined && (PRESET_NAMES as readonly string[]).includes(s);

/** The preset named in the manifest, else the one named like the provider, else like its program. */
export function presetOf(providerName: string, provider: ProviderSpec): AgentPreset {
  const spec = typeof provider.agent === 'object' ? provider.agent : undefined;
  if (spec?.preset) return spec.preset;
  if (isPreset(providerName)) return providerName;
  const program = programName(provider.start ?? provider.command);
  return isPreset(program) ? program : 'generic';
}

export const isAgent = (provider: ProviderSpec | undefined): boolean => provider?.agent !== undefined && provider.agent !== false;

/** Undefined when the provider does not run an agent. */
export function agentProfile(providerName: string, provider: ProviderSpec | undefined): AgentProfile | undefined {
  if (!provider || !isAgent(provider)) return undefined;
  const spec: AgentSpec = typeof provider.agent === 'object' ? provider.agent : {};
  const preset = presetOf(providerName, provider);
  return {
    preset,
    patterns: { ...AGENT_PRESETS[preset], ...(spec.patterns ?? {}) },
    dialogs: AGENT_DIALOGS[preset],
    ...(CONVERSATION_STORES[preset] ? { conversationStore: CONVERSATION_STORES[preset] } : {}),
    tailLines: spec.tailLines ?? DEFAULT_TAIL_LINES,
    activeWindowMs: durationMs(spec.activeWindow, DEFAULT_ACTIVE_WINDOW_MS),
    waitingAlertMs: durationMs(spec.waitingAlert, DEFAULT_WAITING_ALERT_MS),
  };
}

/** Why a pattern cannot be used, if it cannot (the manifest reports it at its line). */
export function patternProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'm');
    return undefined;
  } catch (e) {
    return `not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

export function compilePatterns(patterns: PatternSources, dialogs: readonly DialogPattern[] = []): CompiledPatterns {
  const out: { -readonly [K in keyof PatternSources]?: RegExp } = {};
  for (const key of ['waiting', 'working', 'idle'] as const) {
    const source = patterns[key];
    if (source !== undefined && patternProblem(source) === undefined) out[key] = new RegExp(source, 'm');
  }
  return dialogs.length === 0 ? out : { ...out, dialogs: dialogs.map((d) => ({ what: d.what, re: new RegExp(d.pattern, 'm') })) };
}
