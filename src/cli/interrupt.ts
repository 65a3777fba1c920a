/** Interruption as an outcome: SIGINT (Ctrl-C), SIGTERM or SIGHUP during apply, destroy or a
 *  reconcile round stops gaia starting anything new, lets what runs finish (the caller records it
 *  and releases the lock), and gives the exit code a shell expects (128 + the signal's number).
 *  Hooks still running when the grace runs out, or at a second signal, are stopped with their whole
 *  process group. Commands run in process groups of their own meanwhile, so the terminal's Ctrl-C
 *  reaches gaia alone. */
import { constants } from 'node:os';
import { runInOwnProcessGroups, stopStoppable } from '../host/exec.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Caught = (typeof SIGNALS)[number];

/** How long running hooks may go on after the first signal (`GAIA_INTERRUPT_GRACE`, in ms, for tests). */
const DEFAULT_GRACE_MS = 10_000;

export interface Interruption {
  /** Aborted at the first signal. */
  readonly signal: AbortSignal;
  /** The first signal caught, if any. */
  readonly received: () => Caught | undefined;
  /** 128 + the signal's number, once one was caught. */
  readonly exitCode: () => number | undefined;
  /** Stop listening (signals then have their default effect again). */
  dispose(): void;
}

/** What bin/gaia.js keeps of signals that came before this module was loaded. */
interface HeldSignals {
  readonly signals: Caught[];
  readonly listeners: [Caught, () => void][];
}

let active = 0;
/** While an interruption is being handled, output errors (a closed terminal after SIGHUP) must not end gaia. */
export const interruptionActive = (): boolean => active > 0;

export function catchInterruptions(log: (line: string) => void, graceMs = graceFromEnv()): Interruption {
  runInOwnProcessGroups();
  const controller = new AbortController();
  let first: Caught | undefined;
  let grace: NodeJS.Timeout | undefined;
  const stopHooks = (why: string) => {
    const n = stopStoppable();
    if (n) log(`${why}: stopping ${n} running hook${n === 1 ? '' : 's'} and what they started`);
  };
  const handlers = SIGNALS.map((name) => {
    const handler = () => {
      if (first === undefined) {
        first = name;
        active++;
        log(`\nInterrupted (${name}): starting nothing new; running steps finish and are recorded (hooks get ${Math.round(graceMs / 1000)}s). Send it again to stop them now.`);
        controller.abort();
        grace = setTimeout(() => stopHooks('grace over'), graceMs);
        grace.unref();
      } else {
        clearTimeout(grace);
        stopHooks(`${name} again`);
      }
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  // Signals bin/gaia.js held while the bundle loaded: handled now, as if they had just arrived.
  const early = (globalThis as { __gaiaHeldSignals?: HeldSignals }).__gaiaHeldSignals;
  if (early) {
    for (const [name, listener] of early.listeners) process.off(name, listener);
    early.listeners.length = 0;
    for (const name of early.signals.splice(0)) handlers.find(([n]) => n === name)?.[1]();
  }
  return {
    signal: controller.signal,
    received: () => first,
    exitCode: () => (first === undefined ? undefined : 128 + constants.signals[first]),
    dispose() {
      clearTimeout(grace);
      for (const [name, handler] of handlers) process.off(name, handler);
      if (first !== undefined) active--;
    },
  };
}

function graceFromEnv(): number {
  const ms = Number(process.env.GAIA_INTERRUPT_GRACE);
  return Number.isFinite(ms) && ms >= 0 && process.env.GAIA_INTERRUPT_GRACE !== '' && process.env.GAIA_INTERRUPT_GRACE !== undefined ? ms : DEFAULT_GRACE_MS;
}
