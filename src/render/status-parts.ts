/** Small pieces the status, health and task renderers share: durations, provider indicators, columns. */
import type { createColors } from 'picocolors';

export type Colors = ReturnType<typeof createColors>;

/** `45s`, `12m`, `5h12m`, `3d4h`. */
export function formatUptime(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/** The report's provider indicators: a letter per provider, coloured by kind. */
const KNOWN: { readonly [provider: string]: { readonly letter: string; readonly paint: keyof Colors } } = {
  claude: { letter: 'C', paint: 'magenta' },
  codex: { letter: 'X', paint: 'cyan' },
  ollama: { letter: 'O', paint: 'green' },
  openai: { letter: 'G', paint: 'cyan' },
  gemini: { letter: 'G', paint: 'blue' },
};

export function providerIndicator(c: Colors, provider: string | null): string {
  if (provider === null) return c.dim('[-]');
  const known = KNOWN[provider.toLowerCase()];
  const letter = known?.letter ?? (provider[0] ?? '?').toUpperCase();
  const paint = (known ? c[known.paint] : c.blue) as (s: string) => string;
  return paint(`[${letter}]`);
}

/** Pad plain text to a width, then colour it (padding coloured text would count the escapes). */
export const cell = (text: string, width: number, paint: (s: string) => string = (s) => s): string => paint(text.padEnd(width));

export const widthOf = (values: readonly string[], min = 0): number => values.reduce((w, v) => Math.max(w, v.length), min);

export const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
