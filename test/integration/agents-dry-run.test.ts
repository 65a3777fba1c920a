/** The dry run shows what apply will run for an agent session: its start template with `<new id>`
 *  where gaia will assign one, or, with an id on record, the resume template with that very id —
 *  not the `{conversation}` template — and no secret. Built CLI, real tmux on a private socket. */
import { testProject, type TestProject } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';

const SECRET = 'sk-secret-for-dry-run-0042';
const MANIFEST = `
version: 1
project: dryrun
providers:
  fake:
    start: [sh, -c, 'echo "start $0"; exec sleep 600', '{conversation}']
    resume: [sh, -c, 'echo "resume $0"; exec sleep 600', '{conversation}']
    agent: true
    vars: { API_KEY: { value: "${SECRET}", sensitive: true } }
groups:
  agents:
    names: [a1]
    provider: fake
`;

/** The `$ tmux …` line and the conversation line the dry run prints for a session. */
function shown(stdout: string, address: string): { readonly argv: string; readonly conversation: string } {
  const lines = stdout.split('\n');
  const at = lines.indexOf(`${address} (create):`);
  return { argv: lines[at + 1] ?? '', conversation: lines[at + 2] ?? '' };
}

describe('dry run of agent sessions', () => {
  let p: TestProject;
  beforeAll(() => {
    p = testProject(MANIFEST);
  });
  afterAll(() => p.cleanup());

  it('shows the start argv with <new id>, then after a kill-server the resume argv with the recorded id, as apply runs it', async () => {
    const first = await p.gaia(['apply', '--dry-run']);
    expect(first.code).toBe(0);
    const fresh = shown(first.stdout, 'tmux_session.a1');
    expect(fresh.argv).toContain(`-- sh -c 'echo "start $0"; exec sleep 600' '<new id>'`);
    expect(fresh.conversation).toBe('  - starts a new conversation: gaia gives it an id (<new id> above) and records it once the session is up');
    expect(first.stdout).not.toContain('{conversation}\'');
    expect(first.stdout).not.toContain(SECRET);
    expect(fresh.argv).toContain("'API_KEY=(sensitive)'");

    const applied = await p.gaia(['apply', '--auto-approve']);
    expect(applied.code).toBe(0);
    const id = /started conversation ([0-9a-f-]{36})/.exec(applied.stdout)?.[1];
    expect(id).toBeDefined();
    expect(await until(() => p.tmux(['capture-pane', '-p', '-t', '=a1:']).includes(`start ${id}`))).toBe(true);

    p.tmux(['kill-server']);
    const again = await p.gaia(['apply', '--dry-run']);
    const resumed = shown(again.stdout, 'tmux_session.a1');
    expect(resumed.argv).toContain(`-- sh -c 'echo "resume $0"; exec sleep 600' ${id}`);
    expect(resumed.conversation).toBe(`  - resumes conversation ${id} (on record)`);
    expect(again.stdout).not.toContain(SECRET);

    // What the dry run showed is what apply runs.
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
    expect(await until(() => p.tmux(['capture-pane', '-p', '-t', '=a1:']).includes(`resume ${id}`))).toBe(true);
    const ran = p.tmux(['display-message', '-p', '-t', '=a1:', '#{pane_start_command}']).trim();
    expect(ran).toContain('resume $0');
    expect(ran).toContain(id);
  });
});
