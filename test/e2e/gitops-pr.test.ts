/** examples/gitops/gaia-pr.yml, run as GitHub would run it on a pull request whose manifest takes
 *  secrets from the environment (`fromEnv`) that the job does not have: its gaia steps, exactly as
 *  written (only `${{ … }}` filled in), in a real git repository, with `gaia` on PATH. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { GAIA_BIN } from '../helpers/cli.js';
import { tempRepo, type TempRepo } from '../helpers/git.js';

const WORKFLOW = path.resolve('examples/gitops/gaia-pr.yml');
const manifest = (command: string) => `version: 1
project: review
providers:
  claude:
    command: ${command}
    vars:
      ANTHROPIC_API_KEY: { fromEnv: GAIA_TEST_UNSET_KEY, sensitive: true }
groups:
  agents:
    names: [a1]
    provider: claude
`;

let repo: TempRepo;
let bin: string;
beforeAll(() => {
  repo = tempRepo('gaia-pr-');
  repo.write('orchestration.yaml', manifest('claude'));
  repo.git(['add', '-A']);
  repo.git(['commit', '-q', '-m', 'manifest']);
  repo.git(['update-ref', 'refs/remotes/origin/main', 'HEAD']); // what checkout with fetch-depth 0 gives
  repo.git(['checkout', '-q', '-b', 'pr']);
  repo.write('orchestration.yaml', manifest('"claude --verbose"'));
  repo.git(['commit', '-q', '-am', 'change the agents']);
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-pr-bin-'));
  fs.symlinkSync(GAIA_BIN, path.join(bin, 'gaia'));
});
afterAll(() => {
  repo.cleanup();
  fs.rmSync(bin, { recursive: true, force: true });
});

const env = () => ({ PATH: `${bin}:${process.env.PATH}`, HOME: repo.root, NO_COLOR: '1', XDG_CACHE_HOME: path.join(bin, 'cache') });

test('the workflow\'s gaia steps pass without the secrets', async () => {
  const workflow = parse(fs.readFileSync(WORKFLOW, 'utf8')) as { jobs: Record<string, { steps: { name?: string; run?: string }[] }> };
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps).filter((s) => s.run !== undefined && /^\s*gaia /m.test(s.run));
  expect(steps.map((s) => s.name)).toEqual(['Validate the manifest', 'What the pull request changes']);
  for (const step of steps) {
    const script = step.run!.replace(/\$\{\{\s*github\.base_ref\s*\}\}/g, 'main');
    expect(script).not.toMatch(/\$\{\{/);
    const r = await execa('bash', ['-e', '-c', script], { cwd: repo.root, env: env(), extendEnv: false, reject: false, stdin: 'ignore' });
    expect({ step: step.name, code: r.exitCode, stderr: r.stderr }).toEqual({ step: step.name, code: 0, stderr: step.name === 'Validate the manifest' ? expect.stringContaining('Warning: environment variable GAIA_TEST_UNSET_KEY is not set') : '' });
  }
  expect(fs.readFileSync(path.join(repo.root, 'gaia-diff.md'), 'utf8')).toContain('tmux_session.a1');
});

test('validate warns about an unset fromEnv and passes; plan and apply still refuse it', async () => {
  const gaia = (args: string[]) => execa('gaia', args, { cwd: repo.root, env: env(), extendEnv: false, reject: false, stdin: 'ignore' });
  const validated = await gaia(['validate', '--json']);
  expect(validated.exitCode).toBe(0);
  expect(JSON.parse(validated.stdout)).toMatchObject({ valid: true, warnings: [expect.stringContaining('GAIA_TEST_UNSET_KEY is not set')] });
  for (const args of [['plan'], ['apply', '--auto-approve']]) {
    const r = await gaia([...args, '-f', 'orchestration.yaml']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/orchestration\.yaml:\d+:\d+ .*environment variable GAIA_TEST_UNSET_KEY is not set/);
  }
  expect(fs.existsSync(path.join(repo.root, '.gaia', 'state.db'))).toBe(false);
});
