/** What an apply prints while it runs. In a log (a pipe, a file, CI) a line per change as it starts
 *  and as it lands. On a terminal, an apply of more than PROGRESS_MIN changes would scroll hundreds of
 *  such lines past; there it shows one progress line rewritten in place (done/total, the wave, the
 *  time), prints each failure above it as it happens (and every other message: hooks, notes), and
 *  leaves the line's last form on screen above the summary. */
import type { ApplyEvent, ChangeResult } from '../engine/apply.js';
import type { ApplyProgress } from '../render/apply-terminal.js';
import { rendered } from './format.js';

/** Above this many changes, a terminal gets the progress line. */
export const PROGRESS_MIN = 30;

/** How often the line is redrawn at most, and at least (for the time on it). */
const REDRAW_MS = 100;
const TICK_MS = 1000;

export interface ApplyOutput {
  readonly onEvent: (event: ApplyEvent) => void;
  /** Any other line (a hook's, a provider's note). */
  readonly log: (line: string) => void;
  /** The apply is over: the progress line (if any) is drawn one last time and ended. */
  readonly finish: () => void;
}

export interface Terminal {
  /** Whether to draw a progress line at all (stdout is a terminal, and it was not turned off). */
  readonly tty: boolean;
  readonly columns: () => number;
  readonly write: (text: string) => void;
  readonly now: () => number;
}

const ERASE_LINE = '\r\x1b[K';

export function applyOutput(term: Terminal, destroy: boolean): ApplyOutput {
  const line = (text: string) => term.write(`${text}\n`);
  let progress: Progress | undefined;
  return {
    onEvent(event) {
      if (event.kind === 'begin' && term.tty && event.total > PROGRESS_MIN) progress = new Progress(term, destroy, event.total, event.waves);
      if (progress) return progress.event(event);
      const text = rendered('terminal', 'applyStep', event);
      if (text !== '') line(text);
    },
    log: (text) => (progress ? progress.above(text) : line(text)),
    finish: () => progress?.finish(),
  };
}

class Progress {
  private readonly started: number;
  private readonly results = new Map<string, ChangeResult>();
  private wave = 0;
  private drawnAt = -Infinity;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(private readonly term: Terminal, private readonly destroy: boolean, private readonly total: number, private readonly waves: number) {
    this.started = term.now();
    this.ticker = setInterval(() => this.draw(), TICK_MS);
    this.ticker.unref();
    this.draw();
  }

  event(event: ApplyEvent): void {
    switch (event.kind) {
      case 'begin':
      case 'started':
        return;
      case 'wave':
        this.wave = event.index;
        return this.draw();
      case 'settled': {
        this.results.set(event.result.address, event.result);
        // A failure is news: it is printed as it happens, with what went wrong.
        const r = event.result;
        if (r.status === 'failed') this.above(rendered('terminal', 'applyStep', { ...event, ran: true })); // as a log has it
        else if (r.status === 'refused') this.above(`${r.address}: ${r.error ?? 'refused'}`);
        else this.soon();
        return;
      }
    }
  }

  /** A line printed above the progress line, which is drawn again under it. */
  above(text: string): void {
    this.term.write(`${ERASE_LINE}${text}\n`);
    this.draw();
  }

  finish(): void {
    clearInterval(this.ticker);
    if (this.pending) clearTimeout(this.pending);
    this.term.write(`${ERASE_LINE}${this.text(true)}\n`);
  }

  /** Redraw now, or once REDRAW_MS have passed since the last time. */
  private soon(): void {
    const wait = this.drawnAt + REDRAW_MS - this.term.now();
    if (wait <= 0) return this.draw();
    this.pending ??= setTimeout(() => this.draw(), wait);
  }

  private draw(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.drawnAt = this.term.now();
    this.term.write(`${ERASE_LINE}${this.text(false)}`);
  }

  private text(finished: boolean): string {
    const all = [...this.results.values()].filter((r) => r.status !== 'interrupted');
    const value: ApplyProgress = {
      destroy: this.destroy,
      settled: all.length,
      total: this.total,
      failed: all.filter((r) => r.status === 'failed' || r.status === 'refused').length,
      wave: this.wave,
      waves: this.waves,
      elapsedMs: this.term.now() - this.started,
      ...(finished ? { finished: true } : {}),
    };
    // One column short of the width: writing the last column makes some terminals wrap.
    return rendered('terminal', 'applyProgress', value, { width: this.term.columns() - 1 });
  }
}
