/** Every output format, by the name of its flag: a new format is one file beside this one and one
 *  line here. Commands pick from here (src/cli/format.ts) and so does the dashboard. */
import { jsonFormat } from './json.js';
import { markdown } from './markdown.js';
import type { Format, RenderOptions, ReportName, Reports } from './reports.js';
import { terminal } from './terminal.js';

export const FORMATS = {
  terminal,
  json: jsonFormat,
  markdown,
} as const satisfies Readonly<Record<string, Format>>;

export type FormatName = keyof typeof FORMATS;

/** The format used when no flag names one. */
export const DEFAULT_FORMAT: FormatName = 'terminal';

export const FORMAT_NAMES = Object.keys(FORMATS) as readonly FormatName[];

/** The formats that can render this report. */
export function formatsFor(name: ReportName): readonly FormatName[] {
  return FORMAT_NAMES.filter((f) => (FORMATS[f] as Format).reports[name] !== undefined);
}

/** The formats that can split this report into parts. */
export function splitFormatsFor(name: ReportName): readonly FormatName[] {
  return FORMAT_NAMES.filter((f) => (FORMATS[f] as Format).parts?.[name] !== undefined);
}

/** Render one report in one format; undefined when that format does not render it. */
export function render<K extends ReportName>(format: FormatName, name: K, value: Reports[K], options: RenderOptions): string | undefined {
  const renderer = (FORMATS[format] as Format).reports[name];
  return renderer?.(value, options);
}

/** The report as numbered parts; undefined when that format cannot split it. */
export function renderParts<K extends ReportName>(format: FormatName, name: K, value: Reports[K], options: RenderOptions): readonly string[] | undefined {
  const split = (FORMATS[format] as Format).parts?.[name];
  return split?.(value, options);
}
