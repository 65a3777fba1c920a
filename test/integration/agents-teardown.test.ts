/** Safe teardown with hooks: gaia destroy refuses a worktree with uncommitted files and one with
 *  commits that exist nowhere else, naming them, until --force; before_destroy hooks run before
 *  each session is killed (here: saving its whole scrollback) and after_create hooks after each
 *  worktree is made, in order, each with its output recorded with the apply. */
import fs from 'node:fs';
import path from 'node:path';
import { testProject, type TestProject } from '../helpers/cli.js';
import type { ApplyRecord, StepRecord } from '../../src/state/store.js';

describe('teardown: refusals and hooks', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = testProject(`
version: 1
project: teardown
repository: { path: ., base: main }
environments:
  count: 2
  name: dev{n}
  hooks:
    after_create:
      - 'echo "made $GAIA_ENV on $GAIA_BRANCH in $(basename "$PWD")" >> "$GAIA_PROJECT_ROOT/hooks.log"'
      - [sh, -c, 'echo second >> "$GAIA_PROJECT_ROOT/hooks.log"']
    before_destroy:
      - 'echo "stopping $GAIA_ENV" >> "$GAIA_PROJECT_ROOT/hooks.log"'
groups:
  workers:
    perEnvironment: true
    name: "{env}_worker"
    command: "echo hello from $GAIA_SESSION; exec sleep 600"
    hooks:
      before_destroy:
        - command: 'tmux \${GAIA_TMUX_SOCKET:+-L "$GAIA_TMUX_SOCKET"} capture-pane -p -S - -t "=$GAIA_SESSION:" > "$GAIA_PROJECT_ROOT/$GAIA_SESSION.scrollback"'
          timeout: 5s
          description: save scrollback
`);
    p.write('.gitignore', 'envs/\n.gaia/\nhooks.log\n*.scrollback\n');
    const r = await p.gaia(['apply', '--auto-approve']);
    expect(r.code).toBe(0);
  });
  afterAll(() => p.cleanup());

  it('runs after_create hooks of each environment in order, in its worktree', () => {
    const log = fs.readFileSync(path.join(p.root, 'hooks.log'), 'utf8').split('\n').filter(Boolean).sort();
    expect(log).toEqual(['made dev1 on env/dev1 in dev1', 'made dev2 on env/dev2 in dev2', 'second', 'second']);
  });

  it('refuses to destroy a dirty worktree and one with unpushed commits, listing what is at risk', async () => {
    p.write('envs/dev1/notes.txt', 'unsaved work\n');
    p.write('envs/dev2/feature.txt', 'committed work\n');
    p.git(['add', 'feature.txt'], 'envs/dev2');
    p.git(['commit', '-q', '-m', 'work only dev2 has'], 'envs/dev2');
    const sha = p.git(['rev-parse', '--short', 'HEAD'], 'envs/dev2').trim();

    const r = await p.gaia(['destroy', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/refusing to remove envs\/dev1: 1 uncommitted file \(notes\.txt\); use --force to discard/);
    expect(r.stdout).toContain(`refusing to remove envs/dev2: 1 unpushed commit (${sha} work only dev2 has); use --force to discard`);
    expect(fs.existsSync(path.join(p.root, 'envs/dev1/notes.txt'))).toBe(true);
    expect(p.git(['branch', '--list', 'env/dev2'])).toContain('env/dev2');
  });

  it('ran before_destroy hooks first: each session\'s scrollback was saved before it was killed', () => {
    for (const s of ['dev1_worker', 'dev2_worker']) {
      expect(fs.readFileSync(path.join(p.root, `${s}.scrollback`), 'utf8')).toContain(`hello from ${s}`);
    }
    expect(p.sessions()).toEqual([]);
  });

  it('records every hook run with the apply: its step, exit status and output', async () => {
    const history = JSON.parse((await p.gaia(['state', 'history', '--json'])).stdout) as (ApplyRecord & { steps: StepRecord[] })[];
    const [destroy, apply] = history;
    const hooks = (a: typeof destroy) => a!.steps.filter((s) => s.action.includes('hook')).map((s) => `${s.address} ${s.action} ${s.status}`).sort();
    expect(hooks(apply)).toEqual([
      'git_worktree.dev1 after_create hook 1 done', 'git_worktree.dev1 after_create hook 2 done',
      'git_worktree.dev2 after_create hook 1 done', 'git_worktree.dev2 after_create hook 2 done',
    ]);
    expect(hooks(destroy)).toEqual([
      'git_worktree.dev1 before_destroy hook 1 done', 'git_worktree.dev2 before_destroy hook 1 done',
      'tmux_session.dev1_worker before_destroy hook 1 (save scrollback) done', 'tmux_session.dev2_worker before_destroy hook 1 (save scrollback) done',
    ]);
    const save = destroy!.steps.find((s) => s.address === 'tmux_session.dev1_worker' && s.action.includes('hook'))!;
    expect(save.argv?.[0]).toBe('sh');
  });

  it('stops a destroy whose before_destroy hook fails, unless --force', async () => {
    p.write('orchestration.yaml', fs.readFileSync(path.join(p.root, 'orchestration.yaml'), 'utf8').replace('- \'echo "stopping $GAIA_ENV"', '- \'echo "cannot stop $GAIA_ENV" >&2; exit 4\' #'));
    const r = await p.gaia(['destroy', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/git_worktree\.dev1: before_destroy hook 1: FAILED \(exited 4\): cannot stop dev1/);
    expect(r.stdout).toMatch(/REFUSED git_worktree\.dev1 \(delete\): refused: its before_destroy hook 1 failed \(exited 4\); fix the hook, or pass --force/);

    const forced = await p.gaia(['destroy', '--auto-approve', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('going ahead despite the failed before_destroy hook 1 (--force)');
    expect(fs.existsSync(path.join(p.root, 'envs/dev1'))).toBe(false);
    expect(p.git(['branch', '--list', 'env/*'])).toBe('');
  });
});
