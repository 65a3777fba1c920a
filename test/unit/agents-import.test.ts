/** gaia import's pure half: tmux's quoting of start commands read back, worktrees as environments,
 *  sessions grouped by the report's patterns, agent CLIs as providers; and which hooks a change runs. */
import { hookCall } from '../../src/agents/hooks.js';
import { importManifest, environmentsOf, type FoundSession, type ImportFacts } from '../../src/agents/import.js';
import { parseStartCommand } from '../../src/agents/import-read.js';
import type { Change } from '../../src/core/plan.js';
import type { HooksInfo } from '../../src/manifest/model.js';

describe('start commands as tmux shows them', () => {
  it.each([
    ['"sleep 300"', 'sleep 300'],
    ['sleep 300', ['sleep', '300']],
    ['sh -c "sleep 100 # it\'s \\$HOME ~ ; done" x', ['sh', '-c', "sleep 100 # it's $HOME ~ ; done", 'x']],
    ['"sleep 200; echo \\"\\$HOME\\" \'q\'"', 'sleep 200; echo "$HOME" \'q\''],
    ['bash', 'bash'],
    ['', ''],
  ])('%j is %j', (shown, command) => expect(parseStartCommand(shown)).toEqual(command));
});

const session = (name: string, cwd = '.', startCommand: FoundSession['startCommand'] = '', currentCommand = 'bash'): FoundSession =>
  ({ name, cwd, startCommand, currentCommand, managed: false });

const facts: ImportFacts = {
  project: 'my proj', socket: 'sock', base: 'main', defaultShell: 'zsh',
  worktrees: [{ path: 'envs/dev1', branch: 'env/dev1' }, { path: 'envs/dev2', branch: 'env/dev2' }, { path: 'scratch', branch: null }],
  sessions: [
    session('gaia_main'), session('notes'), session('dashboard', '.', 'sleep 1000', 'sleep'),
    session('dev1_worker', 'envs/dev1', 'ollama run qwen'), session('dev2_worker', 'envs/dev2', 'ollama run qwen'),
    session('pr_impl1', '.', ['claude', '--model', 'opus'], 'node'), session('pr_impl2', '.', ['claude', '--model', 'opus'], 'node'),
    { ...session('made_by_gaia'), managed: true },
    session('elsewhere', '/opt/x'),
  ],
};

describe('import', () => {
  const r = importManifest(facts);

  it('makes environments of worktrees that share a folder and a branch pattern', () => {
    expect(r.manifest.environments).toEqual({ names: ['dev1', 'dev2'], path: 'envs/{env}', branch: 'env/{env}', base: 'main' });
    expect(r.notes).toContain('worktree scratch is on a detached HEAD: left out (an environment has a branch)');
  });

  it('groups sessions by the report\'s patterns, a worker per worktree as perEnvironment, the rest as existing', () => {
    expect(r.manifest.groups).toEqual({
      dev_workers: { perEnvironment: true, name: '{env}_worker', provider: 'ollama' },
      pr_impl: { names: ['pr_impl1', 'pr_impl2'], provider: 'claude' },
      existing: { names: ['gaia_main', 'notes'], command: 'bash' },
      existing_2: { names: ['dashboard'], command: 'sleep 1000' },
    });
    expect(r.manifest.providers).toEqual({ ollama: { command: 'ollama run qwen', agent: true }, claude: { command: ['claude', '--model', 'opus'], agent: true } });
    expect(r.notes).toContain('session elsewhere works outside the project (/opt/x): left out');
    expect(r.counts).toEqual({ sessions: 7, environments: 2 });
  });

  it('writes a valid project name and the socket it read', () => {
    expect(r.manifest.project).toBe('my_proj');
    expect(r.manifest.settings).toEqual({ tmux: { socket: 'sock' } });
  });

  it('keeps only the worktrees one template fits, noting the others', () => {
    const notes: string[] = [];
    const e = environmentsOf([{ path: 'envs/a', branch: 'env/a' }, { path: 'envs/b', branch: 'env/b' }, { path: 'wt/c', branch: 'feature' }], notes);
    expect(e).toMatchObject({ path: 'envs/{env}', branch: 'env/{env}' });
    expect(e.envs.map((x) => x.name)).toEqual(['a', 'b']);
    expect(notes).toEqual([expect.stringMatching(/^worktree wt\/c \(branch feature\) does not fit envs\/\{env\} on env\/\{env\}: left out$/)]);
  });
});

describe('which hooks a change runs', () => {
  const hooks: HooksInfo = { after_create: [{ command: 'echo up', timeoutMs: 1000 }], before_destroy: [{ command: ['save'], timeoutMs: 2000 }] };
  const model = {
    root: '/p',
    groups: [{ name: 'agents', sessions: [], costAdjustment: 0, perEnvironment: false, hooks }],
    environments: [{ name: 'dev1', index: 1, path: 'envs/dev1', branch: 'env/dev1', base: 'main', source: 'worktree' as const, sync: 'rebase' as const, stages: [] }],
    environmentHooks: hooks,
  };
  const change = (kind: string, address: string, action: Change['action'], attrs: Change['after']): Change =>
    ({ kind, address, action, reasons: [], diffs: [], dependsOn: [], hazards: [], ...(action === 'delete' ? { before: attrs } : { after: attrs }) });

  it('a session\'s group hooks, told which session, in its directory', () => {
    const c = change('tmux_session', 'tmux_session.a1', 'delete', { name: 'a1', group: 'agents', cwd: 'envs/dev1' });
    expect(hookCall(c, 'before_destroy', model, 'sock')).toEqual({
      hooks: hooks.before_destroy, cwd: 'envs/dev1',
      env: { GAIA_EVENT: 'before_destroy', GAIA_ADDRESS: 'tmux_session.a1', GAIA_ACTION: 'delete', GAIA_PROJECT_ROOT: '/p', GAIA_TMUX_SOCKET: 'sock', GAIA_SESSION: 'a1', GAIA_GROUP: 'agents' },
    });
    expect(hookCall(change('tmux_session', 'tmux_session.x', 'create', { name: 'x', group: 'other' }), 'after_create', model, undefined)).toBeUndefined();
  });

  it('the environments\' hooks for a worktree, told its name, path and branch', () => {
    const c = change('git_worktree', 'git_worktree.dev1', 'create', { path: 'envs/dev1', branch: 'env/dev1' });
    expect(hookCall(c, 'after_create', model, undefined)?.env).toMatchObject({ GAIA_ENV: 'dev1', GAIA_ENV_PATH: '/p/envs/dev1', GAIA_BRANCH: 'env/dev1', GAIA_TMUX_SOCKET: '' });
    expect(hookCall(change('git_branch', 'git_branch.dev1', 'create', {}), 'after_create', model, undefined)).toBeUndefined();
  });
});
