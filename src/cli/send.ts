/** gaia send TARGET TEXT: deliver text to a session, a group's sessions or --all, confirmed on each
 *  pane, keep going past failures, and end with a table and exit 1 if any delivery failed. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createColors } from 'picocolors';
import { deliverHere, resolveTargets, sendAll } from '../agents/send.js';
import { delivererFor } from '../engine/hosts.js';
import { textProblem } from '../providers/tmux/deliver.js';
import { sendLine } from '../render/send-terminal.js';
import { widthOf } from '../render/status-parts.js';
import { UserError } from './errors.js';
import { chosenFormat, formatOptions, rendered, type FormatFlags } from './format.js';
import { out, parseDuration, useColor } from './io.js';
import { DEFAULT_FILE, withProject } from './project.js';
import { durationText, wholeNumberText } from './flags.js';
import { completes } from './completion/spec.js';
import { tmuxServer } from '../providers/tmux/settings.js';

interface SendFlags extends FormatFlags {
  file: string;
  all?: boolean;
  textFile?: string;
  enter: boolean;
  parallel: string;
  timeout: string;
}

const HELP = `
The text is pasted through a tmux buffer of its own (bracketed, so an agent's input box takes
newlines as text), then Enter is pressed as a separate key. Each step is checked on the pane: a
delivery whose text does not show, or whose Enter changes nothing, is reported as failed. An agent
whose pane shows a dialog or a question (sign-in, trust this folder, a permission prompt) is sent
nothing: the text would answer it. A group's
ready pattern (groups.NAME.ready) is waited for first. Text comes from TEXT, --text-file, or stdin.

Examples:
  gaia send pr_impl1 "Fix the failing test in src/cli"
  gaia send pr_review --text-file review-prompt.md
  git diff | gaia send dev2_worker
  gaia send --all "/compact"`;

async function readText(words: readonly string[], opts: SendFlags): Promise<string> {
  if (opts.textFile !== undefined) {
    if (words.length) throw new UserError('give the text as TEXT or --text-file, not both');
    try {
      return readFileSync(opts.textFile, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read --text-file ${opts.textFile}: ${(e as Error).message}`);
    }
  }
  if (words.length) return words.join(' ');
  if (process.stdin.isTTY) throw new UserError('send needs the text: TEXT, --text-file FILE, or on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function register(program: Command, setCode: (code: number) => void): void {
  const cmd = completes(program
    .command('send [target] [text...]'), 'target', { kind: 'project', of: 'sessions' })
    .description('deliver text to a session, a group or --all, confirmed on each pane; a table of results at the end')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--all', 'every session of the manifest (then every argument is text)')
    .option('--text-file <path>', 'read the text from this file')
    .option('--no-enter', 'paste the text but do not press Enter')
    .option('--parallel <n>', 'how many sessions at once', wholeNumberText(1), '8')
    .option('--timeout <duration>', 'how long each pane has to show the text, and then the Enter', durationText, '3s');
  formatOptions(cmd, 'send', 'the results')
    .addHelpText('after', HELP)
    .action(async (target: string | undefined, words: string[], opts: SendFlags) => {
      const format = chosenFormat(opts, 'send');
      const parallel = Number(opts.parallel);
      if (!Number.isInteger(parallel) || parallel < 1) throw new UserError(`--parallel must be a positive whole number, not "${opts.parallel}"`);
      let confirmTimeoutMs: number;
      try {
        confirmTimeoutMs = parseDuration(opts.timeout);
      } catch (e) {
        throw new UserError(`--timeout: ${(e as Error).message}`);
      }
      // With --all the first word is text too.
      const text = await readText(opts.all && target !== undefined ? [target, ...words] : words, opts);
      const problem = textProblem(text);
      if (problem) throw new UserError(`cannot send: ${problem}`);
      await withProject(opts.file, async (project) => {
        const resolved = resolveTargets(project.model, opts.all ? undefined : target, opts.all ?? false);
        if (!resolved.ok) throw new UserError(resolved.error, resolved.hint);
        if (resolved.targets.length === 0) throw new UserError('the manifest has no sessions to send to');
        const c = createColors(useColor());
        const nameW = widthOf(resolved.targets.map((t) => t.session));
        const results = await sendAll(resolved.targets, text, delivererFor(project.sides, deliverHere(tmuxServer(project.ctx))), {
          parallel,
          deliver: { confirmTimeoutMs, submit: opts.enter },
          ...(format === 'terminal' ? { onResult: (r) => out(sendLine(c, r, nameW)) } : {}),
        });
        const closing = rendered(format, 'send', { results });
        if (closing !== '') out(closing);
        if (results.some((r) => r.exit !== 0)) setCode(1);
      });
    });
}
