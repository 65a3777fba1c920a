/** gaia reconcile: follow the manifest's git ref and converge, once or on an interval, under the
 *  manifest's sync policy. SIGINT/SIGTERM/SIGHUP stop it cleanly: the round in progress starts nothing
 *  new, what runs finishes and is recorded, the lock is released; exit 0 between rounds, 128+n inside one. */
import type { Command } from 'commander';
import { localHost } from '../host/local/local-host.js';
import { reconcileRound, reconcileWatch, type ReconcileOptions, type RoundOutcome } from '../ops/reconcile.js';
import { UserError } from './errors.js';
import { chosenFormat, formatOptions, rendered, type FormatFlags } from './format.js';
import { err, out, parseDuration } from './io.js';
import { catchInterruptions } from './interrupt.js';
import { DEFAULT_FILE } from './project.js';
import { durationText } from './flags.js';

interface ReconcileFlags extends FormatFlags {
  file: string;
  once?: boolean;
  watch?: boolean;
  interval: string;
  repo?: string;
  ref?: string;
  fetch: boolean;
  lockTimeout: string;
}

export function register(program: Command, setCode: (code: number) => void): void {
  const cmd = program
    .command('reconcile')
    .description('fetch the manifest\'s repository and converge to the followed ref under the manifest\'s sync policy (GitOps)')
    .option('-f, --file <file>', 'manifest file (relative to --repo when given)', DEFAULT_FILE)
    .option('--once', 'run one round and exit (the default)')
    .option('--watch', 'run a round every --interval until stopped (SIGINT/SIGTERM)')
    .option('--interval <duration>', 'time between rounds with --watch', durationText, '30s')
    .option('--repo <path>', 'the machine\'s working copy (default: the repository holding the manifest)')
    .option('--ref <ref>', 'what to follow, e.g. origin/main (default: the current branch\'s upstream)')
    .option('--no-fetch', 'do not git fetch first')
    .option('--lock-timeout <duration>', 'how long to wait for a running apply', durationText, '0s');
  formatOptions(cmd, 'reconcileRound', 'each round', { json: 'print each round as a JSON line' })
    .action(async (opts: ReconcileFlags) => {
      if (opts.once && opts.watch) throw new UserError('choose one of --once and --watch');
      const format = chosenFormat(opts, 'reconcileRound');
      // Rounds are a stream: as JSON one line each and nothing else on stdout (progress lines are a terminal's).
      const report = (o: RoundOutcome) => out(rendered(format, 'reconcileRound', o, { oneLine: true }));
      const intervalMs = parseDuration(opts.interval);
      if (intervalMs < 1000) throw new UserError(`--interval must be at least 1s, not "${opts.interval}"`);
      // The first signal stops after the current round's running steps (nothing new starts); a
      // second stops its hooks too. Either way the round is recorded and the lock released.
      const interruption = catchInterruptions((line) => err(line));
      const options: ReconcileOptions = {
        file: opts.file,
        host: localHost(),
        ...(opts.repo ? { repo: opts.repo } : {}),
        ...(opts.ref ? { ref: opts.ref } : {}),
        fetch: opts.fetch,
        lockTimeoutMs: parseDuration(opts.lockTimeout),
        signal: interruption.signal,
        log: format === 'terminal' ? (line) => out(`  ${line}`) : () => undefined,
      };
      try {
        if (opts.watch) {
          let last: RoundOutcome | undefined;
          await reconcileWatch({ ...options, intervalMs, onRound: (o) => {
            last = o;
            report(o);
          } });
          // Stopped between rounds: a clean stop. Stopped inside one: the signal's exit code.
          setCode(last?.result === 'abandoned' ? interruption.exitCode() ?? 1 : 0);
        } else {
          const outcome = await reconcileRound(options);
          report(outcome);
          setCode(outcome.result === 'abandoned' ? interruption.exitCode() ?? 1
            : outcome.result === 'failed' || outcome.result === 'refused' || outcome.result === 'locked' ? 1 : 0);
        }
      } finally {
        interruption.dispose();
      }
    });
}
