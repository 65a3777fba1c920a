/** Terminal concerns in one place: colour, progress lines and the confirmation prompt. */
import { UserError } from './errors.js';

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

export type Confirm = (question: string) => Promise<boolean>;

export const isInteractive = (): boolean => process.stdin.isTTY === true && process.stdout.isTTY === true;

/** Terraform's rule: only the word "yes" goes ahead. */
export const terminalConfirm: Confirm = async (question) => {
  const { createInterface } = await import('node:readline/promises'); // only apply and destroy ask
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // Ctrl-C at the prompt is caught by readline (the terminal is in raw mode): it means no, and it is
  // passed on as the SIGINT it would have been, for the command's interruption handling.
  const interrupted = new Promise<string>((resolve) => rl.once('SIGINT', () => {
    resolve('');
    process.kill(process.pid, 'SIGINT');
  }));
  try {
    const answer = await Promise.race([rl.question(`${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `), interrupted]);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
};

/** Parse durations like 30s, 2m, 500ms, 1h (plain numbers are seconds). */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UserError(`not a duration: "${text}" (use e.g. 500ms, 30s, 5m)`);
  const n = Number(m[1]);
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']);
}
