/** Checks of flag values, run by commander while it parses (so a bad value is a usage error, named
 *  with its flag, before any work starts). Each returns the text unchanged: commands convert it
 *  where they use it, as before. */
import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from './io.js';

/** A duration such as 500ms, 30s, 5m or 1h (a plain number is seconds). */
export function durationText(value: string): string {
  try {
    parseDuration(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return value;
}

/** A whole number of at least `min`. */
export function wholeNumberText(min: number): (value: string) => string {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new InvalidArgumentError(`not a whole number of at least ${min}: "${value}"`);
    return value;
  };
}

/** The first argument (before `--`) that is a long option of some gaia command written with one
 *  dash (`-file`, `-out=p.plan`), and what it means with two. */
export function oneDashLongOption(argv: readonly string[], program: Command): { index: number; meant: string } | undefined {
  const longs = new Set(['--help', '--version']);
  const walk = (c: Command) => {
    for (const o of c.options) if (o.long) longs.add(o.long);
    for (const sub of c.commands) walk(sub);
  };
  walk(program);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') break;
    const m = /^-([a-z][a-z0-9-]+)(=.*)?$/s.exec(argv[i]!);
    if (m && longs.has(`--${m[1]}`)) return { index: i, meant: `--${m[1]}${m[2] ?? ''}` };
  }
  return undefined;
}
