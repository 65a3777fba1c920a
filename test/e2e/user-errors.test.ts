/** Every mistake is a user error (exit 1, a message naming what was wrong, never "internal error"),
 *  and every hint gaia prints is a command that works as printed: the test runs them, with `gaia` on
 *  PATH. Real tmux on a private socket, real git, real SQLite state. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { GAIA_BIN, testProject, type TestProject } from '../helpers/cli.js';

const MANIFEST = `version: 1
project: mistakes
groups:
  probe:
    names: [probe1, probe2]
    command: [sleep, "600"]
`;

let p: TestProject;
let bin: string;
beforeAll(() => {
  p = testProject('version: 1\nproject: other\n', { 'm.yaml': MANIFEST }); // the default manifest is not the one used
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-hints-bin-'));
  fs.symlinkSync(GAIA_BIN, path.join(bin, 'gaia'));
});
afterAll(() => {
  p.cleanup();
  fs.rmSync(bin, { recursive: true, force: true });
});

/** Run a printed command line as a user pastes it into a shell. */
async function runPrinted(line: string) {
  const r = await execa('bash', ['-c', line], { cwd: p.root, reject: false, stdin: 'ignore', env: { PATH: `${bin}:${process.env.PATH}`, GAIA_TMUX_SOCKET: p.socket, NO_COLOR: '1' } });
  return { line, code: r.exitCode ?? 1, stderr: r.stderr };
}
const backticked = (text: string) => [...text.matchAll(/`(gaia [^`]+)`/g)].map((m) => m[1]!);

function expectUserError(r: { code: number; stderr: string }, ...mentions: string[]) {
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(/internal error|This is a bug/);
  for (const m of mentions) expect(r.stderr).toContain(m);
}

test.each([
  [['apply', '-f', 'm.yaml', '--lock-timeout', '5x'], '--lock-timeout'],
  [['destroy', '-f', 'm.yaml', '--lock-timeout', '1y', '--dry-run'], '--lock-timeout'],
  [['apply', '-f', 'm.yaml', '--parallelism', 'x', '--dry-run'], '--parallelism'],
  [['apply', '-f', 'm.yaml', '--parallelism', '0'], '--parallelism'],
  [['reconcile', '-f', 'm.yaml', '--interval', 'abc'], '--interval'],
  [['reconcile', '-f', 'm.yaml', '--lock-timeout', '5x'], '--lock-timeout'],
  [['health', '-f', 'm.yaml', '--interval', '2 s'], '--interval'],
  [['send', 'probe1', 'hi', '-f', 'm.yaml', '--timeout', 'soon'], '--timeout'],
  [['send', 'probe1', 'hi', '-f', 'm.yaml', '--parallel', '-1'], '--parallel'],
  [['git', 'log', '-f', 'm.yaml', '-n', 'ten'], '--count'],
  [['state', 'history', '-f', 'm.yaml', '--limit', '1.5'], '--limit'],
])('a bad flag value is a usage error naming the flag: gaia %s', async (args, flag) => {
  expectUserError(await p.gaia(args as string[]), flag as string);
});

test('a long option with one dash is refused, naming it with two; the suggested command works', async () => {
  const r = await p.gaia(['plan', '-file', 'm.yaml']);
  expectUserError(r, "'-file'", 'gaia plan --file m.yaml');
  expect(await runPrinted(/did you mean: (.*)/.exec(r.stderr)![1]!)).toMatchObject({ code: 0 });
  expectUserError(await p.gaia(['plan', '-f', 'm.yaml', '-out', 'x.plan']), '--out x.plan');
  expect(fs.existsSync(path.join(p.root, 'ut'))).toBe(false);
});

test('an unknown --target is an error with a did-you-mean, and its listing commands work', async () => {
  const r = await p.gaia(['plan', '-f', 'm.yaml', '--target', 'tmux_session.prob1']);
  expectUserError(r, 'tmux_session.prob1', 'did you mean "tmux_session.probe1"');
  expectUserError(await p.gaia(['apply', '-f', 'm.yaml', '--auto-approve', '--target', 'git_worktree']), 'git_worktree');
  const hints = backticked(r.stderr);
  expect(hints).toEqual(['gaia validate -f m.yaml --print-resources', 'gaia state list -f m.yaml']);
  for (const h of hints) expect(await runPrinted(h)).toMatchObject({ code: 0 });
  // A prefix of real addresses (a kind) is a target, as before.
  expect((await p.gaia(['plan', '-f', 'm.yaml', '--target', 'tmux_session'])).code).toBe(0);
});

test('a plan file that is not a gaia plan is a user error; the command it suggests makes one', async () => {
  const valid = await p.gaia(['plan', '-f', 'm.yaml', '--json']);
  const plan = JSON.parse(valid.stdout) as { changes: { action: string }[] };
  plan.changes[0]!.action = 'explode';
  const files: Record<string, string> = {
    'broken.plan': '{"formatVersion": 1, "changes": [',
    'empty.plan': '{}',
    'null.plan': 'null',
    'other.plan': '{"formatVersion": 1}',
    'edited.plan': JSON.stringify(plan),
    'future.plan': '{"formatVersion": 9}',
  };
  for (const [f, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(p.root, f), text);
    const r = await p.gaia(['apply', '-f', 'm.yaml', f]);
    expectUserError(r, f);
    if (f === 'edited.plan') expect(r.stderr).toContain('changes.0.action');
    const hints = backticked(r.stderr);
    expect(hints).toEqual([`gaia plan -f m.yaml -o ${f}`]);
    expect(await runPrinted(hints[0]!)).toMatchObject({ code: 0 });
  }
  expectUserError(await p.gaia(['apply', '-f', 'm.yaml', 'missing.plan']), 'missing.plan');
  expect(p.sessions()).toEqual([]);
});

test('the saved-plan hints work as printed: apply it; and when stale, plan again and apply', async () => {
  const saved = await p.gaia(['plan', '-f', 'm.yaml', '--target', 'tmux_session.probe1', '-o', 'p.plan']);
  expect(saved.code).toBe(0);
  const apply = /run: (gaia .*)$/m.exec(saved.stdout)![1]!;
  expect(apply).toBe('gaia apply -f m.yaml p.plan');
  expect(await runPrinted(apply)).toMatchObject({ code: 0, stderr: '' });
  expect(p.sessions()).toEqual(['probe1']);

  expect((await p.gaia(['plan', '-f', 'm.yaml', '--target', 'tmux_session.probe2', '-o', 'q.plan'])).code).toBe(0);
  fs.appendFileSync(path.join(p.root, 'm.yaml'), '# edited\n'); // the manifest changed since q.plan was made
  const stale = await p.gaia(['apply', '-f', 'm.yaml', 'q.plan']);
  expectUserError(stale, 'q.plan is stale');
  const hints = backticked(stale.stderr);
  expect(hints).toEqual(['gaia plan -f m.yaml --target tmux_session.probe2 -o q.plan', 'gaia apply -f m.yaml q.plan']);
  for (const h of hints) expect(await runPrinted(h)).toMatchObject({ code: 0, stderr: '' });
  expect(p.sessions()).toEqual(['probe1', 'probe2']);
});

test('a bad plan file is never "internal error", even for apply without -f', async () => {
  p.write('solo/orchestration.yaml', MANIFEST.replace('project: mistakes', 'project: solo'));
  p.write('solo/x.plan', '[]');
  const r = await runPrinted('cd solo && gaia apply x.plan');
  expectUserError(r, 'x.plan is not a gaia plan', '`gaia plan -o x.plan`');
});
