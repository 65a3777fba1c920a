/** Resume after tmux kill-server: gaia assigns each agent session a conversation identifier on its
 *  first start (the start template), records it, and after the sessions are gone starts them with
 *  the resume template and that identifier; the identifier never changes the spec hash (no
 *  replace in later plans). Starts of a group with maxConcurrentStarts are staggered. */
import path from 'node:path';
import Database from 'better-sqlite3';
import { testProject, type TestProject } from '../helpers/cli.js';
import { events, fakeProvider, until, type FakeEvent } from './agents-fixture.js';

describe('conversation resume and staggered starts', () => {
  let p: TestProject;
  const names = ['c1', 'c2', 'c3'];
  const starts = (n: string): FakeEvent[] => events(path.join(p.root, `${n}.events`)).filter((e) => e.event === 'start');
  const recorded = (): Record<string, string> => {
    const db = new Database(path.join(p.root, '.gaia/state.db'), { readonly: true });
    try {
      return Object.fromEntries((db.prepare('SELECT address, conversation_id FROM agent_ids').all() as { address: string; conversation_id: string }[]).map((r) => [r.address, r.conversation_id]));
    } finally {
      db.close();
    }
  };

  beforeAll(() => {
    p = testProject(`
version: 1
project: resume
providers:${fakeProvider()}
groups:
  agents:
    names: [c1, c2, c3]
    provider: fake
    vars: { FAKE_AGENT_DIR: ".", FAKE_AGENT_START_MS: "100" }
    policy: { maxConcurrentStarts: 1, startInterval: 600ms }
`);
  });
  afterAll(() => p.cleanup());

  it('starts each session with the start template and a new identifier, recorded in the state store, one at a time', async () => {
    const r = await p.gaia(['apply', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/waiting 600 ms before starting 1 more session/g)).toHaveLength(2);
    expect(await until(() => names.every((n) => starts(n).length === 1))).toBe(true);
    const ids = recorded();
    for (const n of names) {
      const id = ids[`tmux_session.${n}`]!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(starts(n)[0]!.argv).toEqual(['--session-id', id]);
      expect(r.stdout).toContain(`tmux_session.${n}: created (started conversation ${id})`);
    }
    expect(new Set(Object.values(ids)).size).toBe(3);
    const at = names.map((n) => starts(n)[0]!.at);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(500);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(500);
  });

  it('plans no changes afterwards: the identifier is not part of the spec hash', async () => {
    const r = await p.gaia(['plan']);
    expect(r.stdout).toContain('No changes.');
  });

  it('after tmux kill-server, apply starts them again with the resume template and the recorded identifier', async () => {
    const ids = recorded();
    p.tmux(['kill-server']);
    const plan = await p.gaia(['plan']);
    expect(plan.stdout).toContain('Plan: 3 to add');
    expect(plan.stdout).toContain('(session missing (gaia created it; it was removed outside gaia))');
    const r = await p.gaia(['apply', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(await until(() => names.every((n) => starts(n).length === 2))).toBe(true);
    for (const n of names) {
      expect(starts(n)[1]!.argv).toEqual(['--resume', ids[`tmux_session.${n}`]]);
      expect(r.stdout).toContain(`tmux_session.${n}: created (resumed conversation ${ids[`tmux_session.${n}`]})`);
    }
    expect(recorded()).toEqual(ids);
    expect((await p.gaia(['plan'])).stdout).toContain('No changes.');
  });
});
