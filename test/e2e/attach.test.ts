/** gaia attach in real terminals: the built CLI runs in a pane of a tmux server of the test's own
 *  (a real pseudo-terminal, the "user's terminal"), against the project's own private tmux server. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GAIA_BIN, testProject, type TestProject } from '../helpers/cli.js';
import { exitCodeIn, terminal, type Terminal } from '../helpers/terminal.js';
import { waitFor } from '../helpers/poll.js';

const manifest = `
version: 1
project: attaching
repository: { path: ., base: main }
groups:
  workers: { count: 2, name: "worker{n}", command: ["sh", "-c", "echo MARKER-$GAIA_ADDRESS; sleep 3600"] }
`;

/** Outside any tmux, whatever runs the tests: an empty TMUX is no tmux. */
const OUTSIDE = { TMUX: '' };

let p: TestProject;
let term: Terminal;
const clients = () => p.tmux(['list-clients', '-F', '#{client_session}']).split('\n').filter(Boolean);

beforeAll(async () => {
  p = testProject(manifest);
  expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
  expect(p.sessions()).toEqual(['worker1', 'worker2']);
});
afterAll(() => p.cleanup());
/** A fresh terminal for each test of a describe (a tmux server of its own, killed after). */
function withTerminal(): void {
  beforeEach(() => {
    // Each terminal numbers its runs from 1, and writes their exit codes in the project: not the last test's.
    for (const f of fs.readdirSync(p.root)) if (f.startsWith('.exit-')) fs.rmSync(path.join(p.root, f));
    term = terminal(p.root, { GAIA_TMUX_SOCKET: p.socket, NO_COLOR: '1' });
  });
  afterEach(() => term.kill());
}

describe('gaia attach from a terminal outside tmux', () => {
  withTerminal();
  it('becomes the tmux client of the session on the project socket, and exits 0 when detached', async () => {
    // The terminal is a pane of the test's own tmux: TMUX is unset, as in a plain terminal.
    const done = term.start(['env', '-u', 'TMUX', GAIA_BIN, 'attach', 'worker1']);
    await waitFor('the session on screen', () => (term.screen().includes('MARKER-tmux_session.worker1') ? true : undefined));
    expect(clients()).toEqual(['worker1']);
    expect(term.screen()).not.toContain('MARKER-tmux_session.worker2');
    p.tmux(['detach-client', '-s', '=worker1']);
    expect(await exitCodeIn(done)).toBe(0);
    expect(term.screen()).toContain('[detached (from session worker1)]');
    expect(clients()).toEqual([]);
    expect(p.sessions()).toEqual(['worker1', 'worker2']);
  });

  it('a SIGTERM to gaia reaches tmux, as it would had gaia exec\'d it: the client ends, then gaia, the session stays', async () => {
    const done = term.start(['env', '-u', 'TMUX', GAIA_BIN, 'attach', 'worker1']);
    await waitFor('the client', () => (clients().includes('worker1') ? true : undefined));
    const client = Number(p.tmux(['list-clients', '-F', '#{client_pid}']).trim());
    const gaia = Number(fs.readFileSync(`/proc/${client}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
    expect(fs.readFileSync(`/proc/${gaia}/cmdline`, 'utf8')).toContain('gaia');
    process.kill(gaia, 'SIGTERM');
    const code = await exitCodeIn(done);
    expect(clients()).toEqual([]);
    expect(code).not.toBe(0);
    expect(term.screen()).toContain('[terminated]');
    expect(p.sessions()).toEqual(['worker1', 'worker2']);
  });
});

describe('gaia attach inside tmux', () => {
  withTerminal();
  it('in a pane of the project server: switches that client to the session (an address works) and returns 0', async () => {
    const done = path.join(p.root, '.switch-exit');
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const run = `read _; cd ${q(p.root)} && env GAIA_TMUX_SOCKET=${q(p.socket)} NO_COLOR=1 PATH=${q(process.env.PATH ?? '')} ${q(GAIA_BIN)} attach tmux_session.worker2; echo $? > ${q(done)}; sleep 3600`;
    p.tmux(['new-session', '-d', '-s', 'here', run]);
    try {
      term.start(['env', '-u', 'TMUX', 'tmux', '-L', p.socket, 'attach-session', '-t', '=here']);
      await waitFor('a client on "here"', () => (clients().includes('here') ? true : undefined));
      p.tmux(['send-keys', '-t', '=here:', 'Enter']);
      expect(await exitCodeIn(done)).toBe(0);
      await waitFor('the client on worker2', () => (clients().includes('worker2') ? true : undefined));
      expect(clients()).toEqual(['worker2']);
    } finally {
      p.tmux(['kill-session', '-t', '=here']);
    }
  });

  it('in a pane of another tmux server: refuses, naming both servers and how to nest on purpose', async () => {
    const done = term.start([GAIA_BIN, 'attach', 'worker1']);
    expect(await exitCodeIn(done)).toBe(1);
    const screen = term.screen();
    expect(screen).toMatch(/Error: this terminal is inside another tmux server \(\S*gaia-term-\w+\); session "worker1" is on tmux server -L gaia-test-\w+/);
    expect(screen).toContain('TMUX= gaia attach worker1');
    expect(screen).not.toContain('internal error');
    expect(clients()).toEqual([]);

    // As the hint says: with TMUX cleared it nests, on purpose.
    const nested = term.start(['env', 'TMUX=', GAIA_BIN, 'attach', 'worker1']);
    await waitFor('the nested client', () => (clients().includes('worker1') ? true : undefined));
    p.tmux(['detach-client', '-s', '=worker1']);
    expect(await exitCodeIn(nested)).toBe(0);
  });
});

describe('gaia attach refuses, as a user error', () => {
  it('an unknown name, with the session probably meant', async () => {
    const r = await p.gaia(['attach', 'wroker1'], OUTSIDE);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error: "wroker1" is not a session of the manifest (did you mean "worker1"?)\n  sessions: worker1, worker2' });
  });

  it('a group, naming its sessions', async () => {
    const r = await p.gaia(['attach', 'workers'], OUTSIDE);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: "workers" is a group, not a session: attach to one of its sessions\n  sessions of workers: worker1, worker2');
  });

  it('a session of the manifest that is not running: gaia apply creates it', async () => {
    p.tmux(['kill-session', '-t', '=worker2']);
    try {
      const r = await p.gaia(['attach', 'worker2'], OUTSIDE);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`Error: session "worker2" is in the manifest but not running on tmux server -L ${p.socket}\n  \`gaia apply\` creates it`);
    } finally {
      expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
    }
  });

  it('no terminal: attach needs one', async () => {
    const r = await p.gaia(['attach', 'worker1'], OUTSIDE);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: gaia attach needs a terminal: its stdin and stdout are not one');
    expect(r.stderr).toContain(`tmux -L ${p.socket} capture-pane -p -t =worker1:`);
    expect(clients()).toEqual([]);
  });

  it('no tmux on PATH', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-no-tmux-'));
    try {
      fs.symlinkSync(process.execPath, path.join(bin, 'node'));
      const r = await p.gaia(['attach', 'worker1'], { ...OUTSIDE, PATH: bin });
      expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error: tmux is not installed (no `tmux` on PATH): gaia attach runs tmux' });
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
