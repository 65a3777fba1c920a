/** Agent states on real tmux: five fake agents driven into working, idle, waiting, exited and
 *  crashed; gaia status (--json and terminal) shows each with its evidence and age, gaia health turns
 *  degraded for an agent waiting longer than its provider's waitingAlert, and reading the states
 *  costs one tmux process for all panes, not one per session. */
import { testProject, type TestProject } from '../helpers/cli.js';
import type { StatusReport } from '../../src/ops/status-model.js';
import type { HealthReport } from '../../src/ops/health.js';
import { fakeProvider, sleep, until } from './agents-fixture.js';

describe('agent states', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = testProject(`
version: 1
project: states
providers:${fakeProvider({ waitingAlert: '1s' })}
groups:
  agents:
    names: [idle1, work1, ask1, done1, crash1]
    provider: fake
    ready: { pattern: "^>", timeout: 10s }
    vars: { FAKE_AGENT_DIR: ".", FAKE_AGENT_WORK_MS: "20000" }
  shells:
    names: [plain]
    command: bash
`);
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
    const sends = await Promise.all([
      p.gaia(['send', 'work1', 'build the thing']),
      p.gaia(['send', 'ask1', 'this needs permission']),
      p.gaia(['send', 'done1', '/exit']),
      p.gaia(['send', 'crash1', '/crash']),
    ]);
    for (const s of sends) expect(s.code).toBe(0);
    // tmux marks a pane dead when its terminal closes and records the exit status when it reaps the process.
    const statuses = () => p.tmux(['list-panes', '-a', '-F', '#{session_name}=#{pane_dead_status}']);
    const reaped = () => /done1=0/.test(statuses()) && /crash1=3/.test(statuses());
    // tmux 3.3a now and then leaves programs that exited together unreaped (zombies: their panes
    // dead, with no status) until its next SIGCHLD; another child exiting would send it one.
    const nudge = () => {
      const pid = Number(p.tmux(['display-message', '-p', '#{pid}']).trim());
      if (pid > 0) process.kill(pid, 'SIGCHLD');
    };
    expect(await until(() => reaped() || (nudge(), false))).toBe(true);
    await sleep(1200); // past ask1's waitingAlert of 1 s
  });
  afterAll(() => p.cleanup());

  it('detects each state, with the evidence it was decided on', async () => {
    const r = await p.gaia(['status', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as StatusReport;
    const agents = new Map(report.groups[0]!.sessions.map((s) => [s.name, s.agent]));
    expect(Object.fromEntries([...agents].map(([n, a]) => [n, a?.state]))).toEqual({ idle1: 'idle', work1: 'working', ask1: 'waiting', done1: 'exited', crash1: 'crashed' });
    expect(agents.get('idle1')!.evidence.matched).toMatchObject({ pattern: 'idle', line: '>' });
    expect(agents.get('work1')!.evidence.matched).toMatchObject({ pattern: 'working', regex: 'esc to interrupt' });
    expect(agents.get('ask1')).toMatchObject({ alert: true, evidence: { matched: { pattern: 'waiting', line: 'Do you want to proceed? (y/n)' }, paneDead: false, currentCommand: 'node' } });
    expect(agents.get('ask1')!.ageSeconds).toBeGreaterThanOrEqual(1);
    expect(agents.get('done1')!.evidence).toMatchObject({ paneDead: true, exitStatus: 0 });
    expect(agents.get('crash1')!.evidence).toMatchObject({ paneDead: true, exitStatus: 3 });
    // A plain shell session is not an agent: no reading.
    expect(report.groups[1]!.sessions[0]!.agent).toBeUndefined();
    expect(report.totals.agents).toEqual({ working: 1, idle: 1, waiting: 1, exited: 1, crashed: 1 });
  });

  it('sends nothing into an agent that waits for its person: a paste and Enter would answer it (exit 1)', async () => {
    const r = await p.gaia(['send', 'ask1', 'y']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not delivered \(state\): ask1 is waiting for you \(Do you want to proceed\? \(y\/n\)\); nothing was sent/);
    const again = JSON.parse((await p.gaia(['status', '--json'])).stdout) as StatusReport;
    expect(again.groups[0]!.sessions.find((s) => s.name === 'ask1')!.agent!.state).toBe('waiting');
  });

  it('shows the states and their ages in gaia status', async () => {
    const r = await p.gaia(['status']);
    expect(r.stdout).toMatch(/ask1 +\[F\] up +\S+ +waiting \d+s/);
    expect(r.stdout).toMatch(/work1 +\[F\] up +\S+ +working \d+s/);
    expect(r.stdout).toMatch(/idle1 +\[F\] up +\S+ +idle \d+s/);
  });

  it('makes gaia health degraded for an agent waiting longer than its waitingAlert', async () => {
    const r = await p.gaia(['health', '--json']);
    expect(r.code).toBe(2);
    const h = JSON.parse(r.stdout) as HealthReport;
    expect(h.verdict).toBe('degraded');
    const checks = h.groups[0]!.checks;
    expect(checks.find((c) => c.subject === 'ask1')).toMatchObject({ level: 'warn', text: expect.stringMatching(/^ask1 has been waiting for input for \d+s: asks for input: Do you want to proceed\? \(y\/n\)$/) });
    expect(checks.find((c) => c.subject === 'work1')).toMatchObject({ level: 'ok', text: expect.stringMatching(/^work1 is working/) });
  });

  it('reads all agent panes with one tmux process, and GAIA_NO_AGENT_STATE=1 turns it off', async () => {
    const spawned = async (env: Record<string, string>) => {
      const r = await p.gaia(['status', '--json'], { GAIA_STATS: '1', ...env });
      return { n: Number(/gaia-stats spawned=(\d+)/.exec(r.stderr)![1]), report: JSON.parse(r.stdout) as StatusReport };
    };
    const on = await spawned({});
    const off = await spawned({ GAIA_NO_AGENT_STATE: '1' });
    expect(on.n - off.n).toBe(1);
    expect(off.report.groups[0]!.sessions.every((s) => s.agent === undefined)).toBe(true);
  });
});
