/** Output formats for every command from one registry (src/render/registry.ts): each format that can
 *  render a command's report becomes a `--<format>` flag, and one function prints the chosen one. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_FORMAT, formatsFor, render, renderParts, type FormatName } from '../render/registry.js';
import { FORMATS } from '../render/registry.js';
import type { RenderOptions, ReportName, Reports } from '../render/reports.js';
import { UserError } from './errors.js';
import { out, useColor } from './io.js';

export type FormatFlags = { readonly [F in FormatName]?: boolean };

/** Add a `--<format>` flag for every format other than the default that renders `report`. `noun`
 *  completes the format's own description ("print the plan as JSON") unless `describe` has one. */
export function formatOptions(cmd: Command, report: ReportName, noun: string, describe: Partial<Record<FormatName, string>> = {}): Command {
  for (const f of formatsFor(report)) {
    if (f !== DEFAULT_FORMAT) cmd.option(`--${f}`, describe[f] ?? FORMATS[f].describe(noun));
  }
  return cmd;
}

/** The format the flags ask for; more than one is a mistake. */
export function chosenFormat(flags: FormatFlags, report: ReportName): FormatName {
  const named = formatsFor(report).filter((f) => f !== DEFAULT_FORMAT && flags[f] === true);
  if (named.length > 1) throw new UserError(`choose one of ${named.map((f) => `--${f}`).join(' and ')}`);
  return named[0] ?? DEFAULT_FORMAT;
}

/** The report rendered in `format`, with colour decided by stdout. */
export function rendered<K extends ReportName>(format: FormatName, report: K, value: Reports[K], options: Partial<RenderOptions> = {}): string {
  const text = render(format, report, value, { color: useColor(), ...options });
  // chosenFormat only offers formats that render the report, so this is a bug if it happens.
  if (text === undefined) throw new Error(`the ${format} format does not render ${report}`);
  return text;
}

/** Print the report in the format the flags ask for. */
export function printReport<K extends ReportName>(flags: FormatFlags, report: K, value: Reports[K], options: Partial<RenderOptions> = {}): FormatName {
  const format = chosenFormat(flags, report);
  out(rendered(format, report, value, options));
  return format;
}

/** `--split DIR`: the report as numbered files `<prefix>-01.md`…; false when the format cannot split it. */
export function writeParts<K extends ReportName>(format: FormatName, report: K, value: Reports[K], dir: string, prefix: string, options: Partial<RenderOptions> = {}): boolean {
  const parts = renderParts(format, report, value, { color: false, ...options });
  if (parts === undefined) return false;
  mkdirSync(dir, { recursive: true });
  parts.forEach((p, i) => writeFileSync(join(dir, `${prefix}-${String(i + 1).padStart(2, '0')}.md`), p));
  out(`wrote ${parts.length} part${parts.length === 1 ? '' : 's'} to ${dir}`);
  return true;
}
