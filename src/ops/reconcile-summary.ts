/** A reconcile round in one line for the history (`gaia reconcile`, status, the dashboard), and the
 *  crash-loop evidence for the round's error field. */
import type { PlanSummary } from '../core/plan.js';
import { summaryLine } from '../render/plan-terminal.js';
import type { Held } from './reconcile-policy.js';

export interface CrashLoop {
  readonly address: string;
  readonly restarts: number;
  /** ISO time of the next restart self-heal allows. */
  readonly nextRestart?: string;
  readonly lastOutput?: string;
}

function list(addresses: readonly string[]): string {
  return addresses.length <= 3 ? addresses.join(', ') : `${addresses.slice(0, 3).join(', ')} and ${addresses.length - 3} more`;
}

export function heldSummary(held: readonly Held[]): string[] {
  const of = (k: Held['why']['kind']) => held.filter((h) => h.why.kind === k).map((h) => h.change.address);
  const parts: string[] = [];
  const prune = of('prune_off');
  if (prune.length) parts.push(`${prune.length} not pruned (prune is off): ${list(prune)}`);
  const heal = of('self_heal_off');
  if (heal.length) parts.push(`${heal.length} drifted, not healed (selfHeal is off): ${list(heal)}`);
  const wait = of('backoff');
  if (wait.length) parts.push(`${wait.length} restart${wait.length === 1 ? '' : 's'} backing off: ${list(wait)}`);
  const needs = of('needs');
  if (needs.length) parts.push(`${needs.length} waiting for held changes: ${list(needs)}`);
  return parts;
}

export function roundSummary(parts: {
  readonly plan: PlanSummary;
  readonly changed: boolean;
  readonly held: readonly Held[];
  readonly crashLooping: readonly CrashLoop[];
  readonly notes: readonly string[];
}): string {
  const out = [parts.changed ? summaryLine(parts.plan) : 'No changes.', ...heldSummary(parts.held)];
  if (parts.crashLooping.length) out.push(`crash-looping: ${list(parts.crashLooping.map((c) => c.address))}`);
  out.push(...parts.notes);
  return out.join(' | ');
}

export function crashLoopText(loops: readonly CrashLoop[]): string {
  return loops.map((c) => {
    const head = `${c.address} is crash-looping (${c.restarts} restarts${c.nextRestart ? `; next restart not before ${c.nextRestart}` : ''})`;
    return c.lastOutput ? `${head}; last output:\n${c.lastOutput.split('\n').map((l) => `  | ${l}`).join('\n')}` : head;
  }).join('\n');
}
