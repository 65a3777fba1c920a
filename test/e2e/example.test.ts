/** `npm run example` (scripts/example.sh) and its tear-down: `example.sh down DIR` destroys what it
 *  made and removes the folder, and refuses a folder the script did not make. */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { socketPath } from '../helpers/tmux.js';

const socket = `gaia-test-${randomBytes(5).toString('hex')}`;
const env = { GAIA_TMUX_SOCKET: socket, NO_COLOR: '1' };
const run = (args: string[], extra: Record<string, string> = {}) =>
  execa('bash', ['scripts/example.sh', ...args], { env: { ...env, ...extra }, reject: false, stdin: 'ignore' });
const sessions = async () => String((await execa('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}'], { reject: false })).stdout).split('\n').filter(Boolean);

describe('the quickstart example', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-example-test-'));
  afterAll(async () => {
    await execa('tmux', ['-L', socket, 'kill-server'], { reject: false });
    fs.rmSync(socketPath(socket), { force: true });
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('runs, prints a tear-down that removes its folder too, and that tear-down leaves nothing behind', async () => {
    const demo = path.join(parent, 'demo');
    const r = await run([], { GAIA_DEMO_DIR: demo });
    expect(r.exitCode).toBe(0);
    const down = /bash (\S+scripts\/example\.sh) down (\S+)/.exec(String(r.stdout));
    expect(down?.[2]).toBe(demo);
    expect((await sessions()).length).toBeGreaterThan(0);

    const t = await run(['down', demo]);
    expect(t.exitCode).toBe(0);
    expect(fs.existsSync(demo)).toBe(false);
    expect(await sessions()).toEqual([]);
  }, 60_000);

  it('refuses to remove a folder it did not make', async () => {
    const other = fs.mkdtempSync(path.join(parent, 'mine-'));
    fs.writeFileSync(path.join(other, 'keep.txt'), 'mine');
    const t = await run(['down', other]);
    expect(t.exitCode).toBe(1);
    expect(String(t.stderr)).toMatch(/refusing: .* was not made by scripts\/example\.sh/);
    expect(fs.readFileSync(path.join(other, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
