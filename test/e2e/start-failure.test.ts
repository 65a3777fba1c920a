/** Honest outcomes: a session whose program exits right after it starts is reported failed, with its
 *  exit status and last output, not "created"; the next apply tries it again.
 *  The bad program waits 0.1 s before exiting: output written in a program's very last instant can be
 *  lost when tmux sees the exit before it has read the pty (seen on a loaded CI machine), and the grace
 *  is widened to match so a slow start still counts as "at once". */
import { testProject, type TestProject } from '../helpers/cli.js';

const manifest = `
version: 1
project: starts
repository: { path: ., base: main }
groups:
  good: { count: 1, name: "good{n}", command: ["sleep", "3600"] }
  bad: { count: 1, name: "bad{n}", command: "echo 'config file missing: app.toml' >&2; sleep 0.1; exit 3" }
`;

describe('a program that exits at once', () => {
  let p: TestProject;
  beforeEach(() => {
    p = testProject(manifest);
  });
  afterEach(() => p.cleanup());

  it('is reported failed with its exit status and last output; apply exits 1; the good session is created', async () => {
    const r = await p.gaia(['apply', '--auto-approve'], { GAIA_START_GRACE: '1500' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('tmux_session.good1: created');
    expect(r.stdout).toMatch(/tmux_session\.bad1: failed: its program did not start: exited 3 within \d+ ms; its last output: .*config file missing: app\.toml/);
    expect(r.stdout).toMatch(/FAILED tmux_session\.bad1 \(create\)/);
    expect(r.stdout).not.toMatch(/last output: [^\n]*Pane is dead/);
    // Its dead pane stays for a look; the next plan replaces it.
    const next = await p.gaia(['plan']);
    expect(next.stdout).toMatch(/tmux_session\.bad1 must be replaced/);
  });

  it('when it is the only thing the apply made, the next plan still works (the store has the apply on record; it was not lost)', async () => {
    p.write('orchestration.yaml', manifest.replace(/^ {2}good: .*\n/m, ''));
    expect((await p.gaia(['apply', '--auto-approve'], { GAIA_START_GRACE: '1500' })).code).toBe(1);
    const next = await p.gaia(['plan']);
    expect(next.stderr).not.toMatch(/store was lost/);
    expect(next.stdout).toMatch(/tmux_session\.bad1 must be replaced/);
  });
});

/** An agent CLI can take seconds to fail (claude without network: about 3 s): agents get a longer
 *  grace, waited once for all of them, and one that exits within it is failed the same way. */
const agents = `
version: 1
project: agentstarts
providers:
  flaky:
    start: [sh, -c, 'echo "starting $0"; sleep 1; echo "Unable to connect to the API: ENOTFOUND" >&2; exit 1', '{conversation}']
    resume: [sh, -c, 'echo "resuming $0"; exec sleep 3600', '{conversation}']
    agent: true
  steady:
    start: [sh, -c, 'echo "ready $0"; exec sleep 3600', '{conversation}']
    agent: true
groups:
  agents: { names: [flaky1, steady1], provider: [flaky, steady] }
`;

describe('an agent that exits a second after it starts', () => {
  let p: TestProject;
  beforeEach(() => {
    p = testProject(agents);
  });
  afterEach(() => p.cleanup());

  it('is reported failed with its exit status and last screen lines, its conversation not recorded; the steady agent is created', async () => {
    const r = await p.gaia(['apply', '--auto-approve'], { GAIA_AGENT_START_GRACE: '4000' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/waiting \d\.\d s for 2 agents to stay up/);
    expect(r.stdout).toMatch(/tmux_session\.steady1: created \(started conversation [0-9a-f-]{36}\)/);
    expect(r.stdout).toMatch(/tmux_session\.flaky1: failed: its program did not start: exited 1 within 4000 ms; its last output: starting [0-9a-f-]{36} \| Unable to connect to the API: ENOTFOUND/);
    expect(r.stdout).not.toMatch(/flaky1: created/);
    // Not recorded: the next start is a fresh one, not a resume of a conversation that never began.
    const next = await p.gaia(['apply', '--dry-run']);
    expect(next.stdout).toMatch(/tmux_session\.flaky1 must be replaced/);
    expect(next.stdout).toContain('tmux_session.flaky1 (replace):');
    expect(next.stdout).toContain('- starts a new conversation');
    expect(next.stdout).not.toContain('resumes conversation');
  });
});
