/** The manifest layer's pure parts (templates, name rules, expansion) and the shipped manifests. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expand, type ExpandFacts } from '../../src/manifest/expand.js';
import { loadManifest } from '../../src/manifest/load.js';
import { branchNameProblem, insideRoot, tmuxNameProblem } from '../../src/manifest/names.js';
import { closest } from '../../src/manifest/suggest.js';
import { placeholderHelp, renderText, renderValue, shellQuote } from '../../src/manifest/template.js';
import type { Manifest } from '../../src/manifest/types.js';
import type { Resource } from '../../src/core/resource.js';

describe('templates', () => {
  const env = { name: 'dev2', path: 'envs/dev2', branch: 'env/dev2', stages: { qa: { name: 'qa', port: 8182 } } };
  const ctx = { n: 3, project: 'demo', env, flag: true, list: [1, 2], nothing: null };

  it.each([
    ['dev{n}', 'dev3'],
    ['{env.path}/.env.{env.stages.qa.name}', 'envs/dev2/.env.qa'],
    ['{env}_worker', 'dev2_worker'], // an object with a name stands for its name
    ['port {env.stages.qa.port}', 'port 8182'],
    ['{flag}', 'true'],
    ['{list}', '[1,2]'],
    ['{nothing}', 'null'],
    ['{{n}}', '{n}'], // doubled braces are literal braces
    ['a }} b {{', 'a } b {'],
    ['{{{n}}}', '{3}'],
    ['no placeholders', 'no placeholders'],
    ['{ n }', '{ n }'], // not a placeholder: spaces
  ])('renders %j as %j', (template, expected) => {
    expect(renderText(template, ctx)).toEqual({ value: expected, unknown: [] });
  });

  it.each([
    ['worker{nn}', ['nn']],
    ['{env.pth}/x', ['env.pth']],
    ['{env.path.deeper}', ['env.path.deeper']],
    ['{a}{b}{n}', ['a', 'b']],
  ])('leaves unknown placeholders in %j as written and lists them', (template, unknown) => {
    const r = renderText(template, ctx);
    expect(r.unknown).toEqual(unknown);
    for (const u of unknown) expect(r.value).toContain(`{${u}}`);
  });

  it('quotes only the substituted values when a quote function is given (string commands)', () => {
    const r = renderText("echo {v} 'kept as written'", { v: "it's $(rm -rf ~)" }, shellQuote);
    expect(r.value).toBe(`echo 'it'\\''s $(rm -rf ~)' 'kept as written'`);
  });

  it.each([
    ['dev1', 'dev1'],
    ['envs/dev1/data.db', 'envs/dev1/data.db'],
    ['a=b,c:d@e%f+g', 'a=b,c:d@e%f+g'],
    ['', "''"],
    ['two words', "'two words'"],
    ["it's", "'it'\\''s'"],
    ['$HOME', "'$HOME'"],
    ['a;b', "'a;b'"],
    ['*', "'*'"],
  ])('shellQuote(%j) is %s', (input, quoted) => {
    expect(shellQuote(input)).toBe(quoted);
    // And the shell reads it back as the original text.
    expect(execFileSync('sh', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' })).toBe(input);
  });

  it('keeps the type of a string that is exactly one placeholder, renders the rest as text', () => {
    const r = renderValue({ all: '{env.stages}', port: '{env.stages.qa.port}', label: 'on {env.stages.qa.port}', list: ['{n}', 'x{n}'], keep: 7 }, ctx);
    expect(r).toEqual({
      value: { all: env.stages, port: 8182, label: 'on 8182', list: [3, 'x3'], keep: 7 },
      unknown: [],
    });
    expect(renderValue(['{nope}', '{{x}}'], ctx)).toEqual({ value: ['{nope}', '{x}'], unknown: ['nope'] });
  });

  it('suggests the nearest placeholder at the level that was missed', () => {
    expect(placeholderHelp(ctx, 'nn')).toEqual(expect.objectContaining({ suggestion: 'n' }));
    expect(placeholderHelp(ctx, 'env.pth')).toEqual({ available: ['env.name', 'env.path', 'env.branch', 'env.stages'], suggestion: 'env.path' });
    expect(placeholderHelp(ctx, 'zzzzzz').suggestion).toBeUndefined();
  });

  it.each([
    ['cluade', ['claude', 'codex'], 'claude'],
    ['comand', ['count', 'command', 'cwd'], 'command'],
    ['dev3', ['dev1', 'dev2'], undefined], // another number is another name, not a typo
    ['x', ['n'], 'n'],
    ['completely', ['different'], undefined],
  ])('closest(%j) among %j is %j', (word, candidates, hit) => {
    expect(closest(word, candidates)).toBe(hit);
  });
});

describe('name rules', () => {
  const branches: readonly [string, string | undefined][] = [
    ['env/dev1', undefined],
    ['feature/x-y_z', undefined],
    ['v1.2', undefined],
    ['a@b', undefined],
    ['héllo', undefined],
    ['', 'empty'],
    ['-x', 'starts with "-"'],
    ['HEAD', '"HEAD"'],
    ['a b', 'space'],
    ['a\tb', 'control'],
    ['a\x7fb', 'control'],
    ['a~b', '~'],
    ['a^b', '^'],
    ['a:b', ':'],
    ['a?b', '?'],
    ['a*b', '*'],
    ['a[b', '['],
    ['a\\b', '\\'],
    ['env/..x', '".."'],
    ['a@{b', '"@{"'],
    ['a//b', 'empty path component'],
    ['/a', 'empty path component'],
    ['x/', 'empty path component'],
    ['x.', 'ends with "."'],
    ['.x', 'starts with "."'],
    ['env/.x', 'starts with "."'],
    ['x.lock', '".lock"'],
    ['env/x.lock/y', '".lock"'],
  ];

  it.each(branches)('branch %j: %s', (name, problem) => {
    const got = branchNameProblem(name);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });

  it('agrees with `git check-ref-format --branch` on every one of those names', () => {
    const gitSays = (name: string) => {
      try {
        execFileSync('git', ['check-ref-format', '--branch', name], { cwd: tmpdir(), stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    const disagreements = branches.filter(([name]) => name !== '' && gitSays(name) !== (branchNameProblem(name) === undefined));
    expect(disagreements).toEqual([]);
  });

  it('refuses "@" although git would take it: it means HEAD in every git command', () => {
    expect(branchNameProblem('@')).toMatch(/means HEAD/);
  });

  it.each([
    ['dev1_worker', undefined],
    ['pr-review-2', undefined],
    ['', 'empty'],
    ['worker.1', 'replaces "." and ":"'],
    ['db:admin', 'replaces "." and ":"'],
    ['a\nb', 'control'],
  ])('tmux session %j: %s', (name, problem) => {
    const got = tmuxNameProblem(name);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });

  it.each([
    ['envs/dev1', 'envs/dev1'],
    ['./x/', 'x'],
    ['a/../b', 'b'],
    ['a/..', '.'],
    ['', '.'],
    ['.', '.'],
    ['...', '...'],
    ['..x', '..x'],
    ['a\\b', 'a/b'],
    ['../x', undefined],
    ['..', undefined],
    ['a/../../x', undefined],
    ['a\\..\\..\\x', undefined],
    ['/tmp/x', undefined],
    ['C:\\x', undefined],
    ['c:/x', undefined],
  ])('insideRoot(%j) is %j', (path, expected) => {
    expect(insideRoot(path)).toBe(expected);
  });
});

describe('expand', () => {
  const facts = (over: Partial<ExpandFacts> = {}): ExpandFacts => ({ migrations: {}, previousPorts: {}, environ: {}, ...over });
  const base = (rest: Partial<Manifest>): Manifest => ({ version: 1, project: 'demo', ...rest });
  const sessions = (rs: readonly Resource[]) => rs.filter((r) => r.kind === 'tmux_session');
  const byAddress = (rs: readonly Resource[], address: string) => {
    const r = rs.find((x) => x.address === address);
    if (!r) throw new Error(`no ${address} in ${rs.map((x) => x.address).join(', ')}`);
    return r;
  };
  const envs = { names: ['dev1', 'dev2'] };

  it('makes count sessions from the pattern, names as listed, and one per environment for perEnvironment', () => {
    const x = expand(base({
      environments: envs,
      groups: {
        counted: { count: 3, name: 'c{n}', command: 'bash' },
        named: { names: ['alpha', 'beta'], command: 'bash' },
        each: { perEnvironment: true, command: 'bash' },
        solo: { count: 1, command: 'bash' },
      },
    }), facts());
    expect(x.problems).toEqual([]);
    expect(sessions(x.resources).map((r) => r.attributes.name)).toEqual(['c1', 'c2', 'c3', 'alpha', 'beta', 'dev1_each', 'dev2_each', 'solo']);
    const each = byAddress(x.resources, 'tmux_session.dev2_each');
    expect(each.attributes.cwd).toBe('envs/dev2');
    expect(each.dependsOn).toEqual(['git_worktree.dev2']);
    expect((each.attributes.env as Record<string, string>).GAIA_ENV).toBe('dev2');
    expect(byAddress(x.resources, 'tmux_session.c1').dependsOn).toEqual([]);
    expect(x.groups.map((g) => [g.name, g.pattern])).toEqual([['counted', 'c{n}'], ['named', undefined], ['each', '{env}_each'], ['solo', 'solo']]);
  });

  it('turns remain-on-exit off only for a group that asks (absent keeps the default, and the spec hash)', () => {
    const x = expand(base({ groups: { quick: { count: 1, name: 'q{n}', command: 'bash', remainOnExit: false }, usual: { count: 1, name: 'u{n}', command: 'bash' } } }), facts());
    expect(x.problems).toEqual([]);
    expect(byAddress(x.resources, 'tmux_session.q1').attributes.remainOnExit).toBe(false);
    expect('remainOnExit' in byAddress(x.resources, 'tmux_session.u1').attributes).toBe(false);
  });

  it('gives each session its provider from a provider list, with the provider command, cost and agent flag', () => {
    const x = expand(base({
      providers: { a: { command: 'agent-a', costPerMonth: 10, agent: true }, b: { command: ['agent-b', '--fast'], costPerMonth: 3 } },
      groups: { rev: { count: 3, name: 'rev{n}', provider: ['a', 'b', 'a'] }, cheap: { count: 1, provider: 'a', costPerSession: 1 } },
    }), facts());
    expect(x.problems).toEqual([]);
    expect(sessions(x.resources).map((r) => [r.attributes.name, r.attributes.provider, r.attributes.command, r.attributes.agent])).toEqual([
      ['rev1', 'a', 'agent-a', true], ['rev2', 'b', ['agent-b', '--fast'], false], ['rev3', 'a', 'agent-a', true], ['cheap', 'a', 'agent-a', true],
    ]);
    expect(x.groups.flatMap((g) => g.sessions.map((s) => s.costPerMonth))).toEqual([10, 3, 10, 1]);
  });

  it('puts a group with env: in that environment: its directory, a dependency on its worktree and GAIA_ENV', () => {
    const x = expand(base({ environments: envs, groups: { helpers: { count: 2, env: 'dev2', command: 'bash' }, tools: { count: 1, cwd: 'tools/', command: 'bash' } } }), facts());
    expect(x.problems).toEqual([]);
    const h = byAddress(x.resources, 'tmux_session.helpers2');
    expect([h.attributes.cwd, h.dependsOn, (h.attributes.env as Record<string, string>).GAIA_ENV]).toEqual(['envs/dev2', ['git_worktree.dev2'], 'dev2']);
    const t = byAddress(x.resources, 'tmux_session.tools');
    expect([t.attributes.cwd, t.dependsOn]).toEqual(['tools', []]);
  });

  it('lists sensitive variables as env.KEY, takes fromEnv values from the given environment, and lets a group override', () => {
    const m = base({
      providers: { claude: { command: 'claude', vars: { API_KEY: { fromEnv: 'MY_KEY', sensitive: true }, MODE: 'fast' } } },
      groups: {
        agents: { count: 1, provider: 'claude', vars: { TOKEN: { value: 's3cret', sensitive: true }, PLAIN: 1 } },
        local: { count: 1, name: 'local', provider: 'claude', vars: { API_KEY: 'not-secret' } },
      },
    });
    const x = expand(m, facts({ environ: { MY_KEY: 'k-123' } }));
    expect(x.problems).toEqual([]);
    const a = byAddress(x.resources, 'tmux_session.agents');
    expect(a.attributes.env).toEqual({ API_KEY: 'k-123', MODE: 'fast', TOKEN: 's3cret', PLAIN: '1', GAIA_SESSION: 'agents', GAIA_GROUP: 'agents' });
    expect(a.sensitive).toEqual(['env.API_KEY', 'env.TOKEN']);
    const l = byAddress(x.resources, 'tmux_session.local');
    expect((l.attributes.env as Record<string, string>).API_KEY).toBe('not-secret');
    expect(l.sensitive).toBeUndefined();
    // Unset, it is an error at the provider's variable, once however many sessions use it.
    const unset = expand(m, facts());
    expect(unset.problems).toEqual([expect.objectContaining({ path: ['providers', 'claude', 'vars', 'API_KEY', 'fromEnv'], message: 'environment variable MY_KEY is not set' })]);
  });

  it('marks a generated file sensitive when a sensitive stage variable is rendered into it', () => {
    const x = expand(base({
      environments: { names: ['dev1'], stages: { qa: { vars: { DB_PASSWORD: { fromEnv: 'PW', sensitive: true }, LEVEL: 'info' } } } },
      files: {
        secret: { perStage: true, path: '{env.path}/.env', content: 'PW={stage.vars.DB_PASSWORD}\n' },
        plain: { perStage: true, path: '{env.path}/level', content: '{stage.vars.LEVEL}\n' },
      },
    }), facts({ environ: { PW: 'hunter22' } }));
    expect(x.problems).toEqual([]);
    expect(byAddress(x.resources, 'file.dev1.qa.secret')).toEqual(expect.objectContaining({ sensitive: ['content'], attributes: expect.objectContaining({ content: 'PW=hunter22\n' }) }));
    expect(byAddress(x.resources, 'file.dev1.qa.plain').sensitive).toBeUndefined();
  });

  it('shell-quotes substituted values in a string command and passes them raw in an argv command', () => {
    const m = (command: string | string[]) => base({ environments: { names: ['dev1'], base: "it's main" }, groups: { w: { perEnvironment: true, command } } });
    const str = expand(m('git log {env.base} --oneline'), facts());
    expect(str.problems).toEqual([]);
    expect(sessions(str.resources)[0]!.attributes.command).toBe(`git log 'it'\\''s main' --oneline`);
    const argv = expand(m(['git', 'log', '{env.base}']), facts());
    expect(sessions(argv.resources)[0]!.attributes.command).toEqual(['git', 'log', "it's main"]);
  });

  it('reports {env} in a group that has no environment instead of rendering it empty', () => {
    const x = expand(base({ environments: envs, groups: { w: { count: 2, name: '{env}_w{n}', command: 'bash' } } }), facts());
    expect(x.problems.map((p) => p.message)).toEqual(['placeholder {env} has no value here: there is no environment in scope']);
  });

  describe('port stability', () => {
    const m = (names: string[]) => base({ environments: { names, stages: { dev: { port: { range: [8081, 8089] } } } } });
    const ports = (x: ReturnType<typeof expand>) => Object.fromEntries(x.environments.map((e) => [e.name, e.stages[0]!.port]));

    it('allocates the lowest free ports in environment order', () => {
      expect(ports(expand(m(['dev1', 'dev2', 'dev3']), facts()))).toEqual({ dev1: 8081, dev2: 8082, dev3: 8083 });
    });

    it('keeps dev3 on its port when dev2 is removed, given the previous allocation', () => {
      const before = expand(m(['dev1', 'dev2', 'dev3']), facts());
      const previousPorts = Object.fromEntries(before.resources.filter((r) => r.kind === 'port').map((r) => [`${r.attributes.env}.${r.attributes.stage}`, r.attributes.port as number]));
      expect(ports(expand(m(['dev1', 'dev3']), facts({ previousPorts })))).toEqual({ dev1: 8081, dev3: 8083 });
      // Without the previous allocation it would have moved: the state store is what keeps it.
      expect(ports(expand(m(['dev1', 'dev3']), facts()))).toEqual({ dev1: 8081, dev3: 8082 });
      // A newcomer takes the freed port, not dev3's.
      expect(ports(expand(m(['dev1', 'dev3', 'dev4']), facts({ previousPorts })))).toEqual({ dev1: 8081, dev3: 8083, dev4: 8082 });
    });

    it('gives port resources and stage info the same allocation', () => {
      const x = expand(m(['dev1', 'dev2']), facts());
      expect(x.resources.filter((r) => r.kind === 'port').map((r) => [r.address, r.attributes.port])).toEqual([['port.dev1.dev', 8081], ['port.dev2.dev', 8082]]);
    });
  });
});

describe('shipped manifests', () => {
  const exampleFiles = readdirSync('examples').filter((f) => /\.ya?ml$/.test(f)).map((f) => join('examples', f));
  const all = ['orchestration.yaml', ...exampleFiles];
  /** Examples read secrets with fromEnv; the test supplies a value for each name they ask for. */
  const environOf = (file: string) => Object.fromEntries([...readFileSync(file, 'utf8').matchAll(/fromEnv:\s*([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => [m[1]!, `test-${m[1]}`]));

  it('includes the quickstart and the agents example', () => {
    expect(exampleFiles).toEqual(expect.arrayContaining(['examples/quickstart.yaml', 'examples/agents.yaml']));
  });

  it.each(all)('%s validates and expands', (file) => {
    const r = loadManifest(file, { environ: environOf(file) });
    if (!r.ok) throw new Error(r.errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.path}: ${e.message}`).join('\n'));
    expect(r.model.resources.length).toBeGreaterThan(0);
  });

  it('quickstart: 2 worktrees, a database and a port per stage, 4 sessions, migrations read from examples/db', () => {
    const r = loadManifest('examples/quickstart.yaml', { environ: {} });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const count = (kind: string) => r.model.resources.filter((x) => x.kind === kind).length;
    expect([count('git_branch'), count('git_worktree'), count('sqlite_database'), count('port'), count('tmux_session')]).toEqual([2, 2, 4, 4, 4]);
    expect(r.model.root).toBe(join(process.cwd(), 'examples'));
    expect(r.model.tmuxSocket).toBe('gaia-quickstart');
    const db = r.model.resources.find((x) => x.address === 'sqlite_database.qs1.qa')!;
    expect(db.attributes).toEqual(expect.objectContaining({ path: 'envs/qs1/data/qa.db', migrations: [expect.objectContaining({ name: '001_init.sql', file: 'db/migrations/001_init.sql' })] }));
    expect(r.model.environments.map((e) => [e.branch, e.stages.map((s) => s.port)])).toEqual([['env/qs1', [18081, 18085]], ['env/qs2', [18082, 18086]]]);
    // Everything it writes stays in git-ignored places.
    const written = r.model.resources.filter((x) => x.kind === 'file' || x.kind === 'git_worktree' || x.kind === 'sqlite_database').map((x) => String(x.attributes.path));
    for (const p of written) expect(p).toMatch(/^envs\//);
  });

  it('agents: refuses to load without the API keys, and marks them sensitive when they are set', () => {
    const missing = loadManifest('examples/agents.yaml', { environ: {} });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors.map((e) => e.message)).toEqual(['environment variable ANTHROPIC_API_KEY is not set', 'environment variable OPENAI_API_KEY is not set']);
    const r = loadManifest('examples/agents.yaml', { environ: environOf('examples/agents.yaml') });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const worker = r.model.resources.find((x) => x.address === 'tmux_session.ag1_claude')!;
    expect(worker.sensitive).toEqual(['env.ANTHROPIC_API_KEY']);
    expect(worker.dependsOn).toEqual(['git_worktree.ag1']);
    expect(r.model.groups.find((g) => g.name === 'reviewers')!.sessions.map((s) => s.provider)).toEqual(['codex', 'claude']);
  });
});
