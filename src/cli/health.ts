/** gaia health: checks per environment and session, a verdict, and an exit code that says it. */
import type { Command } from 'commander';
import type { Project } from '../engine/project.js';
import { exitCodeOf, type HealthReport } from '../ops/health.js';
import { checkHealth } from '../ops/health-run.js';
import { UserError } from './errors.js';
import { chosenFormat, formatOptions, rendered, type FormatFlags } from './format.js';
import { out, parseDuration } from './io.js';
import { DEFAULT_FILE, withProject } from './project.js';
import { durationText } from './flags.js';

interface HealthFlags extends FormatFlags {
  file: string;
  watch?: boolean;
  interval: string;
  verbose?: boolean;
}

const EXIT_CODES = `
Checks: each environment's directory exists, its worktree is on its branch, no merge or rebase is
in progress, its databases open and pass PRAGMA quick_check, and whether its ports answer (shown as
information: the manifest does not say a port must listen); each session runs and is not sitting
in a dead pane; each agent session is not waiting for input longer than its provider's
agent.waitingAlert (default 10m) and its agent still runs in its pane.

Exit codes:
  0  healthy   every check passed (information only)
  1  failing   an environment cannot be used: directory or database missing, database unreadable or
               failing quick_check (also: gaia itself failed, e.g. a bad manifest)
  2  degraded  usable but needs attention: a session down or dead, an agent waiting for input too
               long, a worktree off its branch or detached, a merge or rebase in progress
With --watch the screen is redrawn every --interval until Ctrl-C; the exit code is the last verdict's.`;

export function register(program: Command, setCode: (code: number) => void): void {
  const cmd = program
    .command('health')
    .description('check environments, databases and sessions; exit 0 healthy, 1 failing, 2 degraded')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE);
  formatOptions(cmd, 'health', 'the checks', { json: 'print the checks as JSON (with --watch: one JSON document per line)' })
    .option('--watch', 'refresh in place until Ctrl-C')
    .option('--interval <duration>', 'with --watch: time between checks (e.g. 2s, 500ms)', durationText, '2s')
    .option('-v, --verbose', 'list passing checks too')
    .addHelpText('after', EXIT_CODES)
    .action(async (opts: HealthFlags) => {
      let interval: number;
      try {
        interval = parseDuration(opts.interval);
      } catch (e) {
        throw new UserError(`--interval: ${(e as Error).message}`);
      }
      if (interval < 100) throw new UserError('--interval must be at least 100ms');
      await withProject(opts.file, async (project) => {
        const format = chosenFormat(opts, 'health');
        const render = (r: HealthReport) => rendered(format, 'health', r, { verbose: opts.verbose ?? false, oneLine: opts.watch === true });
        if (!opts.watch) {
          const report = await checkHealth(project);
          out(render(report));
          setCode(exitCodeOf(report.verdict));
          return;
        }
        setCode(await watch(project, interval, (r) => {
          if (format !== 'terminal') out(render(r));
          // Clear the screen and home the cursor, then redraw: a refresh in place.
          else process.stdout.write(`\x1b[H\x1b[2J${render(r)}\nRefreshing every ${opts.interval}; Ctrl-C to stop.\n`);
        }));
      });
    });
}

/** Check, draw, wait; until SIGINT. Returns the last verdict's exit code. */
async function watch(project: Project, intervalMs: number, draw: (r: HealthReport) => void): Promise<number> {
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.on('SIGINT', onSigint);
  let code = 0;
  try {
    while (!stop.signal.aborted) {
      const report = await checkHealth(project);
      if (stop.signal.aborted) break;
      draw(report);
      code = exitCodeOf(report.verdict);
      await sleep(intervalMs, stop.signal);
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  return code;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
