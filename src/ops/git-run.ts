/** Run one git workflow operation in one environment, through the Executor (argv only), and turn
 *  what git did into a GitOutcome. Conflicts are found, explained and left for the user; destructive
 *  operations preview what they would discard and need --force to do it. */
import path from 'node:path';
import type { EnvironmentInfo } from '../manifest/model.js';
import type { CommandResult } from '../host/exec.js';
import type { ObserveContext } from '../providers/provider.js';
import {
  BLOCKED_MID_OPERATION,
  conflictMessage,
  featureBranch,
  parseCleanPreview,
  type GitOp,
  type GitOpOptions,
  type GitOutcome,
  type OutcomeStatus,
} from './git-ops.js';
import { gitOperationsIn } from './health-probe.js';

/** No prompts, no editors, stable English messages. */
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true', LC_ALL: 'C', LANGUAGE: 'C' } as const;
const TIMEOUT_MS = 5 * 60_000;

type Run = (...args: string[]) => Promise<CommandResult>;

export interface GitTarget {
  readonly env: EnvironmentInfo;
  /** Absolute repository directory (worktrees of one repository share it). */
  readonly repo: string;
  /** Files gaia made inside the worktree (stage databases, generated files), relative to it:
   *  `clean` never removes them, even with --force. */
  readonly keep: readonly string[];
}

/** Run `op` in every target, at most `limit` at once, reporting each outcome as it lands.
 *  `sync` fetches once per repository first: worktrees share their remote-tracking refs, and
 *  parallel fetches into one repository would fight over the ref locks. */
export async function runGitOps(
  op: GitOp,
  targets: readonly GitTarget[],
  options: GitOpOptions,
  ctx: ObserveContext,
  limit: number,
  onOutcome: (o: GitOutcome) => void = () => {},
): Promise<readonly GitOutcome[]> {
  const fetched = new Map<string, CommandResult>();
  if (op === 'sync') {
    const repos = [...new Set(targets.map((t) => t.repo))].filter((r) => ctx.host.files.exists(r));
    const results = await mapLimit(repos, limit, (repo) => ctx.host.run(['git', '-C', repo, 'fetch', '--all', '--prune'], { env: GIT_ENV, timeoutMs: TIMEOUT_MS }));
    repos.forEach((r, i) => fetched.set(r, results[i]!));
  }
  return mapLimit(targets, limit, async (t) => {
    const o = await runGitOp(op, t.env, options, ctx, fetched.get(t.repo), t.keep);
    onOutcome(o);
    return o;
  });
}

export async function runGitOp(
  op: GitOp,
  env: EnvironmentInfo,
  options: GitOpOptions,
  ctx: ObserveContext,
  fetch?: CommandResult,
  keep: readonly string[] = [],
): Promise<GitOutcome> {
  const dir = path.resolve(ctx.root, env.path);
  const outcome = (status: OutcomeStatus, summary: string, extra: Partial<GitOutcome> = {}): GitOutcome =>
    ({ env: env.name, op, status, exitCode: 0, summary, output: '', ...extra });
  if (!ctx.host.files.exists(path.join(dir, '.git'))) return outcome('failed', `${env.path} is not a git worktree (run gaia apply)`, { exitCode: 1 });
  const inProgress = gitOperationsIn(ctx.host.files, dir);
  if (inProgress.length && BLOCKED_MID_OPERATION.includes(op)) {
    const what = inProgress[0]!;
    return outcome('refused', `a ${what} is in progress; finish it or run \`git ${what} --abort\` first`);
  }
  /** Pathspecs that leave out gaia's own files (stage databases, generated files). */
  const notOurs = keep.map((k) => `:(top,literal,exclude)${k}`);
  const run: Run = (...args) => ctx.host.run(['git', '-C', dir, ...args], { env: GIT_ENV, timeoutMs: TIMEOUT_MS });
  const failed = (r: CommandResult, what: string): GitOutcome =>
    outcome('failed', `${what} failed: ${firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.exitCode}`}`, { exitCode: r.exitCode, output: joined(r) });

  switch (op) {
    case 'status': {
      const r = await run('status', '--short', '--branch', '--', '.', ...notOurs);
      if (r.exitCode !== 0) return failed(r, 'git status');
      const changed = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('##')).length;
      const branch = (r.stdout.split('\n')[0] ?? '').replace(/^## /, '');
      return outcome('ok', `${branch}${changed ? `, ${changed} changed` : ', clean'}`, { output: r.stdout });
    }
    case 'log': {
      const r = await run('log', '--oneline', '--decorate', '-n', String(options.count));
      if (r.exitCode !== 0) return failed(r, 'git log');
      const n = r.stdout.split('\n').filter((l) => l.trim() !== '').length;
      return outcome('ok', n ? `${count(n, 'commit')}, latest: ${firstLine(r.stdout)}` : 'no commits', { output: r.stdout });
    }
    case 'diff': {
      const r = await run('diff', 'HEAD', ...(options.patch ? [] : ['--stat']));
      if (r.exitCode !== 0) return failed(r, 'git diff');
      const last = r.stdout.trim().split('\n').at(-1) ?? '';
      return outcome('ok', r.stdout.trim() ? (options.patch ? 'changes against HEAD' : last.trim()) : 'no changes', { output: r.stdout });
    }
    case 'sync': {
      const fetchResult = fetch ?? (await run('fetch', '--all', '--prune'));
      if (fetchResult.exitCode !== 0) return failed(fetchResult, 'git fetch');
      return integrate(env.sync, env.base, run, outcome, failed, 'synced');
    }
    case 'rebase':
      return integrate('rebase', env.base, run, outcome, failed, 'rebased');
    case 'pull': {
      const r = await run('pull', env.sync === 'rebase' ? '--rebase' : '--no-rebase', '--no-edit');
      if (r.exitCode === 0) return outcome(/up to date/i.test(joined(r)) ? 'noop' : 'ok', firstLine(r.stdout) || 'pulled', { output: joined(r) });
      const conflicts = await conflictedFiles(run);
      if (conflicts.length) return outcome('conflict', conflictMessage(env.sync, conflicts), { exitCode: r.exitCode, conflicts, output: joined(r) });
      const hint = /no tracking information/i.test(r.stderr) ? ' (the branch has no upstream: run gaia git push first)' : '';
      return outcome('failed', `git pull failed: ${firstLine(r.stderr) || `exit ${r.exitCode}`}${hint}`, { exitCode: r.exitCode, output: joined(r) });
    }
    case 'feature': {
      const branch = featureBranch(options.name ?? '', options.today, env.name, options.several);
      if (!branch) return outcome('refused', `"${options.name ?? ''}" cannot be part of a branch name`);
      const r = await run('switch', '-c', branch, env.branch);
      if (r.exitCode !== 0) return failed(r, `creating ${branch}`);
      return outcome('ok', `created ${branch} from ${env.branch} and switched to it`);
    }
    case 'commit': {
      // Everything the user changed, but never gaia's own files (stage databases, generated files).
      const add = await run('add', '-A', '--', '.', ...notOurs);
      if (add.exitCode !== 0) return failed(add, 'git add');
      const staged = await run('diff', '--cached', '--quiet');
      if (staged.exitCode === 0) return outcome('noop', 'nothing to commit');
      const r = await run('commit', '-m', options.message ?? '');
      if (r.exitCode !== 0) return failed(r, 'git commit');
      return outcome('ok', firstLine(r.stdout) || 'committed', { output: r.stdout });
    }
    case 'push': {
      const r = await run('push', '--set-upstream', options.remote, 'HEAD');
      if (r.exitCode !== 0) return failed(r, 'git push');
      const text = joined(r);
      return outcome(/Everything up-to-date/.test(text) ? 'noop' : 'ok', /Everything up-to-date/.test(text) ? 'already pushed' : `pushed to ${options.remote}`, { output: text });
    }
    case 'clean': {
      // Anchored exclude patterns: gaia's own files count as ignored, so clean (without -x) leaves them.
      const excludes = keep.flatMap((k) => ['-e', `/${k}`]);
      const preview = await run('clean', '-n', '-d', ...excludes);
      if (preview.exitCode !== 0) return failed(preview, 'git clean -n');
      const files = parseCleanPreview(preview.stdout);
      if (files.length === 0) return outcome('noop', 'nothing to clean');
      if (!options.force) {
        return outcome('refused', `would remove ${count(files.length, 'untracked path')}: ${files.join(', ')}; pass --force to remove them`, { discard: files, output: preview.stdout });
      }
      const r = await run('clean', '-f', '-d', ...excludes);
      if (r.exitCode !== 0) return failed(r, 'git clean');
      return outcome('ok', `removed ${count(files.length, 'untracked path')}: ${files.join(', ')}`, { discard: files, output: r.stdout });
    }
    case 'reset': {
      const target = options.to ?? env.base;
      const [changes, commits] = await Promise.all([
        run('status', '--porcelain', '--untracked-files=no'),
        run('log', '--format=%h %s', `${target}..HEAD`, '--'),
      ]);
      if (changes.exitCode !== 0) return failed(changes, 'git status');
      if (commits.exitCode !== 0) return failed(commits, `git log ${target}..HEAD`);
      const files = changes.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => l.slice(3));
      const dropped = commits.stdout.split('\n').filter((l) => l.trim() !== '');
      const discard = [...files.map((f) => `uncommitted: ${f}`), ...dropped.map((c) => `commit: ${c}`)];
      if (discard.length && !options.force) {
        const parts = [files.length ? `${count(files.length, 'uncommitted change')} (${files.join(', ')})` : '', dropped.length ? `${count(dropped.length, 'commit')} not on ${target} (${dropped.join('; ')})` : ''].filter(Boolean);
        return outcome('refused', `reset to ${target} would discard ${parts.join(' and ')}; pass --force to discard them`, { discard, output: [changes.stdout, commits.stdout].join('') });
      }
      const r = await run('reset', '--hard', target);
      if (r.exitCode !== 0) return failed(r, `git reset --hard ${target}`);
      return outcome('ok', `reset to ${target}${discard.length ? `, discarded ${count(discard.length, 'item')}` : ''}: ${firstLine(r.stdout)}`, { discard, output: r.stdout });
    }
  }
}

/** Rebase onto or merge the base; on conflicts stop and say which files, leaving them for the user. */
async function integrate(
  how: 'rebase' | 'merge',
  base: string,
  run: Run,
  outcome: (status: OutcomeStatus, summary: string, extra?: Partial<GitOutcome>) => GitOutcome,
  failed: (r: CommandResult, what: string) => GitOutcome,
  verb: string,
): Promise<GitOutcome> {
  const r = how === 'rebase' ? await run('rebase', base) : await run('merge', '--no-edit', base);
  const text = joined(r);
  if (r.exitCode === 0) {
    const upToDate = /is up to date|Already up to date/i.test(text);
    return outcome(upToDate ? 'noop' : 'ok', upToDate ? `already up to date with ${base}` : `${verb} (${how} on ${base})`, { output: text });
  }
  const conflicts = await conflictedFiles(run);
  if (conflicts.length) return outcome('conflict', conflictMessage(how, conflicts), { exitCode: r.exitCode, conflicts, output: text });
  return failed(r, `git ${how} ${base}`);
}

async function conflictedFiles(run: Run): Promise<readonly string[]> {
  const r = await run('diff', '--name-only', '--diff-filter=U');
  return r.exitCode === 0 ? r.stdout.split('\n').filter((l) => l !== '') : [];
}

const firstLine = (s: string): string => s.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('hint:')) ?? '';
const joined = (r: CommandResult): string => [r.stdout, r.stderr].filter((s) => s.trim() !== '').join('\n');
const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Run `fn` over `items`, at most `limit` at once; results in the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
