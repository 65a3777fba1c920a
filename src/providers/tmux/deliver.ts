/** Text into a program running in a pane, confirmed. Never typed key by key into a shell:
 *  1. look at the pane (one invocation: its dead flag and screen); a missing session or dead pane
 *     ends it here;
 *  2. with a ready pattern, wait until it shows (the program takes input), else report and send nothing;
 *     an agent whose pane shows a dialog or a question is refused here (the text would answer it);
 *  3. `load-buffer -b gaia-<random> -` with the text on stdin, then in the same invocation
 *     `paste-buffer -p -r -d` into the pane: bracketed (when the program asked for bracketed paste,
 *     as agent CLIs do, its newlines are text, not Enter), byte for byte (-r: LF stays LF) and the
 *     uniquely named buffer deleted (-d), so deliveries at the same time cannot swap texts;
 *  4. confirm the pane shows the text (once more than before), or the CLI's placeholder for a long
 *     paste; a pane that merely changed is not arrival (a dialog redraws too): report, no Enter;
 *  5. a separate `send-keys Enter`, then confirm the pane changed again.
 *  The text is data from start to end: stdin of tmux, never an argument, never a shell. */
import { randomBytes } from 'node:crypto';
import { describeFailure } from '../../host/exec.js';
import { invocation, paneTarget, type TmuxCommand } from './commands.js';
import type { TmuxServer } from './settings.js';

type Ctx = TmuxServer;

export interface DeliverOptions {
  /** Wait for this pattern in the pane before sending (the group's `ready`). */
  readonly ready?: { readonly pattern: string; readonly timeoutMs: number };
  /** How long the pane has to show the text, and then the Enter. Default 3 s each. */
  readonly confirmTimeoutMs?: number;
  readonly pollMs?: number;
  /** Press Enter after the text. Default true. */
  readonly submit?: boolean;
  /** Why the program cannot take text on this screen, if it cannot (an agent at a dialog). */
  readonly refuses?: (screen: string) => string | undefined;
}

export type DeliveryStage = 'text' | 'session' | 'ready' | 'state' | 'paste' | 'confirm' | 'submit';

export type Delivery =
  | { readonly ok: true; readonly confirmed: 'text' | 'changed'; readonly ms: number; readonly screen: string }
  | { readonly ok: false; readonly stage: DeliveryStage; readonly error: string; readonly ms: number; readonly screen?: string; readonly argv?: readonly string[]; readonly stderr?: string };

const DEFAULT_CONFIRM_MS = 3000;
const DEFAULT_POLL_MS = 50;
/** An input box may still be taking the paste in when it first shows it; Enter waits this long after.
 *  gemini-cli 0.61 takes an Enter within a few hundred ms of a paste as part of it (a newline): the
 *  real-CLI suite (test/agents) lost 1 Enter in 3 at 100 ms. */
const ENTER_DELAY_MS = 500;

/** Why a text cannot be delivered as text, if it cannot: empty, or control characters other than
 *  tab and newline (ESC and the like are keys, not text; CR is Enter). */
export function textProblem(text: string): string | undefined {
  if (text.trim() === '') return 'the text is empty';
  const bad = /[\x00-\x08\x0b-\x1f\x7f]/.exec(text.replace(/\r\n/g, '\n'));
  if (bad) return `the text holds the control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} (only tab and newline are text)`;
  return undefined;
}

/** CRLF line ends become LF: Enter is the separate key press at the end. */
export const normaliseText = (text: string): string => text.replace(/\r\n/g, '\n');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const bufferName = (): string => `gaia-${randomBytes(8).toString('hex')}`;

interface Look {
  readonly ok: boolean;
  readonly dead: boolean;
  readonly screen: string;
  readonly error?: string;
  readonly argv?: readonly string[];
  readonly stderr?: string;
}

async function look(session: string, ctx: Ctx): Promise<Look> {
  const target = paneTarget(session);
  const commands: TmuxCommand[] = [['display-message', '-p', '-t', target, '#{pane_dead}'], ['capture-pane', '-p', '-J', '-t', target]];
  const r = await ctx.host.run(invocation(ctx, commands));
  if (r.failed) {
    const missing = /can't find|no such session|no server running|error connecting/i.test(r.stderr);
    return { ok: false, dead: false, screen: '', error: missing ? `session ${session} does not exist` : describeFailure(r), argv: r.argv, stderr: r.stderr };
  }
  const nl = r.stdout.indexOf('\n');
  return { ok: true, dead: r.stdout.slice(0, nl) === '1', screen: r.stdout.slice(nl + 1) };
}

/** Pieces of the text that a pane showing it would show: each line's start (agents wrap long
 *  lines, and show only the first lines of a multi-line paste, so only short pieces are looked for). */
function piecesOf(text: string): readonly string[] {
  return [...new Set(text.split('\n').map((l) => loose(l).trim().slice(0, 24)).filter(Boolean))];
}

/** Spaces compared loosely: a pane shows a tab as spaces, and a CLI may indent its input lines. */
const loose = (x: string): string => x.replace(/\s+/g, ' ');

/** How agent CLIs show a long paste in their input instead of its text: claude "[Pasted text #1 +40
 *  lines]", codex "[Pasted Content 1200 chars]", gemini "[Pasted Text: 40 lines]". */
const PASTE_PLACEHOLDER = /\[Pasted (?:text|Text|Content)\b/g;

const occurrences = (s: string, piece: string): number => s.split(piece).length - 1;
const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;

/** Poll until `done(screen)` or the deadline; returns the last screen and whether it was reached. */
async function waitFor(session: string, ctx: Ctx, timeoutMs: number, pollMs: number, done: (screen: string) => boolean): Promise<{ reached: boolean; look: Look }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const l = await look(session, ctx);
    if (!l.ok || l.dead || done(l.screen)) return { reached: l.ok && !l.dead && done(l.screen), look: l };
    if (Date.now() >= deadline) return { reached: false, look: l };
    await sleep(pollMs);
  }
}

export async function deliverText(session: string, rawText: string, ctx: Ctx, options: DeliverOptions = {}): Promise<Delivery> {
  const t0 = Date.now();
  const ms = () => Date.now() - t0;
  const problem = textProblem(rawText);
  if (problem) return { ok: false, stage: 'text', error: problem, ms: ms() };
  const text = normaliseText(rawText);
  const confirmMs = options.confirmTimeoutMs ?? DEFAULT_CONFIRM_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const gone = (l: Look): Delivery => l.ok
    ? { ok: false, stage: 'session', error: `${session}'s program has exited (the pane is dead); gaia apply restarts it`, ms: ms(), screen: l.screen }
    : { ok: false, stage: 'session', error: l.error ?? `cannot read ${session}`, ms: ms(), ...(l.argv ? { argv: l.argv } : {}), ...(l.stderr ? { stderr: l.stderr } : {}) };

  let before = await look(session, ctx);
  if (!before.ok || before.dead) return gone(before);
  if (options.ready) {
    // Lines without their trailing spaces, as agent patterns see them (capture-pane drops them too).
    const re = new RegExp(options.ready.pattern, 'm');
    const ready = (s: string) => re.test(s.split('\n').map((l) => l.trimEnd()).join('\n'));
    const w = await waitFor(session, ctx, options.ready.timeoutMs, Math.max(pollMs, 100), ready);
    if (!w.look.ok || w.look.dead) return gone(w.look);
    if (!w.reached) {
      return { ok: false, stage: 'ready', error: `${session} did not show its ready pattern /${options.ready.pattern}/ within ${Math.round(options.ready.timeoutMs / 100) / 10}s; nothing was sent`, ms: ms(), screen: w.look.screen };
    }
    before = w.look;
  }

  const refusal = options.refuses?.(before.screen);
  if (refusal) return { ok: false, stage: 'state', error: `${session} ${refusal}; nothing was sent`, ms: ms(), screen: before.screen };

  const name = bufferName();
  const target = paneTarget(session);
  const pasted = await ctx.host.run(invocation(ctx, [['load-buffer', '-b', name, '-'], ['paste-buffer', '-p', '-r', '-d', '-b', name, '-t', target]]), { input: text });
  if (pasted.failed) {
    await ctx.host.run(invocation(ctx, [['delete-buffer', '-b', name]])); // may not exist: either way it is gone
    return { ok: false, stage: 'paste', error: describeFailure(pasted), ms: ms(), argv: pasted.argv, stderr: pasted.stderr };
  }

  const pieces = piecesOf(text);
  const placeholders = count(before.screen, PASTE_PLACEHOLDER);
  const had = pieces.map((piece) => occurrences(loose(before.screen), piece));
  const shows = (s: string) => pieces.some((piece, i) => occurrences(loose(s), piece) > had[i]!) || count(s, PASTE_PLACEHOLDER) > placeholders;
  const arrived = await waitFor(session, ctx, confirmMs, pollMs, shows);
  if (!arrived.look.ok || arrived.look.dead) return gone(arrived.look);
  if (!arrived.reached) {
    return { ok: false, stage: 'confirm', error: `the text did not show in ${session}'s pane within ${confirmMs / 1000}s (is the program reading input?); Enter was not pressed`, ms: ms(), screen: arrived.look.screen };
  }
  if (options.submit === false) return { ok: true, confirmed: shows(arrived.look.screen) ? 'text' : 'changed', ms: ms(), screen: arrived.look.screen };

  await sleep(ENTER_DELAY_MS);
  // The screen may have settled further since the first sign of the paste: compare with the latest.
  const settled = await look(session, ctx);
  const pastedScreen = settled.ok ? settled.screen : arrived.look.screen;
  const enter = await ctx.host.run(invocation(ctx, [['send-keys', '-t', target, 'Enter']]));
  if (enter.failed) return { ok: false, stage: 'submit', error: describeFailure(enter), ms: ms(), argv: enter.argv, stderr: enter.stderr };
  const submitted = await waitFor(session, ctx, confirmMs, pollMs, (s) => s !== pastedScreen);
  // A program that exits on this very input (/exit) leaves a dead pane: that is a delivered text.
  if (submitted.look.ok && submitted.look.dead) return { ok: true, confirmed: shows(arrived.look.screen) ? 'text' : 'changed', ms: ms(), screen: submitted.look.screen };
  if (!submitted.look.ok) return gone(submitted.look);
  if (!submitted.reached) {
    return { ok: false, stage: 'submit', error: `${session}'s pane did not change after Enter within ${confirmMs / 1000}s; the text may be waiting in its input`, ms: ms(), screen: submitted.look.screen };
  }
  return { ok: true, confirmed: shows(arrived.look.screen) ? 'text' : 'changed', ms: ms(), screen: submitted.look.screen };
}
