/** The pure day-two computations: session patterns, ahead/behind arithmetic, git porcelain,
 *  routing, health verdicts, feature-branch names, status filters. Plain values in and out. */
import { aheadBehind, parseBatchCheck, parseParents, parseStatusV2 } from '../../src/ops/git-parse.js';
import { featureBranch, parseCleanPreview, conflictMessage } from '../../src/ops/git-ops.js';
import { assessHealth, exitCodeOf, type HealthProbes } from '../../src/ops/health.js';
import { recognise, sessionPatterns, templateRegex } from '../../src/ops/patterns.js';
import { route } from '../../src/ops/routing.js';
import { filterStatus, type EnvironmentStatus, type SessionStatus, type StatusReport } from '../../src/ops/status-model.js';
import { deliveryProblem } from '../../src/ops/deliver.js';
import type { EnvironmentInfo, GroupInfo, Model, SessionInfo } from '../../src/manifest/model.js';

const env = (name: string): EnvironmentInfo => ({ name, index: Number(name.slice(3)), path: `envs/${name}`, branch: `env/${name}`, base: 'main', source: 'worktree', sync: 'rebase', stages: [] });
const session = (name: string, group: string, extra: Partial<SessionInfo> = {}): SessionInfo => ({ name, address: `tmux_session.${name}`, group, provider: 'claude', cwd: '.', costPerMonth: 35, agent: true, ...extra });
const group = (name: string, sessions: readonly SessionInfo[], extra: Partial<GroupInfo> = {}): GroupInfo => ({ name, sessions, costAdjustment: 0, perEnvironment: false, ...extra });

const environments = [env('dev1'), env('dev2')];
const groups = [
  group('pr_review', [session('pr_review1', 'pr_review'), session('pr_review2', 'pr_review'), session('pr_review3', 'pr_review')], { pattern: 'pr_review{n}' }),
  group('dev_workers', [session('dev1_worker', 'dev_workers', { env: 'dev1' }), session('dev2_worker', 'dev_workers', { env: 'dev2' })], { perEnvironment: true, pattern: '{env}_worker' }),
  group('high_level', [session('architect1', 'high_level')], { pattern: 'architect{n}' }),
];
const model = {
  manifest: { version: 1 as const, project: 'p' },
  environments,
  groups,
  routing: {
    rules: [
      { type: 'review', group: 'pr_review' },
      { type: 'plan', group: 'high_level' },
      { env: true, group: 'dev_workers' },
    ],
    default: 'high_level',
  },
} satisfies Pick<Model, 'manifest' | 'environments' | 'groups' | 'routing'>;

describe('session patterns', () => {
  const patterns = sessionPatterns(model);
  it.each([
    ['pr_review7', 'pr_review', 'manifest'],
    ['dev2_worker', 'dev_workers', 'manifest'],
    ['architect12', 'high_level', 'manifest'],
    ['dev9_worker', 'dev_workers', 'report'], // dev9 is no environment: only the report's pattern knows it
    ['pr_impl', 'pr_impl', 'report'],
    ['pr_integ3', 'pr_integ', 'report'],
  ])('recognises %s as group %s by a %s pattern', (name, g, source) => {
    const m = recognise(name, patterns);
    expect(m?.group).toBe(g);
    expect(m?.source).toBe(source);
  });
  it.each(['notes', 'xdev1_worker', 'pr_impl1x', 'architect'])('does not recognise %s', (name) => {
    expect(recognise(name, patterns)).toBeUndefined();
  });
  it('knows a bare pr_review only by the report\'s pr_review\\d* (the manifest\'s pr_review{n} needs a number)', () => {
    expect(recognise('pr_review', patterns)?.source).toBe('report');
  });
  it('turns {n}, {env} and literal braces into an anchored expression', () => {
    const re = templateRegex('{{x}}-{env}-w{n}', { envs: ['a.b'], group: 'g', project: 'p' });
    expect(re.test('{x}-a.b-w12')).toBe(true);
    expect(re.test('{x}-aXb-w12')).toBe(false); // the dot in an environment name is literal
  });
});

describe('ahead/behind from one rev-list walk', () => {
  // base: O ← B1 ← B2 (main); tip: O ← T1 ← M(T1,B1) (a merge of main's first commit)
  const graph = parseParents(['B2 B1', 'B1 O', 'M T1 B1', 'T1 O', ''].join('\n'));
  it('counts commits only on each side, following merges', () => {
    expect(aheadBehind(graph, 'M', 'B2')).toEqual({ ahead: 2, behind: 1 });
    expect(aheadBehind(graph, 'B2', 'M')).toEqual({ ahead: 1, behind: 2 });
  });
  it('is 0/0 for the same commit and counts a tip at the common ancestor as only behind', () => {
    expect(aheadBehind(graph, 'B2', 'B2')).toEqual({ ahead: 0, behind: 0 });
    expect(aheadBehind(graph, 'O', 'B2')).toEqual({ ahead: 0, behind: 2 });
  });
  it('reads cat-file --batch-check answers in order, keeping only commits', () => {
    const sha = 'a'.repeat(40);
    const out = parseBatchCheck(`${sha} commit 200\nrefs/heads/x missing\n${'b'.repeat(40)} tree 10\n`, ['main', 'refs/heads/x', 'HEAD^{tree}']);
    expect([...out]).toEqual([['main', sha]]);
  });
});

describe('git status --porcelain=v2', () => {
  it('reads the branch, every kind of path (spaces kept) and the conflicted ones', () => {
    const s = parseStatusV2([
      '# branch.oid 1234',
      '# branch.head env/dev1',
      '1 .M N... 100644 100644 100644 aaa bbb a file.txt',
      '2 R. N... 100644 100644 100644 aaa bbb R100 new name.txt\told.txt',
      'u UU N... 100644 100644 100644 100644 a b c conflict.txt',
      '? data/dev.db',
      '! ignored.log',
      '',
    ].join('\n'));
    expect(s.head).toBe('env/dev1');
    expect(s.paths).toEqual(['a file.txt', 'new name.txt', 'conflict.txt', 'data/dev.db']);
    expect(s.dirty).toBe(4);
    expect(s.conflicted).toEqual(['conflict.txt']);
  });
  it('says detached as null', () => {
    expect(parseStatusV2('# branch.oid 1\n# branch.head (detached)\n').head).toBeNull();
  });
});

describe('routing', () => {
  const none = new Map<string, number>();
  const all = new Set(['pr_review1', 'pr_review2', 'pr_review3', 'dev1_worker', 'dev2_worker', 'architect1']);
  it('sends a type to its group and picks the least-loaded live session, ties in manifest order', () => {
    const r = route(model, { type: 'review' }, all, new Map([['pr_review1', 2], ['pr_review2', 1], ['pr_review3', 1]]));
    expect(r).toMatchObject({ ok: true, group: 'pr_review', session: 'pr_review2' });
  });
  it('skips sessions that are not live, even when they are idle', () => {
    const r = route(model, { type: 'review' }, new Set(['pr_review3']), none);
    expect(r).toMatchObject({ ok: true, session: 'pr_review3' });
  });
  it('sends an env-only task to that environment\'s worker', () => {
    expect(route(model, { env: 'dev2' }, all, none)).toMatchObject({ ok: true, group: 'dev_workers', session: 'dev2_worker' });
  });
  it('falls back to routing.default for an unknown type', () => {
    const r = route(model, { type: 'paint' }, all, none);
    expect(r).toMatchObject({ ok: true, group: 'high_level', session: 'architect1' });
    expect(r.ok && r.rule).toBeUndefined();
  });
  it('refuses with the names when no session of the group is live', () => {
    const r = route(model, { env: 'dev1' }, new Set(['dev2_worker']), none);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe('no live session in group dev_workers for environment dev1 (dev1_worker is down or dead)');
  });
  it('refuses an unknown environment, listing the valid ones', () => {
    const r = route(model, { env: 'dev7' }, all, none);
    expect(r).toEqual({ ok: false, error: 'unknown environment "dev7"', hint: 'environments: dev1, dev2' });
  });
});

const envStatus = (over: Partial<EnvironmentStatus> = {}): EnvironmentStatus => ({
  name: 'dev1', path: 'envs/dev1', branch: 'env/dev1', base: 'main', directory: true, gitWorktree: true, head: 'env/dev1', onBranch: true, intent: 'branch',
  ahead: 0, behind: 0, dirty: 0, conflicted: [], stages: [{ name: 'dev', database: { path: 'envs/dev1/data/dev.db', exists: true, rows: 0, tables: 1, migrations: { applied: 1, wanted: 1 } }, port: { port: 8081, listening: false, holder: null } }],
  ...over,
});
const sessionStatus = (name: string, over: Partial<SessionStatus> = {}): SessionStatus => ({
  name, group: 'g', provider: null, state: 'up', owned: true, uptimeSeconds: 5, currentCommand: 'cat', pid: 1, exitStatus: null, exitSignal: null, openTasks: 0, ...over,
});
const report = (envs: EnvironmentStatus[], sessions: SessionStatus[]): StatusReport => ({
  formatVersion: 1, project: 'p', manifest: 'm', generatedAt: new Date(0).toISOString(), environments: envs,
  groups: [{ name: 'g', expected: sessions.length, up: 0, dead: 0, down: 0, providers: [], sessions }], unmanaged: [],
  totals: { environments: envs.length, sessions: { expected: 0, up: 0, dead: 0, down: 0 }, openTasks: 0 }, warnings: [], hosts: [],
});
const probes = (over: Partial<HealthProbes> = {}): HealthProbes => ({ gitOperations: new Map(), quickCheck: new Map([['dev1.dev', { ok: true }]]), ...over });

describe('health verdicts', () => {
  it('is failing for a host that cannot be reached, and says nothing of what is on it (unknown, not missing or down)', () => {
    const status = {
      ...report([envStatus({ host: 'gpu1', unknown: 'host gpu1 cannot be reached', directory: false })], [sessionStatus('a', { host: 'gpu1', unknown: 'host gpu1 cannot be reached', state: 'down' })]),
      hosts: [{ name: 'gpu1', reach: 'dev@gpu1', unreachable: 'Connection refused' }, { name: 'vm2', reach: 'vm2' }],
    };
    const h = assessHealth(status, probes());
    expect(h.verdict).toBe('failing');
    expect(h.hosts.map((c) => [c.subject, c.level])).toEqual([['gpu1', 'fail'], ['vm2', 'ok']]);
    expect(h.hosts[0]!.text).toBe('host gpu1 (dev@gpu1) cannot be reached: Connection refused; what is on it is unknown');
    expect(h.environments[0]!.checks).toEqual([]);
    expect(h.groups[0]!.checks).toEqual([]);
  });
  it('is healthy (exit 0) when a port has nothing listening: the manifest never says it must', () => {
    const h = assessHealth(report([envStatus()], [sessionStatus('a')]), probes());
    expect(h.verdict).toBe('healthy');
    expect(exitCodeOf(h.verdict)).toBe(0);
    expect(h.environments[0]!.checks.find((c) => c.kind === 'port')?.level).toBe('info');
  });
  it('is degraded (exit 2) for a session down, a dead pane, or a rebase in progress', () => {
    expect(assessHealth(report([envStatus()], [sessionStatus('a', { state: 'down' })]), probes()).verdict).toBe('degraded');
    expect(assessHealth(report([envStatus()], [sessionStatus('a', { state: 'dead', exitStatus: 3 })]), probes()).groups[0]!.checks[0]!.text).toContain('exited with status 3');
    const mid = assessHealth(report([envStatus({ head: null, onBranch: false, conflicted: ['a.txt'] })], []), probes({ gitOperations: new Map([['dev1', ['rebase']]]) }));
    expect(mid.verdict).toBe('degraded');
    expect(exitCodeOf(mid.verdict)).toBe(2);
    expect(mid.environments[0]!.checks.find((c) => c.kind === 'git-operation')?.text).toContain('rebase in progress (conflicts in a.txt)');
  });
  it('is failing (exit 1) for a missing directory, a missing database or a failed quick_check', () => {
    expect(assessHealth(report([envStatus({ directory: false })], []), probes()).verdict).toBe('failing');
    expect(assessHealth(report([envStatus({ gitWorktree: false })], []), probes()).environments[0]!.checks[0]!.text).toContain('is not a git worktree');
    const gone = envStatus({ stages: [{ name: 'dev', database: { path: 'x.db', exists: false, rows: null, tables: null, migrations: { applied: 0, wanted: 1 } } }] });
    expect(assessHealth(report([gone], []), probes()).verdict).toBe('failing');
    const bad = assessHealth(report([envStatus()], []), probes({ quickCheck: new Map([['dev1.dev', { ok: false, error: 'row 3 missing from index' }]]) }));
    expect(bad.verdict).toBe('failing');
    expect(exitCodeOf(bad.verdict)).toBe(1);
  });
  it('treats a feature branch as information and another branch as a warning', () => {
    expect(assessHealth(report([envStatus({ head: 'feature/2026-01-01-x', onBranch: false })], []), probes()).verdict).toBe('healthy');
    expect(assessHealth(report([envStatus({ head: 'main', onBranch: false })], []), probes()).verdict).toBe('degraded');
  });
});

describe('git workflow helpers', () => {
  it('names feature branches by date, adding the environment when several get one', () => {
    expect(featureBranch('login form', '2026-02-16', 'dev1', false)).toBe('feature/2026-02-16-login-form');
    expect(featureBranch('login', '2026-02-16', 'dev2', true)).toBe('feature/2026-02-16-login-dev2');
    expect(featureBranch('../..', '2026-02-16', 'dev1', false)).toBeUndefined();
  });
  it('reads git clean -n and explains conflicts with the next step', () => {
    expect(parseCleanPreview('Would remove build/\nWould remove a b.txt\n')).toEqual(['build/', 'a b.txt']);
    expect(conflictMessage('rebase', ['a.txt'])).toBe('rebase stopped with conflicts in a.txt; resolve them and run `git rebase --continue`, or run `git rebase --abort`');
  });
});

describe('status filters', () => {
  const r = report([envStatus(), envStatus({ name: 'dev2' })], [sessionStatus('w1', { env: 'dev1' }), sessionStatus('w2', { env: 'dev2', state: 'down' })]);
  it('--env keeps that environment and the sessions working in it, with recounted totals', () => {
    const f = filterStatus(r, { env: 'dev2' });
    expect(f.environments.map((e) => e.name)).toEqual(['dev2']);
    expect(f.groups[0]!.sessions.map((s) => s.name)).toEqual(['w2']);
    expect(f.groups[0]).toMatchObject({ expected: 1, up: 0, down: 1 });
  });
  it('--group keeps only that group and no environments', () => {
    const f = filterStatus(r, { group: 'g' });
    expect(f.environments).toEqual([]);
    expect(f.groups.map((g) => g.name)).toEqual(['g']);
  });
});

describe('delivery text', () => {
  it('accepts shell metacharacters, tabs and newlines (pasted as text, never run) but refuses escapes and empty text', () => {
    expect(deliveryProblem('echo "$(touch /tmp/x)"; rm -rf \'~\'')).toBeUndefined();
    expect(deliveryProblem('two\nlines\twith a tab')).toBeUndefined();
    expect(deliveryProblem('\x1b[A')).toMatch(/control character U\+001B/);
    expect(deliveryProblem('  \n ')).toMatch(/empty/);
  });
});
