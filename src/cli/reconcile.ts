/** gaia reconcile: follow the manifest's git ref and converge, once or on an interval, under the
 *  manifest's sync policy. SIGINT/SIGTERM stop it cleanly: the round in progress finishes (or is
 *  abandoned before it applies), the lock is released, the exit code is 0. */
import type { Command } from 'commander';
import { reconcileRound, reconcileWatch, type ReconcileOptions, type RoundOutcome } from '../ops/reconcile.js';
import { crashLoopText } from '../ops/reconcile-summary.js';
import { UserError, formatManifestError } from './errors.js';
import { err, out, parseDuration } from './io.js';
import { DEFAULT_FILE } from './project.js';

interface ReconcileFlags {
  file: string;
  once?: boolean;
  watch?: boolean;
  interval: string;
  repo?: string;
  ref?: string;
  fetch: boolean;
  lockTimeout: string;
  json?: boolean;
}

export function register(program: Command, setCode: (code: number) => void): void {
  program
    .command('reconcile')
    .description('fetch the manifest\'s repository and converge to the followed ref under the manifest\'s sync policy (GitOps)')
    .option('-f, --file <file>', 'manifest file (relative to --repo when given)', DEFAULT_FILE)
    .option('--once', 'run one round and exit (the default)')
    .option('--watch', 'run a round every --interval until stopped (SIGINT/SIGTERM)')
    .option('--interval <duration>', 'time between rounds with --watch', '30s')
    .option('--repo <path>', 'the machine\'s working copy (default: the repository holding the manifest)')
    .option('--ref <ref>', 'what to follow, e.g. origin/main (default: the current branch\'s upstream)')
    .option('--no-fetch', 'do not git fetch first')
    .option('--lock-timeout <duration>', 'how long to wait for a running apply', '0s')
    .option('--json', 'print each round as a JSON line')
    .action(async (opts: ReconcileFlags) => {
      if (opts.once && opts.watch) throw new UserError('choose one of --once and --watch');
      const intervalMs = parseDuration(opts.interval);
      if (intervalMs < 1000) throw new UserError(`--interval must be at least 1s, not "${opts.interval}"`);
      const controller = new AbortController();
      let signals = 0;
      const stop = (name: string) => {
        signals++;
        if (signals === 1) {
          err(`${name}: stopping after the current round (send again to stop at once)`);
          controller.abort();
        } else {
          // The lock of a process that is gone is taken over by the next reconcile; nothing is lost.
          process.exit(0);
        }
      };
      const onInt = () => stop('SIGINT');
      const onTerm = () => stop('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      const options: ReconcileOptions = {
        file: opts.file,
        ...(opts.repo ? { repo: opts.repo } : {}),
        ...(opts.ref ? { ref: opts.ref } : {}),
        fetch: opts.fetch,
        lockTimeoutMs: parseDuration(opts.lockTimeout),
        signal: controller.signal,
        log: opts.json ? () => undefined : (line) => out(`  ${line}`),
      };
      try {
        if (opts.watch) {
          await reconcileWatch({ ...options, intervalMs, onRound: (o) => report(o, opts.json ?? false) });
          setCode(0);
        } else {
          const outcome = await reconcileRound(options);
          report(outcome, opts.json ?? false);
          setCode(outcome.result === 'failed' || outcome.result === 'refused' || outcome.result === 'locked' ? 1 : 0);
        }
      } finally {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      }
    });
}

function report(o: RoundOutcome, json: boolean): void {
  if (json) {
    const { plan: _plan, apply, held, ...rest } = o;
    out(JSON.stringify({ ...rest, held: held.map((h) => ({ address: h.change.address, action: h.change.action, why: h.why })), ...(apply ? { apply: apply.results } : {}) }));
    return;
  }
  const at = [o.ref, o.revision?.slice(0, 12)].filter(Boolean).join('@');
  out(`[${o.finishedAt}]${at ? ` ${at}:` : ''} ${o.result} — ${o.summary}`);
  for (const e of o.errors) out(`  ${formatManifestError(e)}`);
  if (o.result === 'failed' && o.error && o.error !== o.summary && !o.errors.length) out(`  ${o.error.split('\n').join('\n  ')}`);
  if (o.crashLooping.length) out(crashLoopText(o.crashLooping).split('\n').map((l) => `  ${l}`).join('\n'));
}
