/** gaia finds its project: from a subfolder it uses the nearest orchestration.yaml upward; inside an
 *  environment's worktree (which holds its own copy of the manifest) it works on the enclosing
 *  project, or refuses the copy named with -f — never planning the copy, never making .gaia/ there.
 *  Real git worktrees made by gaia apply, a private tmux socket. */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { GAIA_BIN, testProject, type TestProject } from '../helpers/cli.js';

const MANIFEST = `version: 1
project: finder
repository: { base: main }
environments:
  names: [dev1, dev2]
  path: envs/{env}
  branch: env/{env}
groups:
  workers:
    perEnvironment: true
    name: "{env}_worker"
    command: [sleep, "600"]
`;

let p: TestProject;
beforeAll(async () => {
  p = testProject(MANIFEST, { 'src/app/README.md': 'app\n' });
  const applied = await p.gaia(['apply', '--auto-approve']);
  expect(applied.code).toBe(0);
}, 60_000);
afterAll(() => p.cleanup());

const gaiaIn = async (dir: string, args: string[]) => {
  const r = await execa(GAIA_BIN, args, { cwd: path.join(p.root, dir), reject: false, stdin: 'ignore', env: { GAIA_TMUX_SOCKET: p.socket, NO_COLOR: '1' } });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
};

test('from a subfolder, the nearest orchestration.yaml upward', async () => {
  const r = await gaiaIn('src/app', ['plan']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout).toContain('No changes.');
  expect(fs.existsSync(path.join(p.root, 'src', 'app', '.gaia'))).toBe(false);
  const status = await gaiaIn('src', ['state', 'list']);
  expect(status.stdout).toContain('git_worktree.dev1');
});

test('inside an environment\'s worktree: the enclosing project, said on stderr, nothing made there', async () => {
  const env = path.join(p.root, 'envs', 'dev1');
  expect(fs.existsSync(path.join(env, 'orchestration.yaml'))).toBe(true); // the worktree's own copy
  fs.mkdirSync(path.join(env, 'src', 'deep'), { recursive: true });
  for (const dir of ['envs/dev1', 'envs/dev1/src/deep']) {
    const r = await gaiaIn(dir, ['plan']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes.'); // the project's plan, not "N to add" for a nested copy
    expect(r.stderr).toMatch(/in environment dev1's worktree; using its project's manifest (\.\.\/)+orchestration\.yaml/);
  }
  const validated = await gaiaIn('envs/dev1', ['validate']);
  expect(validated.stdout).toMatch(/\.\.\/\.\.\/orchestration\.yaml is valid: 2 environments/);
  expect(fs.existsSync(path.join(env, '.gaia'))).toBe(false);
  expect(fs.existsSync(path.join(env, 'envs'))).toBe(false);
});

test('the copy named with -f is refused, naming the project\'s manifest; the suggested -f works', async () => {
  const r = await gaiaIn('envs/dev2', ['plan', '-f', 'orchestration.yaml']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`orchestration.yaml is the copy of the manifest in environment dev2's worktree, not a project of its own: its project is ${path.join(p.root, 'orchestration.yaml')}`);
  expect(r.stderr).not.toMatch(/internal error/);
  const fixed = /add -f (\S+)/.exec(r.stderr)![1]!;
  expect(await gaiaIn('envs/dev2', ['plan', '-f', fixed])).toMatchObject({ code: 0 });
  expect(fs.existsSync(path.join(p.root, 'envs', 'dev2', '.gaia'))).toBe(false);
});

test('a linked worktree that is no environment of the project keeps its own manifest', async () => {
  p.git(['worktree', 'add', '-q', '-b', 'mine', path.join(p.root, 'envs', 'mine')]);
  const r = await gaiaIn('envs/mine', ['validate']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout).toMatch(/^orchestration\.yaml is valid/);
});
