/** Agents that say their own state, on real tmux: a fake agent CLI named `claude` (the fake agent,
 *  which runs the command hooks of the `--settings` file it is given, as claude does) started by
 *  the built gaia. gaia sets the hooks up per session under .gaia/ (shown in the dry run, stable
 *  across plans), the hooks record the agent's events, and status takes the newest one as its
 *  evidence: SessionStart → idle, Stop → idle, Notification(permission_prompt) → waiting. */
import fs from 'node:fs';
import path from 'node:path';
import { latestAgentEvent } from '../../src/agents/event-files.js';
import { localFiles } from '../../src/host/local/local-host.js';
import type { AgentReading } from '../../src/agents/state.js';
import type { StatusReport } from '../../src/ops/status-model.js';
import { testProject, type TestProject } from '../helpers/cli.js';
import { FAKE_AGENT, sleep } from './agents-fixture.js';

describe('agent state from the agent\'s own hooks', () => {
  let p: TestProject;
  let bin: string;
  const reading = async (name: string): Promise<AgentReading | undefined> => {
    const report = JSON.parse((await p.gaia(['status', '--json'])).stdout) as StatusReport;
    return report.groups.flatMap((g) => g.sessions).find((s) => s.name === name)?.agent;
  };
  /** Poll status until the reading satisfies `ok`; the last reading either way. */
  const settle = async (name: string, ok: (a: AgentReading | undefined) => boolean): Promise<AgentReading | undefined> => {
    let last: AgentReading | undefined;
    for (let i = 0; i < 100; i++) {
      last = await reading(name);
      if (ok(last)) return last;
      await sleep(200);
    }
    return last;
  };

  beforeAll(() => {
    p = testProject('version: 1\nproject: hooks\n');
    // The program must be called claude for gaia to give it claude's flags.
    bin = path.join(p.root, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(FAKE_AGENT, path.join(bin, 'claude'));
    p.write('orchestration.yaml', `
version: 1
project: hooks
providers:
  claude:
    start: [${bin}/claude, --session-id, "{conversation}"]
    agent: true
    vars: { FAKE_AGENT_START_MS: "200", FAKE_AGENT_WORK_MS: "600" }
groups:
  agents:
    names: [c1]
    provider: claude
`);
  });
  afterAll(() => p.cleanup());

  it('shows the hook setup in the dry run, writes it under .gaia/ only, and plans no change after', async () => {
    const settings = path.join(fs.realpathSync(p.root), '.gaia', 'agents', 'c1', 'claude-settings.json');
    const dry = await p.gaia(['apply', '--dry-run']);
    expect(dry.stdout).toContain(`--settings ${settings}`);
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
    const dir = path.dirname(settings);
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700');
    expect((fs.statSync(settings).mode & 0o777).toString(8)).toBe('600');
    expect((fs.statSync(path.join(dir, 'event')).mode & 0o777).toString(8)).toBe('700');
    const plan = await p.gaia(['plan', '--detailed-exitcode']);
    expect([plan.code, plan.stdout]).toEqual([0, expect.stringContaining('No changes')]);
  });

  it('reads the agent\'s state from its newest event, and says the hook decided', async () => {
    const started = await settle('c1', (a) => a?.evidence.event?.kind === 'SessionStart');
    expect([started?.state, started?.evidence.source, started?.reason]).toEqual(['idle', 'hook', expect.stringMatching(/^hook: SessionStart \d+s ago$/)]);

    expect((await p.gaia(['send', 'c1', 'build the thing'])).code).toBe(0);
    const done = await settle('c1', (a) => a?.evidence.event?.kind === 'Stop');
    expect([done?.state, done?.evidence.source]).toEqual(['idle', 'hook']);

    expect((await p.gaia(['send', 'c1', 'this needs permission'])).code).toBe(0);
    const asked = await settle('c1', (a) => a?.evidence.event?.kind === 'Notification');
    expect([asked?.state, asked?.evidence.source, asked?.reason]).toEqual(['waiting', 'hook', expect.stringMatching(/^hook: Notification \(permission_prompt\) \d+s ago$/)]);
  });

  it('gives the newest event to other parts of gaia through one typed function', () => {
    const e = latestAgentEvent(localFiles, fs.realpathSync(p.root), 'c1');
    expect(e).toMatchObject({ source: 'claude', kind: 'Notification', detail: 'permission_prompt', sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const log = fs.readFileSync(path.join(fs.realpathSync(p.root), '.gaia', 'agent-events', 'c1.jsonl'), 'utf8');
    // Only what state needs is kept: never the prompt.
    expect(log).not.toContain('build the thing');
  });
});
