/** What the agent integration tests share: the fake agent CLI (test/fixtures/fake-agent), a manifest
 *  provider running it, and readers of what it recorded. */
import fs from 'node:fs';
import path from 'node:path';

export const FAKE_AGENT = path.resolve('test/fixtures/fake-agent');

/** A provider block for the fake agent, with its state patterns and start/resume templates. `store`:
 *  the fake keeps its conversations as that CLI does (see FAKE_AGENT_STORE), under the preset of that
 *  name; a codex-like fake takes no identifier at start. */
export const fakeProvider = (opts: { readonly waitingAlert?: string; readonly resume?: boolean; readonly store?: 'claude' | 'codex'; readonly name?: string } = {}): string => `
  ${opts.name ?? 'fake'}:
    start: ${opts.store === 'codex' ? `[${FAKE_AGENT}]` : `[${FAKE_AGENT}, --session-id, "{conversation}"]`}${opts.resume === false ? '' : `
    resume: ${opts.store === 'codex' ? `[${FAKE_AGENT}, resume, "{conversation}"]` : `[${FAKE_AGENT}, --resume, "{conversation}"]`}`}
    costPerMonth: 10
    agent:${opts.store ? `
      preset: ${opts.store}` : ''}
      patterns: { waiting: "Do you want to proceed\\\\?", working: "esc to interrupt", idle: "^>$" }
      waitingAlert: ${opts.waitingAlert ?? '10m'}`;

export interface FakeEvent {
  readonly event: 'start' | 'ready' | 'discarded' | 'prompt' | 'answer' | 'resume-failed';
  readonly argv?: readonly string[];
  readonly text?: string;
  readonly bytes?: string;
  readonly conversation?: string | null;
  readonly resumed?: boolean;
  readonly at: number;
}

/** Events of one session (its FAKE_AGENT_EVENTS file), [] before there are any. */
export function events(file: string): FakeEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeEvent);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until `ok()` or the deadline; returns whether it happened. */
export async function until(ok: () => boolean, timeoutMs = 8000, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ok()) return true;
    await sleep(stepMs);
  }
  return ok();
}
