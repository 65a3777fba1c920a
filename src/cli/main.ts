/** gaia's command line: parse flags, run a command, turn errors into messages and exit codes.
 *  The only place that decides what is printed on failure and how the process exits. */
import { Command, CommanderError } from 'commander';
import { formatManifestError, ManifestInvalid, UserError } from './errors.js';
import { interruptionActive } from './interrupt.js';
import { err } from './io.js';
import * as apply from './apply.js';
import * as graph from './graph.js';
import * as plan from './plan.js';
import * as restore from './restore.js';
import * as state from './state.js';
import * as validate from './validate.js';
import * as diff from './diff.js';
import * as drift from './drift.js';
import * as reconcile from './reconcile.js';
import * as cost from './cost.js';
import * as git from './git.js';
import * as health from './health.js';
import * as status from './status.js';
import * as task from './task.js';
import * as serve from './serve.js';
import * as send from './send.js';
import * as attach from './attach.js';
import * as importCmd from './import.js';
import * as completion from './completion/command.js';
import * as worker from './worker.js';
import { totalSpawned } from '../host/exec.js';
import { StateUnavailable } from '../state/sqlite-store.js';
import { DigestKeyUnavailable } from '../state/digest-key.js';
import { UnknownTargets } from '../engine/plan.js';
import { didYouMean } from '../manifest/suggest.js';
import { quoteForDisplay } from '../host/exec.js';
import { oneDashLongOption } from './flags.js';
import { gaiaCommand } from './project.js';
import { locateManifest } from './find-project.js';
import { HostUnreachable, WorkerFailed } from '../host/ssh/worker-client.js';

export const VERSION = '0.1.0';

let ran: string | undefined;

/** The command whose action the last `main` ran ("plan", "state list"), for bin/gaia.js's code cache:
 *  undefined after --help, --version or a mistyped command. */
export function ranCommand(): string | undefined {
  return ran;
}

export async function main(argv: readonly string[]): Promise<number> {
  ran = undefined;
  // `gaia plan | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // An interrupted apply still records and releases when its terminal is gone (SIGHUP: EIO).
      if (interruptionActive() && (e.code === 'EPIPE' || e.code === 'EIO')) return;
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  let code = 0;
  const setCode = (c: number) => {
    code = c;
  };
  const program = new Command('gaia')
    .description('Declarative plan/apply for parallel development environments: worktrees, SQLite stages, ports and tmux sessions')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run gaia --help for usage)')
    .configureOutput({ writeErr: (s) => err(s.trimEnd()) })
    .hook('preAction', (_root, action) => {
      const names: string[] = [];
      for (let c: Command | null = action; c?.parent; c = c.parent) names.unshift(c.name());
      ran = names.join(' ');
      if (action.name() === completion.COMPLETE_COMMAND) return; // finds its manifest itself, quietly
      // Which manifest: the nearest one upward, and never an environment's copy (src/cli/find-project.ts).
      // Not with reconcile's --repo, where -f is a path inside that working copy.
      if (action.options.some((o) => o.attributeName() === 'file') && !action.opts().repo) {
        const named = action.getOptionValueSource('file') === 'cli';
        const located = locateManifest(String(action.opts().file), named);
        if (located.note) err(located.note);
        action.setOptionValueWithSource('file', located.file, action.getOptionValueSource('file') ?? 'default');
      }
    });
  validate.register(program, setCode);
  plan.register(program, setCode);
  apply.register(program, setCode);
  graph.register(program);
  state.register(program);
  restore.register(program);
  diff.register(program, setCode);
  drift.register(program, setCode);
  reconcile.register(program, setCode);
  status.register(program, setCode);
  health.register(program, setCode);
  git.register(program, setCode);
  cost.register(program, setCode);
  task.register(program, setCode);
  serve.register(program, setCode);
  send.register(program, setCode);
  attach.register(program, setCode);
  importCmd.register(program, setCode);
  completion.register(program);
  worker.register(program);

  try {
    // `-file x` would be read as `-f ile x`: a long option with one dash is refused, naming the right one.
    const dashed = oneDashLongOption(argv, program);
    if (dashed) {
      const fixed = argv.map((a, i) => (i === dashed.index ? dashed.meant : a));
      throw new UserError(`unknown option '${argv[dashed.index]}': long options take two dashes`, `did you mean: ${['gaia', ...fixed].map(quoteForDisplay).join(' ')}`);
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    return report(e);
  } finally {
    // Opt-in figures for bench/: how many child processes this run started.
    if (process.env.GAIA_STATS) err(`gaia-stats spawned=${totalSpawned()}`);
  }
}

function report(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
  if (e instanceof ManifestInvalid) {
    err(e.errors.map(formatManifestError).join('\n'));
    err(`\n${e.errors.length} error${e.errors.length === 1 ? '' : 's'} in the manifest.`);
    return 1;
  }
  if (e instanceof StateUnavailable) {
    err(`Error: ${e.message}\n  ${e.hint ?? 'its folder must be a writable folder and the file a gaia state database (move a damaged one away); or point settings.state elsewhere'}`);
    return 1;
  }
  if (e instanceof DigestKeyUnavailable) {
    err(`Error: ${e.message}\n  ${e.hint}`);
    return 1;
  }
  if (e instanceof UnknownTargets) {
    // Suggestions from the addresses and their prefixes (a kind, an environment's databases).
    const names = new Set(e.addresses.flatMap((a) => a.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))));
    for (const t of e.targets) err(`Error: --target ${t}: no resource in the manifest or the state has this address${didYouMean(t, names)}`);
    err(`  list them with \`${gaiaCommand(e.manifestFile, 'validate', ['--print-resources'])}\` (the manifest's) or \`${gaiaCommand(e.manifestFile, 'state list')}\` (what gaia owns)`);
    return 1;
  }
  const sqliteCode = (e as { code?: unknown } | null)?.code;
  if (typeof sqliteCode === 'string' && /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB)/.test(sqliteCode)) {
    // A database that cannot be read or written is a fact about the machine, not a bug in gaia.
    const damaged = /^SQLITE_(CORRUPT|NOTADB)/.test(sqliteCode);
    err(`Error: a database gaia uses ${damaged ? 'is damaged' : 'cannot be written'}: ${(e as Error).message} (${sqliteCode})`);
    err(damaged ? '  if it is the state store, run `gaia state rebuild`' : '  free space or make its folder writable, then run the command again: what was recorded is kept');
    return 1;
  }
  if (e instanceof WorkerFailed || e instanceof HostUnreachable) {
    // A host of the manifest that answered wrongly (no node there, a full disk) or went away.
    err(`Error: ${e.message}\n  fix it on that host (or take the host out of the manifest), then run the command again`);
    return 1;
  }
  if (e instanceof UserError) {
    err(`Error: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`);
    return 1;
  }
  const message = e instanceof Error ? e.message : String(e);
  err(`gaia: internal error: ${message}`);
  err('This is a bug in gaia. Please report it with the command you ran and this output.');
  if (process.env.GAIA_DEBUG && e instanceof Error) err(e.stack ?? '');
  return 1;
}
