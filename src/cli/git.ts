/** gaia git <op> [ENV…|--all]: the report's git workflow across environments, in parallel,
 *  one line per environment as it finishes and a table of every result at the end. */
import type { Command } from 'commander';
import { createColors } from 'picocolors';
import type { Model } from '../manifest/model.js';
import { managedIn, managedPaths, repositoryOf } from '../ops/git-facts.js';
import {
  DESTRUCTIVE_OPS,
  failedOutcome,
  GIT_OPS,
  isGitOp,
  localDate,
  READ_ONLY_OPS,
  tail,
  type GitOp,
  type GitOutcome,
  type OutcomeStatus,
} from '../ops/git-ops.js';
import { runGitOps } from '../ops/git-run.js';
import { widthOf, type Colors } from '../render/status-parts.js';
import { UserError } from './errors.js';
import { out, useColor } from './io.js';
import { DEFAULT_FILE, withProject } from './project.js';
import { wholeNumberText } from './flags.js';
import { completes } from './completion/spec.js';

interface GitFlags {
  file: string;
  all?: boolean;
  message?: string;
  force?: boolean;
  remote: string;
  count: string;
  patch?: boolean;
  to?: string;
  parallel: string;
}

const HELP = `
Operations:
  status                 git status --short --branch (without gaia's own files)
  sync                   fetch (once per repository), then rebase onto or merge the base (environments.sync)
  feature NAME           create feature/YYYY-MM-DD-NAME from the environment's branch and switch to it
                         (with several environments each gets feature/YYYY-MM-DD-NAME-ENV)
  commit -m MSG          add everything but gaia's own files and commit (nothing to commit is not an error)
  push                   push HEAD to --remote (default origin), setting the upstream
  pull                   pull from the upstream, rebasing or merging as environments.sync says
  log                    the last -n commits (default 10)
  diff                   changes against HEAD (--stat; --patch for the whole diff)
  clean                  remove untracked files (git clean -d) but never gaia's own (stage databases,
                         generated files); needs --force, shows the files first
  rebase                 rebase onto the base without fetching
  reset                  git reset --hard to the base (or --to REF); needs --force when it would
                         discard uncommitted changes or commits, and lists them first

status, log and diff run on every environment when none is named; the others need ENV… or --all.
Conflicts are left in place for you, with the files named. Exit 1 when any environment failed,
stopped on a conflict or was refused.`;

export function register(program: Command, setCode: (code: number) => void): void {
  const cmd = program.command('git <op> [args...]');
  completes(cmd, 'op', { kind: 'choices', values: GIT_OPS });
  completes(cmd, 'args', { kind: 'project', of: 'environments' });
  cmd
    .description(`run a git operation across environments (${GIT_OPS.join(', ')})`)
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--all', 'every environment')
    .option('-m, --message <message>', 'commit: the commit message')
    .option('--force', 'clean/reset: really discard what they list')
    .option('--remote <name>', 'push: the remote', 'origin')
    .option('-n, --count <n>', 'log: how many commits', wholeNumberText(1), '10')
    .option('--patch', 'diff: the whole patch instead of --stat')
    .option('--to <ref>', 'reset: the commit to reset to (default: the base branch)')
    .option('--parallel <n>', 'how many environments at once', wholeNumberText(1), '4')
    .addHelpText('after', HELP)
    .action(async (op: string, args: string[], opts: GitFlags) => {
      if (!isGitOp(op)) throw new UserError(`unknown git operation "${op}"`, `operations: ${GIT_OPS.join(', ')}`);
      const name = op === 'feature' ? args[0] : undefined;
      const envArgs = op === 'feature' ? args.slice(1) : args;
      if (op === 'feature' && !name) throw new UserError('feature needs a NAME', 'gaia git feature login-form dev1');
      if (op === 'commit' && !opts.message) throw new UserError('commit needs a message', 'gaia git commit -m "what changed" dev1');
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1) throw new UserError(`--count must be a positive whole number, not "${opts.count}"`);
      const parallel = Number(opts.parallel);
      if (!Number.isInteger(parallel) || parallel < 1) throw new UserError(`--parallel must be a positive whole number, not "${opts.parallel}"`);

      await withProject(opts.file, async (project) => {
        const envs = selectEnvironments(project.model, op, envArgs, opts.all ?? false);
        const c = createColors(useColor());
        const options = {
          ...(opts.message !== undefined ? { message: opts.message } : {}),
          ...(name !== undefined ? { name } : {}),
          ...(opts.to !== undefined ? { to: opts.to } : {}),
          force: opts.force ?? false,
          remote: opts.remote,
          count,
          patch: opts.patch ?? false,
          today: localDate(new Date()),
          several: envs.length > 1,
        };
        const nameW = widthOf(envs.map((e) => e.name));
        const managed = managedPaths(project.model.resources);
        const targets = envs.map((env) => ({
          env,
          repo: repositoryOf(env, project.model.resources, project.model.root),
          keep: [...managedIn(managed, env.path)],
        }));
        const outcomes = await runGitOps(op, targets, options, project.ctx, parallel, (o) => out(outcomeBlock(c, o, nameW)));
        out(resultTable(c, outcomes));
        if (outcomes.some(failedOutcome)) setCode(1);
      });
    });
}

/** Named environments (checked), or all of them; read-only operations default to all. */
export function selectEnvironments(model: Pick<Model, 'environments'>, op: GitOp, names: readonly string[], all: boolean): Model['environments'] {
  const valid = model.environments.map((e) => e.name);
  if (valid.length === 0) throw new UserError('the manifest defines no environments');
  if (all && names.length) throw new UserError('give environment names or --all, not both');
  if (all || (names.length === 0 && READ_ONLY_OPS.includes(op))) return model.environments;
  if (names.length === 0) {
    throw new UserError(`name the environments to ${op} (e.g. gaia git ${op}${op === 'commit' ? ' -m MSG' : ''} ${valid[0]}) or pass --all`, `environments: ${valid.join(', ')}`);
  }
  const unknown = names.filter((n) => !valid.includes(n));
  if (unknown.length) {
    throw new UserError(`unknown environment${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ')}`, `valid environments: ${valid.join(', ')}`);
  }
  const wanted = new Set(names);
  return model.environments.filter((e) => wanted.has(e.name));
}

function mark(c: Colors, status: OutcomeStatus): string {
  switch (status) {
    case 'ok': return c.green('✔');
    case 'noop': return c.dim('=');
    case 'conflict': return c.red('⚡');
    case 'refused': return c.yellow('!');
    case 'failed': return c.red('✖');
  }
}

/** Shown in full: what a looking operation printed, and what a refused destructive one would discard. */
const showsOutput = (o: GitOutcome): boolean => READ_ONLY_OPS.includes(o.op) || (DESTRUCTIVE_OPS.includes(o.op) && o.status === 'refused');

function outcomeBlock(c: Colors, o: GitOutcome, nameW: number): string {
  const line = `${mark(c, o.status)} ${c.bold(o.env.padEnd(nameW))}  ${o.summary}`;
  if (!showsOutput(o) || o.output.trim() === '') return line;
  const body = o.discard?.length && o.status === 'refused'
    ? o.discard.map((d) => `    ${c.yellow(d)}`)
    // status: the summary already says the branch; show the files.
    : o.output.trimEnd().split('\n').filter((l) => !(o.op === 'status' && l.startsWith('## '))).map((l) => `    ${l}`);
  if (body.length === 0) return line;
  return [line, ...body].join('\n');
}

function resultTable(c: Colors, outcomes: readonly GitOutcome[]): string {
  const rows = outcomes.map((o) => [o.env, `${o.status}${o.exitCode ? ` (exit ${o.exitCode})` : ''}`, tail(o.output) || o.summary]);
  const head = ['ENV', 'RESULT', 'OUTPUT (last lines)'];
  const widths = [0, 1].map((i) => widthOf([head[i]!, ...rows.map((r) => r[i]!)]));
  const max = Math.max(20, (process.stdout.columns || 120) - widths[0]! - widths[1]! - 6);
  const line = (r: readonly string[]) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.length > max ? `${r[2]!.slice(0, max - 1)}…` : r[2]!}`;
  const failed = outcomes.filter(failedOutcome).length;
  const summary = failed ? c.red(`${failed} of ${outcomes.length} environment${outcomes.length === 1 ? '' : 's'} need attention.`) : c.green(`${outcomes.length} environment${outcomes.length === 1 ? '' : 's'} done.`);
  return ['', c.bold(line(head)), ...rows.map(line), '', summary].join('\n');
}
