/** A long apply on a real terminal (a tmux pane: a real pseudo-terminal) shows one progress line
 *  rewritten in place instead of a line per change; through a pipe the lines per change stay and no
 *  progress line or carriage return is written. 40 cheap changes in three waves: two branches, their
 *  worktrees, then 36 files in them. */
import fs from 'node:fs';
import path from 'node:path';
import { GAIA_BIN, testProject, type TestProject } from '../helpers/cli.js';
import { exitCodeIn, terminal, type Terminal } from '../helpers/terminal.js';

const FILES = Array.from({ length: 18 }, (_, i) => `  f${i + 1}: { perEnvironment: true, path: "{env.path}/out/f${i + 1}.txt", content: "${i + 1}" }`).join('\n');
const MANIFEST = `version: 1
project: progress
repository: { base: main }
environments:
  names: [dev1, dev2]
  path: envs/{env}
  branch: env/{env}
files:
${FILES}
`;

let p: TestProject;
let term: Terminal;
beforeAll(() => {
  p = testProject(MANIFEST);
  term = terminal(p.root, { GAIA_TMUX_SOCKET: p.socket, NO_COLOR: '1' }, { columns: 100, rows: 40 });
});
afterAll(() => {
  term.kill();
  p.cleanup();
});

const progressLines = (text: string) => text.split(/[\r\n]/).filter((l) => /(Applying|Applied|Destroying|Destroyed) \d+\/\d+ · wave/.test(l));

test('on a terminal: one progress line (done/total, wave, time) drawn in place, its last form kept above the summary', async () => {
  const record = path.join(p.root, '.gaia-raw-apply');
  const done = term.start([GAIA_BIN, 'apply', '--auto-approve'], { record });
  expect(await exitCodeIn(done)).toBe(0);
  const screen = term.screen();
  expect(screen).toMatch(/^Applied 40\/40 · wave 3\/3 · \d+\.\ds\n+Apply complete! Resources: 40 added/m);
  expect(progressLines(screen)).toHaveLength(1); // rewritten, not one line per state
  expect(screen).not.toMatch(/: (creating…|created)$/m);
  // What was written: the line, drawn and erased in place (\r, erase to the end of the line) as it went.
  const raw = fs.readFileSync(record, 'utf8');
  expect(raw).toContain('\r\x1b[KApplying ');
  expect(raw).toMatch(/Applying \d+\/40 · wave 1\/3/);
  expect(raw).toMatch(/\r\x1b\[KApplied 40\/40 · wave 3\/3/);
  expect(fs.readdirSync(path.join(p.root, 'envs', 'dev2', 'out'))).toHaveLength(18);
});

test('through a pipe: a line per change, no progress line, no carriage return', async () => {
  const destroyed = await p.gaia(['destroy', '--auto-approve']);
  expect(destroyed.code).toBe(0);
  expect(destroyed.stdout.match(/^file\.dev\d\.f\d+: destroyed$/gm)).toHaveLength(36);
  const applied = await p.gaia(['apply', '--auto-approve']);
  expect(applied.code).toBe(0);
  expect(applied.stdout.match(/^file\.dev\d\.f\d+: created$/gm)).toHaveLength(36);
  for (const r of [destroyed, applied]) {
    expect(r.stdout).not.toContain('\r');
    expect(progressLines(r.stdout)).toEqual([]);
  }
});

test('on a terminal with --no-progress: a line per change', async () => {
  const done = term.start([GAIA_BIN, 'destroy', '--auto-approve', '--no-progress']);
  expect(await exitCodeIn(done)).toBe(0);
  const screen = term.screen();
  expect(screen.match(/^file\.dev\d\.f\d+: destroyed$/gm)).toHaveLength(36);
  expect(progressLines(screen)).toEqual([]);
});
