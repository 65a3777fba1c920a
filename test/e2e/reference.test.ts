import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testProject, type TestProject } from '../helpers/cli.js';

// The reference system (orchestration.yaml, unchanged) on a real temporary repository. The agent CLIs are
// stand-ins put first on PATH, so the manifest is applied exactly as written.
describe('the reference system applies', () => {
  let p: TestProject;
  let env: Record<string, string>;
  let bin: string;
  beforeAll(() => {
    const manifest = readFileSync('orchestration.yaml', 'utf8').replace('socket: null', 'socket: null');
    p = testProject(manifest, { 'db/migrations/001_init.sql': readFileSync('db/migrations/001_init.sql', 'utf8') });
    bin = mkdtempSync(path.join(os.tmpdir(), 'gaia-agents-'));
    cpSync('test/fixtures/agents/stand-in', path.join(bin, 'stand-in'));
    chmodSync(path.join(bin, 'stand-in'), 0o755);
    for (const agent of ['claude', 'codex', 'ollama']) symlinkSync(path.join(bin, 'stand-in'), path.join(bin, agent));
    env = { PATH: `${bin}:${process.env.PATH}` };
  });
  afterAll(() => {
    p.cleanup();
    rmSync(bin, { recursive: true, force: true });
  });

  it('warns about agent commands missing from PATH before anything runs', async () => {
    // The tests' own PATH (test/helpers/global-setup.mjs) holds no agent CLI, whatever the machine has.
    const r = await p.gaia(['plan']);
    expect(r.stdout).toMatch(/Warning: "claude" is not on PATH; 8 sessions would start and exit at once/);
  });

  it('creates 5 worktrees, 15 databases, 15 ports, 16 files and 26 sessions; the next plan shows no changes', async () => {
    const applied = await p.gaia(['apply', '--auto-approve'], env);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Apply complete! Resources: 82 added/);
    expect(p.sessions()).toHaveLength(26);
    expect(p.git(['worktree', 'list']).trim().split('\n')).toHaveLength(6);
    const state = JSON.parse((await p.gaia(['state', 'list', '--json'])).stdout) as { kind: string }[];
    const count = (k: string) => state.filter((r) => r.kind === k).length;
    expect([count('sqlite_database'), count('port'), count('file'), count('tmux_session')]).toEqual([15, 15, 16, 26]);
    expect(readFileSync(path.join(p.root, 'envs/dev3/.env.staging'), 'utf8')).toContain('PORT=8283');
    const second = await p.gaia(['plan', '--detailed-exitcode'], env);
    expect(second.stdout).toContain('No changes.');
    expect(second.code).toBe(0);
  });
});
