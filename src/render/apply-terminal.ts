/** Apply for a terminal: the dry run's exact commands, a line per change as it runs (or, for a long
 *  apply on a terminal, one progress line), and the closing summary of what landed. */
import type { Change } from '../core/plan.js';
import type { DryRunEntry } from '../engine/dry-run.js';
import type { ApplyEvent, ApplyResult } from '../engine/apply.js';
import { quoteForDisplay } from '../host/exec.js';

export function renderDryRun(entries: readonly DryRunEntry[]): string {
  const lines = ['Dry run: these are the exact steps apply would run. Nothing was changed.', ''];
  for (const e of entries) {
    lines.push(`${e.address} (${e.action}):`);
    if (e.work.kind === 'state-only') lines.push(`  record in the state store only`);
    else if (e.work.kind === 'hooks-only') lines.push(`  - run its after_create hooks again`);
    else {
      for (const s of e.work.steps) {
        lines.push(s.argv ? `  $ ${s.argv.map(quoteForDisplay).join(' ')}${s.cwd ? `   (in ${s.cwd})` : ''}` : `  - ${s.description}`);
      }
    }
  }
  return lines.join('\n');
}

/** `signal`: the signal that interrupted the apply, if one did. */
export function renderApplySummary(result: ApplyResult, destroy: boolean, signal?: string): string {
  const n = (action: string) => result.results.filter((r) => r.status === 'done' && r.action === action).length;
  if (result.interrupted || result.storeError !== undefined) return interruptedSummary(result, destroy, signal);
  const bad = result.results.filter((r) => r.status !== 'done');
  const counts = `${n('create')} added, ${n('update')} changed, ${n('replace')} replaced, ${n('delete')} destroyed${n('adopt') ? `, ${n('adopt')} adopted` : ''}`;
  if (result.ok) return `\n${destroy ? 'Destroy' : 'Apply'} complete! Resources: ${counts}. (${(result.ms / 1000).toFixed(1)}s)`;
  const lines = ['', `${destroy ? 'Destroy' : 'Apply'} finished with errors. Resources: ${counts}.`];
  for (const r of bad) {
    lines.push(`  ${r.status.toUpperCase()} ${r.address} (${r.action}): ${r.error ?? ''}`);
    if (r.stderr && !(r.error ?? '').includes(r.stderr.trim())) lines.push(`    stderr: ${r.stderr.trim()}`);
  }
  lines.push('Run `gaia plan` to see what remains; the next apply continues from here.');
  return lines.join('\n');
}

function interruptedSummary(result: ApplyResult, destroy: boolean, signal: string | undefined): string {
  const done = result.results.filter((r) => r.status === 'done').length;
  const notStarted = result.results.filter((r) => r.status === 'interrupted').length;
  const lines = ['', `${signal ? `Interrupted (${signal})` : 'Stopped'}: ${done} of ${result.results.length} changes applied${notStarted ? `, ${notStarted} not started` : ''}; run \`gaia ${destroy ? 'destroy' : 'apply'}\` to finish.`];
  for (const r of result.results.filter((x) => x.status !== 'done' && x.status !== 'interrupted')) lines.push(`  ${r.status.toUpperCase()} ${r.address} (${r.action}): ${r.error ?? ''}`);
  return lines.join('\n');
}

/** The line an apply event prints in a log (a pipe, reconcile): a change starting, and the result of
 *  one a provider ran; undefined for the rest (the summary lists what did not run). */
export function changeLine(event: ApplyEvent): string | undefined {
  switch (event.kind) {
    case 'started':
      return `${event.address}: ${VERB[event.action]}…`;
    case 'settled': {
      const r = event.result;
      if (!event.ran) return undefined;
      if (r.status === 'done') return `${r.address}: ${PAST[r.action]}${r.notes?.length ? ` (${r.notes.join('; ')})` : ''}`;
      return `${r.address}: failed: ${r.error ?? ''}`;
    }
    case 'begin':
    case 'wave':
      return undefined;
  }
}

/** Where a long apply is, for its progress line. */
export interface ApplyProgress {
  readonly destroy: boolean;
  /** Changes settled so far (not counting those an interruption left unstarted), of `total`. */
  readonly settled: number;
  readonly total: number;
  readonly failed: number;
  /** The wave running, of `waves` (0 before the first). */
  readonly wave: number;
  readonly waves: number;
  readonly elapsedMs: number;
  /** Finished: the line's last form, kept on the screen. */
  readonly finished?: boolean;
}

/** One line, at most `width` characters (so the terminal never wraps it and it can be rewritten in
 *  place): `Applying 23/41 · wave 2/3 · 1 failed · 4.1s`. */
export function progressLine(p: ApplyProgress, width: number): string {
  // Finished short of the total: an interruption left the rest unstarted.
  const verb = p.finished ? (p.settled < p.total ? 'Stopped at' : p.destroy ? 'Destroyed' : 'Applied') : p.destroy ? 'Destroying' : 'Applying';
  const parts = [`${verb} ${p.settled}/${p.total}`, `wave ${Math.max(p.wave, 1)}/${p.waves}`, ...(p.failed ? [`${p.failed} failed`] : []), `${(p.elapsedMs / 1000).toFixed(1)}s`];
  const line = parts.join(' · ');
  return line.length <= width ? line : `${line.slice(0, Math.max(width - 1, 0))}…`;
}

const VERB: Readonly<Record<Change['action'], string>> = { create: 'creating', update: 'updating', replace: 'replacing', delete: 'destroying', adopt: 'adopting', noop: 'checking' };
const PAST: Readonly<Record<Change['action'], string>> = { create: 'created', update: 'updated', replace: 'replaced', delete: 'destroyed', adopt: 'adopted', noop: 'unchanged' };
