/** gaia's command line: parse flags, run a command, turn errors into messages and exit codes.
 *  The only place that decides what is printed on failure and how the process exits. */
import { Command, CommanderError } from 'commander';
import { formatManifestError, ManifestInvalid, UserError } from './errors.js';
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
import * as importCmd from './import.js';
import { totalSpawned } from '../providers/exec.js';
import { StateUnavailable } from '../state/sqlite-store.js';

export const VERSION = '0.1.0';

export async function main(argv: readonly string[]): Promise<number> {
  // `gaia plan | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
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
    .configureOutput({ writeErr: (s) => err(s.trimEnd()) });
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
  importCmd.register(program, setCode);

  try {
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
    err(`Error: ${e.message}\n  its folder must be a writable folder and the file a gaia state database (move a damaged one away); or point settings.state elsewhere`);
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
