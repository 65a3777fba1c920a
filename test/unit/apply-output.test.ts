/** What an apply prints while it runs, fed its events: a line per change in a log; on a terminal,
 *  above PROGRESS_MIN changes, one progress line redrawn in place with failures printed above it. */
import { applyOutput, PROGRESS_MIN, type Terminal } from '../../src/cli/apply-output.js';
import type { ApplyEvent } from '../../src/engine/apply.js';
import { progressLine } from '../../src/render/apply-terminal.js';
import { render } from '../../src/render/registry.js';

function fakeTerminal(tty: boolean) {
  let written = '';
  let clock = 0;
  const term: Terminal = { tty, columns: () => 60, write: (t) => (written += t), now: () => clock };
  return { term, written: () => written, advance: (ms: number) => (clock += ms) };
}

/** An apply of `n` creates in two waves; the last one fails. */
function run(out: ReturnType<typeof applyOutput>, n: number, advance: (ms: number) => void): void {
  out.onEvent({ kind: 'begin', total: n, waves: 2 });
  for (let i = 1; i <= n; i++) {
    if (i === 1 || i === 2) out.onEvent({ kind: 'wave', index: i, waves: 2, size: i === 1 ? 1 : n - 1 });
    const address = `file.f${i}`;
    out.onEvent({ kind: 'started', address, action: 'create' });
    advance(200);
    const failed = i === n;
    const event: ApplyEvent = { kind: 'settled', ran: true, result: failed ? { address, action: 'create', status: 'failed', error: 'disk full' } : { address, action: 'create', status: 'done' } };
    out.onEvent(event);
  }
  out.log('hook: after_create ran');
  out.finish();
}

describe('apply output', () => {
  test('in a log (or a short apply on a terminal): a line as each change starts and lands', () => {
    for (const tty of [false, true]) {
      const t = fakeTerminal(tty);
      run(applyOutput(t.term, false), 3, t.advance);
      expect(t.written()).toBe([
        'file.f1: creating…', 'file.f1: created', 'file.f2: creating…', 'file.f2: created', 'file.f3: creating…', 'file.f3: failed: disk full', 'hook: after_create ran', '',
      ].join('\n'));
    }
    const t = fakeTerminal(false);
    run(applyOutput(t.term, false), PROGRESS_MIN + 10, t.advance);
    expect(t.written()).not.toContain('\r');
  });

  test(`on a terminal, more than ${PROGRESS_MIN} changes: one line drawn in place, failures and messages above it, its last form kept`, () => {
    const t = fakeTerminal(true);
    const n = PROGRESS_MIN + 1;
    run(applyOutput(t.term, false), n, t.advance);
    const written = t.written();
    expect(written).not.toContain('creating…');
    expect(written).not.toContain(': created');
    expect(written.startsWith('\r\x1b[KApplying 0/31 · wave 1/2 · 0.0s')).toBe(true);
    expect(written).toContain('\r\x1b[KApplying 15/31 · wave 2/2 · 3.0s');
    expect(written).toContain('\r\x1b[Kfile.f31: failed: disk full\n');
    expect(written).toContain('\r\x1b[Khook: after_create ran\n');
    expect(written.endsWith('\r\x1b[KApplied 31/31 · wave 2/2 · 1 failed · 6.2s\n')).toBe(true);
    // Every line break belongs to a failure, a message or the end: the progress itself never scrolls.
    expect(written.split('\n')).toHaveLength(4);
  });

  test('the progress line fits the terminal, and renders through the registry', () => {
    const p = { destroy: true, settled: 3, total: 120, failed: 0, wave: 2, waves: 5, elapsedMs: 1540 };
    expect(render('terminal', 'applyProgress', p, { color: false, width: 80 })).toBe('Destroying 3/120 · wave 2/5 · 1.5s');
    expect(progressLine(p, 12)).toBe('Destroying …');
    expect(progressLine({ ...p, settled: 120, finished: true }, 80)).toBe('Destroyed 120/120 · wave 2/5 · 1.5s');
    expect(progressLine({ ...p, finished: true }, 80)).toBe('Stopped at 3/120 · wave 2/5 · 1.5s'); // interrupted
  });
});
