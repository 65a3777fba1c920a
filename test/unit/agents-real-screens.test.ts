/** The classifier on real screens: text captures of the real claude, codex and gemini CLIs (the
 *  versions pinned in scripts/install-agent-clis.sh, run against the fakes of test/agents), each
 *  read with its preset as `gaia status` reads it. Every capture under test/fixtures/agents/real
 *  has its expected state here, so a new capture cannot go unchecked. */
import fs from 'node:fs';
import path from 'node:path';
import { agentProfile, compilePatterns } from '../../src/agents/profile.js';
import { classify, inputRefusal, type AgentState } from '../../src/agents/state.js';

const ROOT = path.resolve('test/fixtures/agents/real');
const NOW = Date.parse('2026-01-01T12:00:00Z');

interface Expect {
  readonly state: AgentState;
  readonly waitingFor?: string;
  /** The pane was dead with this status when the screen was captured. */
  readonly dead?: number;
}

const EXPECTED: Record<string, Expect> = {
  'claude/onboarding-no-network.txt': { state: 'crashed', dead: 1 },
  'claude/trust-folder.txt': { state: 'waiting', waitingFor: 'trust this folder' },
  'claude/approve-api-key.txt': { state: 'waiting', waitingFor: 'approve API key' },
  'claude/idle.txt': { state: 'idle' },
  'claude/idle-after-reply.txt': { state: 'idle' },
  'claude/typed-input.txt': { state: 'idle' },
  'claude/permission-bash.txt': { state: 'waiting' },
  'claude/working.txt': { state: 'working' },
  'codex/sign-in.txt': { state: 'waiting', waitingFor: 'sign-in' },
  'codex/trust-folder.txt': { state: 'waiting', waitingFor: 'trust this folder' },
  'codex/idle.txt': { state: 'idle' },
  'codex/idle-after-reply.txt': { state: 'idle' },
  'codex/typed-input.txt': { state: 'idle' },
  'codex/error-missing-key.txt': { state: 'idle' },
  'codex/working.txt': { state: 'working' },
  'codex/permission-exec.txt': { state: 'waiting' },
  // The last lines only (the suite's failure message kept them): codex 0.171 on gpt-5.5 after a turn.
  'codex/model-nudge-tail.txt': { state: 'waiting', waitingFor: 'choose a model' },
  'gemini/trust-folder.txt': { state: 'waiting', waitingFor: 'trust this folder' },
  'gemini/auth-method.txt': { state: 'waiting', waitingFor: 'sign-in' },
  'gemini/enter-api-key.txt': { state: 'waiting', waitingFor: 'API key' },
  'gemini/idle.txt': { state: 'idle' },
  'gemini/idle-after-reply.txt': { state: 'idle' },
  'gemini/typed-input.txt': { state: 'idle' },
  'gemini/permission-shell.txt': { state: 'waiting' },
  'gemini/working.txt': { state: 'working' },
};

const captures = (): string[] =>
  fs.readdirSync(ROOT).flatMap((cli) => fs.readdirSync(path.join(ROOT, cli)).filter((f) => f.endsWith('.txt')).map((f) => `${cli}/${f}`)).sort();

describe('agent states on real CLI screens', () => {
  it('has an expectation for every capture, and a capture for every expectation', () => {
    expect(captures()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s reads as %j', (file, want) => {
    const cli = file.split('/')[0]!;
    const profile = agentProfile(cli, { command: cli, agent: true })!;
    const screen = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const { reading } = classify({
      facts: {
        paneDead: want.dead !== undefined, exitStatus: want.dead ?? null, exitSignal: null, currentCommand: cli === 'claude' ? 'claude' : 'node',
        // Quiet for a minute: the screen alone decides, not a recent change.
        activity: NOW / 1000 - 60, screen, screenHash: 'h',
      },
      profile, patterns: compilePatterns(profile.patterns, profile.dialogs), memory: undefined, nowMs: NOW,
    });
    expect({ state: reading.state, waitingFor: reading.waitingFor }).toEqual({ state: want.state, waitingFor: want.waitingFor });
    // gaia send refuses exactly the screens that wait for the person: a paste would answer them.
    const refusal = inputRefusal(screen, profile, compilePatterns(profile.patterns, profile.dialogs));
    if (want.dead === undefined) expect(refusal === undefined).toBe(want.state !== 'waiting');
    if (want.waitingFor) expect(refusal).toBe(`is waiting for you (${want.waitingFor})`);
  });
});
