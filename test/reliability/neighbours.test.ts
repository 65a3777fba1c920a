/** Neighbours are told apart: a second manifest in the same folder cannot take over the first
 *  one's state store, and a second project on the same tmux socket sees the first one's same-named
 *  sessions as conflicts, never as its own. Nothing of project A is changed by project B. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { testProject, type TestProject } from '../helpers/cli.js';
import { report } from './support.js';

const manifest = (project: string, extra = '') => `
version: 1
project: ${project}
repository: { path: ., base: main }
environments:
  count: 1
  name: ${project}{n}
  stages:
    dev: { database: { path: data/dev.db, migrations: db } }
groups:
  reviewers: { count: 2, name: "review{n}", command: ["sleep", "3600"] }
${extra}`;

describe('projects are told apart', () => {
  let a: TestProject;
  beforeEach(async () => {
    a = testProject(manifest('alpha'), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    const applied = await a.gaia(['apply', '--auto-approve']);
    expect(applied.code).toBe(0);
  });
  afterEach(() => a.cleanup());

  const stateOf = (p: TestProject) => execFileSync('sqlite3', [path.join(p.root, '.gaia/state.db'), 'SELECT address FROM resources ORDER BY address'], { encoding: 'utf8' });

  it('a second manifest in the same folder is refused by the state store, naming both projects; nothing of the first changes', async () => {
    a.write('other.yaml', manifest('beta'));
    const before = stateOf(a);
    const attempts = [['plan', '-f', 'other.yaml'], ['apply', '-f', 'other.yaml', '--auto-approve'], ['destroy', '-f', 'other.yaml', '--auto-approve']];
    for (const args of attempts) {
      const r = await a.gaia(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/state database .*state\.db: it belongs to project "alpha" \(orchestration\.yaml\), and other\.yaml is project "beta"/);
      expect(r.stderr).toContain('settings: { state: .gaia/beta.db }');
      expect(r.stderr).not.toMatch(/internal error|\bat .+\.(c?js|ts):\d+/);
    }
    expect(stateOf(a)).toBe(before);
    expect(a.sessions()).toEqual(['review1', 'review2']);
    expect((await a.gaia(['plan', '--detailed-exitcode'])).code).toBe(0);
    report({ area: 'neighbours', measure: 'another manifest on the same store', tried: attempts.length, okLabel: 'refused, nothing of the first changed', ok: attempts.length });

    // With a state of its own it is a project of its own, and plans its own environment.
    a.write('other.yaml', manifest('beta', 'settings: { state: .gaia/beta.db }').replace('count: 2, name: "review{n}"', 'count: 1, name: "beta_review{n}"'));
    const own = await a.gaia(['apply', '-f', 'other.yaml', '--auto-approve']);
    expect(own.code).toBe(0);
    expect(a.sessions()).toEqual(['beta_review1', 'review1', 'review2']);
    expect(stateOf(a)).toBe(before);
  });

  it('a second project on the same tmux socket: same-named sessions are conflicts (exit 1), and destroy leaves them alone', async () => {
    const b = testProject(manifest('beta'), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    try {
      const env = { GAIA_TMUX_SOCKET: a.socket, NO_COLOR: '1' };
      const pidsBefore = a.tmux(['list-sessions', '-F', '#{session_name} #{pane_pid}']);
      const plan = await b.gaia(['plan', '--json'], env);
      const conflicts = (JSON.parse(plan.stdout) as { conflicts: { address: string; text: string }[] }).conflicts;
      expect(conflicts.map((c) => c.address).sort()).toEqual(['tmux_session.review1', 'tmux_session.review2']);
      expect(conflicts[0]!.text).toContain(`belongs to another gaia project (alpha@${fs.realpathSync(a.root)})`);

      const applied = await b.gaia(['apply', '--auto-approve'], env);
      expect(applied.code).toBe(1);
      expect(applied.stdout).toMatch(/2 conflicts remain unresolved/);
      const destroyed = await b.gaia(['destroy', '--auto-approve'], env);
      expect(destroyed.code).toBe(0);
      expect(a.tmux(['list-sessions', '-F', '#{session_name} #{pane_pid}'])).toBe(pidsBefore);
      expect((await a.gaia(['plan', '--detailed-exitcode'])).code).toBe(0);
      report({ area: 'neighbours', measure: 'another project on the same tmux socket: plan, apply, destroy', tried: 3, okLabel: 'left the first project\'s sessions untouched', ok: 3 });
    } finally {
      b.cleanup();
    }
  });
});
