/** gaia send on real tmux with the fake agent CLI: text arrives byte for byte through a uniquely
 *  named, bracketed paste; the ready gate keeps text for a slow-starting program from being lost;
 *  a delivery that does not arrive is reported with exit 1; fan-out keeps going and ends with a
 *  table; task delivery uses the same path for multi-line text. */
import fs from 'node:fs';
import path from 'node:path';
import { testProject, type TestProject } from '../helpers/cli.js';
import { events, fakeProvider, until } from './agents-fixture.js';

/** How long a send waits to see its text: the fake agent runs its claude-style hooks (a node process
 *  each) before it draws again, which can take seconds on a loaded 2-core machine. */
const LOADED = '15s';

describe('gaia send with the fake agent', () => {
  let p: TestProject;
  const ev = (session: string) => events(path.join(p.root, `${session}.events`));
  const log = (session: string) => (fs.existsSync(path.join(p.root, `${session}.log`)) ? fs.readFileSync(path.join(p.root, `${session}.log`), 'utf8') : '');
  let applyDone = 0;

  beforeAll(async () => {
    p = testProject(`
version: 1
project: send
providers:${fakeProvider()}
groups:
  gated:
    names: [gated1, gated2]
    provider: fake
    ready: { pattern: "^>", timeout: 10s }
    vars: { FAKE_AGENT_DIR: "." }
  ungated:
    names: [raw1]
    provider: fake
    vars: { FAKE_AGENT_DIR: "." }
routing:
  default: gated
`);
    // The program starts as the pane's own command; gaia send follows at once.
    const r = await p.gaia(['apply', '--auto-approve']);
    applyDone = Date.now();
    expect(r.code).toBe(0);
  });
  afterAll(() => p.cleanup());

  it('waits for the ready pattern of a program that needs 2 s to start, then delivers: nothing is lost', async () => {
    const r = await p.gaia(['send', 'gated1', 'first words after start', '--timeout', LOADED]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✔ gated1 {2}delivered/);
    const e = ev('gated1');
    expect(e.filter((x) => x.event === 'discarded')).toEqual([]);
    expect(e.filter((x) => x.event === 'prompt').map((x) => x.text)).toEqual(['first words after start']);
    // It really had to wait: the agent was not ready when the send began.
    expect(e.find((x) => x.event === 'ready')!.at).toBeGreaterThan(applyDone);
  });

  it('reports text sent while a program without a ready gate is still starting as not delivered (exit 1)', async () => {
    // gated1's test took ~2 s; raw1 is ready by now: restart it to catch it starting.
    p.tmux(['respawn-pane', '-k', '-t', '=raw1:']);
    await until(() => ev('raw1').filter((x) => x.event === 'start').length === 2);
    const r = await p.gaia(['send', 'raw1', 'too early', '--timeout', '1s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ raw1 {2}not delivered \(confirm\): the text did not show in raw1's pane within 1s/);
    expect(ev('raw1').filter((x) => x.event === 'discarded').map((x) => x.bytes).join('')).toBe('too early');
  });

  it('delivers a multi-line prompt with quotes, $(…), backticks, tabs and non-ASCII byte for byte, running nothing', async () => {
    const marker = path.join(p.root, 'should-not-exist');
    const text = `Review "the plan" and 'this':\n\tcheck $(touch ${marker}) and \`touch ${marker}\`;\nnon-ASCII: é ü ß 日本語 🚀 — done \\ end;`;
    p.write('prompt.txt', text);
    const r = await p.gaia(['send', 'gated2', '--text-file', 'prompt.txt', '--timeout', LOADED]);
    expect(r.code).toBe(0);
    // A bracketed paste of exactly the text, then Enter as its own key press.
    expect(log('gated2').split(`\x1b[200~${text}\x1b[201~\r`).length).toBe(2);
    await until(() => ev('gated2').some((x) => x.event === 'prompt'));
    expect(ev('gated2').filter((x) => x.event === 'prompt').map((x) => x.text)).toEqual([text]);
    expect(fs.existsSync(marker)).toBe(false);
    // The buffer was uniquely named and deleted.
    expect(p.tmux(['list-buffers'])).toBe('');
  });

  it('keeps going past a failed session and ends with a table of every target; exit 1', async () => {
    p.tmux(['kill-session', '-t', '=raw1']);
    const r = await p.gaia(['send', '--all', 'status please', '--timeout', LOADED]);
    expect(r.code).toBe(1);
    const table = r.stdout.slice(r.stdout.indexOf('TARGET'));
    expect(table).toMatch(/^TARGET +GROUP +RESULT +EXIT +OUTPUT \(last line\)$/m);
    expect(table).toMatch(/^gated1 +gated +delivered +0 /m);
    expect(table).toMatch(/^gated2 +gated +delivered +0 /m);
    expect(table).toMatch(/^raw1 +ungated +failed: session +1 +session raw1 does not exist$/m);
    expect(r.stdout).toContain('1 of 3 deliveries failed.');
    expect(ev('gated1').filter((x) => x.event === 'prompt').at(-1)?.text).toBe('status please');
  });

  it('delivers a routed task\'s multi-line text the same way (gaia task add --deliver)', async () => {
    await until(() => p.tmux(['capture-pane', '-p', '-t', '=gated1:']).trimEnd().endsWith('>'), 6000);
    const r = await p.gaia(['task', 'add', 'line one\nline two', '--deliver']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Delivered to gated[12]\./);
    const session = /Delivered to (gated[12])\./.exec(r.stdout)![1]!;
    await until(() => ev(session).some((x) => x.text === 'line one\nline two'));
    expect(ev(session).some((x) => x.event === 'prompt' && x.text === 'line one\nline two')).toBe(true);
  });
});
