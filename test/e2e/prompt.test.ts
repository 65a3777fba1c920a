/** The confirmation prompt in a real terminal: the built CLI runs in a tmux pane (a real
 *  pseudo-terminal, on a tmux server of the test's own), and the test types the answers. */
import fs from 'node:fs';
import { GAIA_BIN, testProject, type TestProject } from '../helpers/cli.js';
import { terminal, type Terminal } from '../helpers/terminal.js';
import { waitFor } from '../helpers/poll.js';

const manifest = `
version: 1
project: prompt
repository: { path: ., base: main }
groups:
  reviewers: { count: 1, name: "review{n}", command: ["sleep", "3600"] }
`;

describe('the confirmation prompt in a real terminal', () => {
  let p: TestProject;
  let term: Terminal;
  beforeEach(() => {
    p = testProject(manifest);
    term = terminal(p.root, { GAIA_TMUX_SOCKET: p.socket, NO_COLOR: '1' });
  });
  afterEach(() => {
    term.kill();
    p.cleanup();
  });

  const exitCode = (file: string) => waitFor(`${file}`, () => (fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim() !== '' ? Number(fs.readFileSync(file, 'utf8')) : undefined));

  it('apply asks; "no" cancels with exit 1 and changes nothing; "yes" applies; destroy asks the same way', async () => {
    let done = term.start([GAIA_BIN, 'apply']);
    await waitFor('the prompt', () => (term.screen().includes('Enter a value:') ? true : undefined));
    expect(term.screen()).not.toContain('internal error');
    term.type('no');
    expect(await exitCode(done)).toBe(1);
    expect(term.screen()).toContain('Apply cancelled.');
    expect(p.sessions()).toEqual([]);

    done = term.start([GAIA_BIN, 'apply']);
    await waitFor('the prompt', () => (term.screen().includes('Enter a value:') ? true : undefined));
    term.type('yes');
    expect(await exitCode(done)).toBe(0);
    expect(term.screen()).toContain('Apply complete!');
    expect(p.sessions()).toEqual(['review1']);

    done = term.start([GAIA_BIN, 'destroy']);
    await waitFor('the prompt', () => (term.screen().includes('Enter a value:') ? true : undefined));
    term.type('yes');
    expect(await exitCode(done)).toBe(0);
    expect(term.screen()).toContain('Destroy complete!');
    expect(p.sessions()).toEqual([]);
  });
});
