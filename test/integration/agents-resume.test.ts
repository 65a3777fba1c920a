/** Resume after tmux kill-server, with the fake agent keeping its conversations as the real CLIs do
 *  (FAKE_AGENT_STORE): a claude-like CLI gets gaia's identifier at start, a codex-like one picks its
 *  own, which gaia learns from its rollout files. A session is resumed only when the CLI keeps its
 *  conversation (it got a message); otherwise it starts fresh and says so. A resume that fails at
 *  once is started fresh instead. destroy forgets the conversations. Starts of a group with
 *  maxConcurrentStarts are staggered. The identifier never changes the spec hash. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { testProject, type TestProject } from '../helpers/cli.js';
import { events, fakeProvider, until, type FakeEvent } from './agents-fixture.js';

interface Row {
  readonly address: string;
  readonly provider: string | null;
  readonly conversation_id: string | null;
}

describe('conversation resume and staggered starts', () => {
  let p: TestProject;
  const names = ['c1', 'c2', 'c3'];
  const all = [...names, 'x1', 'x2'];
  const of = (n: string): FakeEvent[] => events(path.join(p.root, `${n}.events`));
  const starts = (n: string): FakeEvent[] => of(n).filter((e) => e.event === 'start');
  const readyCount = (n: string): number => of(n).filter((e) => e.event === 'ready').length;
  const rows = (): Record<string, Row> => {
    const db = new Database(path.join(p.root, '.gaia/state.db'), { readonly: true });
    try {
      return Object.fromEntries((db.prepare('SELECT address, provider, conversation_id FROM agent_conversations').all() as Row[]).map((r) => [r.address.replace('tmux_session.', ''), r]));
    } finally {
      db.close();
    }
  };
  const id = (n: string): string | null | undefined => rows()[n]?.conversation_id;
  /** The codex-like fake's rollout files: the identifiers it picked itself. */
  const rollouts = (): string[] => {
    const dir = path.join(p.root, 'codex-home', 'sessions');
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.jsonl')).map((f) => /-([0-9a-f-]{36})\.jsonl$/.exec(f)![1]!);
  };
  const send = async (n: string, text: string) => {
    const r = await p.gaia(['send', n, text]);
    expect(`${r.code} ${r.stdout}${r.stderr}`).toMatch(/^0 /);
    expect(await until(() => of(n).some((e) => e.event === 'prompt' && e.text === text))).toBe(true);
  };
  const killServerAndApply = async (env: Record<string, string> = {}) => {
    const before = Object.fromEntries(all.map((n) => [n, readyCount(n)]));
    p.tmux(['kill-server']);
    const r = await p.gaia(['apply', '--auto-approve'], env);
    expect(await until(() => all.every((n) => readyCount(n) > before[n]!))).toBe(true);
    return r;
  };

  beforeAll(() => {
    p = testProject(`
version: 1
project: resume
providers:${fakeProvider({ store: 'claude' })}${fakeProvider({ store: 'codex', name: 'fakecodex' })}
groups:
  agents:
    names: [c1, c2, c3]
    provider: fake
    vars: { FAKE_AGENT_DIR: ".", FAKE_AGENT_START_MS: "100", FAKE_AGENT_STORE: claude, CLAUDE_CONFIG_DIR: "claude-home" }
    policy: { maxConcurrentStarts: 1, startInterval: 600ms }
  coders:
    names: [x1]
    provider: fakecodex
    cwd: a
    vars: { FAKE_AGENT_DIR: "..", FAKE_AGENT_START_MS: "100", FAKE_AGENT_STORE: codex, CODEX_HOME: "../codex-home" }
  coders2:
    names: [x2]
    provider: fakecodex
    cwd: b
    vars: { FAKE_AGENT_DIR: "..", FAKE_AGENT_START_MS: "100", FAKE_AGENT_STORE: codex, CODEX_HOME: "../codex-home" }
`);
    p.write('a/.keep', '');
    p.write('b/.keep', '');
  });
  afterAll(() => p.cleanup());

  it('gives a claude-like CLI a new identifier at start, recorded per address and provider; a codex-like one picks its own; starts are staggered', async () => {
    const r = await p.gaia(['apply', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/waiting 600 ms before starting 1 more session/g)).toHaveLength(2);
    expect(await until(() => all.every((n) => readyCount(n) === 1))).toBe(true);
    const recorded = rows();
    for (const n of names) {
      const conv = recorded[n]!.conversation_id!;
      expect(conv).toMatch(/^[0-9a-f-]{36}$/);
      expect(recorded[n]!.provider).toBe('fake:claude');
      expect(starts(n)[0]!.argv).toEqual(['--session-id', conv]);
      expect(r.stdout).toContain(`tmux_session.${n}: created (started conversation ${conv})`);
    }
    expect(new Set(names.map((n) => recorded[n]!.conversation_id)).size).toBe(3);
    // One at a time, in order: each started after the one before it (no bound on how long after).
    const at = names.map((n) => starts(n)[0]!.at);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    for (const n of ['x1', 'x2']) {
      expect(starts(n)[0]!.argv).toEqual([]);
      expect(recorded[n]).toEqual({ address: `tmux_session.${n}`, provider: 'fakecodex:codex', conversation_id: null });
      expect(r.stdout).toContain(`tmux_session.${n}: created (started a new conversation (the CLI picks its identifier; gaia learns it from the CLI's session files))`);
    }
  });

  it('plans no changes afterwards: the identifier is not part of the spec hash', async () => {
    expect((await p.gaia(['plan'])).stdout).toContain('No changes.');
  });

  it('after tmux kill-server resumes only conversations that got a message; the others start fresh and say why, with no crash', async () => {
    await send('c1', 'hello c1');
    await send('x1', 'hello x1');
    const before = rows();
    const [codexOwn] = rollouts();
    expect(rollouts()).toHaveLength(1);
    const r = await killServerAndApply();
    expect(r.code).toBe(0);
    const c1 = before.c1!.conversation_id!;
    expect(starts('c1')[1]!.argv).toEqual(['--resume', c1]);
    expect(r.stdout).toContain(`tmux_session.c1: created (resumed conversation ${c1})`);
    // The codex-like CLI's own identifier, learned from its rollout file, resumed and recorded.
    expect(starts('x1')[1]!.argv).toEqual(['resume', codexOwn]);
    expect(r.stdout).toContain(`tmux_session.x1: created (resumed conversation ${codexOwn} (learned from the CLI's session files))`);
    expect(id('x1')).toBe(codexOwn);
    for (const n of ['c2', 'c3']) {
      const fresh = id(n)!;
      expect(fresh).not.toBe(before[n]!.conversation_id);
      expect(starts(n)[1]!.argv).toEqual(['--session-id', fresh]);
      expect(r.stdout).toContain(`tmux_session.${n}: created (started conversation ${fresh}; conversation ${before[n]!.conversation_id} was not resumed: claude keeps no record of it (it never got a message))`);
    }
    expect(starts('x2')[1]!.argv).toEqual([]);
    expect(r.stdout).toContain('tmux_session.x2: created (started a new conversation (the CLI picks its identifier; gaia learns it from the CLI\'s session files); codex kept no conversation since its last start (it never got a message))');
    for (const n of all) expect(of(n).some((e) => e.event === 'resume-failed')).toBe(false);
    expect((await p.gaia(['plan'])).stdout).toContain('No changes.');
    expect((await p.gaia(['status', '--json'])).code).toBe(0);
  });

  it('a resume that fails at once is started fresh instead, once, and the outcome says so', async () => {
    const c1 = id('c1')!;
    p.write('c1.resume-fails', '');
    try {
      // A grace the fake's exit surely falls in: starting node alone can take longer than 200 ms here.
      const r = await killServerAndApply({ GAIA_START_GRACE: '3000' });
      expect(r.code).toBe(0);
      const fresh = id('c1')!;
      expect(fresh).not.toBe(c1);
      const tries = starts('c1').slice(-2).map((e) => e.argv);
      expect(tries).toEqual([['--resume', c1], ['--session-id', fresh]]);
      expect(r.stdout).toMatch(new RegExp(`tmux_session\\.c1: created \\(resume of conversation ${c1} failed \\(its program did not start: exited 1 within \\d+ ms; its last output: No conversation found with session ID: ${c1}\\); started fresh instead; started conversation ${fresh}\\)`));
      expect((await p.gaia(['plan'])).stdout).toContain('No changes.');
    } finally {
      fs.rmSync(path.join(p.root, 'c1.resume-fails'));
    }
  });

  it('never records one identifier for two addresses', () => {
    const ids = Object.values(rows()).flatMap((r) => (r.conversation_id ? [r.conversation_id] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a session whose provider changed does not resume the conversation of the one before', async () => {
    await send('c3', 'hello c3');
    const c3 = id('c3')!;
    p.write('orchestration.yaml', fs.readFileSync(path.join(p.root, 'orchestration.yaml'), 'utf8').replace('provider: fake\n', 'provider: [fake, fake, fake2]\n').replace('providers:', `providers:${fakeProvider({ store: 'claude', name: 'fake2' })}`));
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0); // the same program: updated in place
    const r = await killServerAndApply();
    expect(r.code).toBe(0);
    const fresh = id('c3')!;
    expect(starts('c3').at(-1)!.argv).toEqual(['--session-id', fresh]);
    expect(r.stdout).toContain(`tmux_session.c3: created (started conversation ${fresh}; the conversation on record was provider fake's)`);
    expect(rows().c3!.provider).toBe('fake2:claude');
    expect(fresh).not.toBe(c3);
  });

  it('destroy forgets the conversations: the next apply starts every session fresh', async () => {
    await send('c2', 'hello c2');
    expect((await p.gaia(['destroy', '--auto-approve'])).code).toBe(0);
    expect(rows()).toEqual({});
    const before = Object.fromEntries(all.map((n) => [n, starts(n).length]));
    const r = await p.gaia(['apply', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(await until(() => all.every((n) => starts(n).length === before[n]! + 1))).toBe(true);
    expect(r.stdout).not.toContain('resumed');
    for (const n of names) expect(starts(n).at(-1)!.argv).toEqual(['--session-id', id(n)]);
    for (const n of ['x1', 'x2']) expect(starts(n).at(-1)!.argv).toEqual([]);
  });
});
