/** The executor every command goes through: real processes, results as data, nothing thrown. */
import { localExecutor, totalSpawned } from '../../src/providers/exec.js';

describe('localExecutor', () => {
  const exec = localExecutor();

  test('returns stdout, stderr and the exit code, and counts the spawn', async () => {
    const before = totalSpawned();
    const r = await exec.run(['sh', '-c', 'printf "out\\n"; printf "err" >&2; exit 3']);
    expect(r).toEqual({ argv: ['sh', '-c', 'printf "out\\n"; printf "err" >&2; exit 3'], exitCode: 3, stdout: 'out\n', stderr: 'err', failed: true });
    expect(totalSpawned()).toBe(before + 1);
  });

  test('passes arguments as they are, with no shell in between', async () => {
    const r = await exec.run(['printf', '%s|', 'a b', '$HOME', ';', "'q'"]);
    expect(r.stdout).toBe("a b|$HOME|;|'q'|");
    expect(r.failed).toBe(false);
  });

  test('feeds input to stdin, and gives none otherwise (the command sees end of file at once)', async () => {
    expect((await exec.run(['cat'], { input: 'line 1\nline 2\n' })).stdout).toBe('line 1\nline 2\n');
    expect((await exec.run(['cat'])).stdout).toBe('');
  });

  test('adds env to the inherited environment and runs in cwd', async () => {
    const r = await exec.run(['sh', '-c', 'printf "%s %s %s" "$GAIA_EXEC_TEST" "$PWD" "${PATH:+has-path}"'], { env: { GAIA_EXEC_TEST: 'x y' }, cwd: '/tmp' });
    expect(r.stdout).toBe('x y /tmp has-path');
  });

  test('keeps multi-byte text whole across chunks', async () => {
    const text = 'é→✓'.repeat(40_000);
    const r = await exec.run(['cat'], { input: text });
    expect(r.stdout).toBe(text);
  });

  test('a missing program is exit 127 with a message, not an exception', async () => {
    const r = await exec.run(['gaia-no-such-program-x7']);
    expect(r.exitCode).toBe(127);
    expect(r.failed).toBe(true);
    expect(r.stderr).toMatch(/gaia-no-such-program-x7.*ENOENT/);
  });

  test('a timeout ends the command even when a child of it holds the output open', async () => {
    const t0 = Date.now();
    const r = await exec.run(['sh', '-c', 'sleep 8 & sleep 8'], { timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.failed).toBe(true);
    expect(r.exitCode).toBe(128 + 15);
    expect(r.stderr).toMatch(/timed out after 300 ms/);
  });

  test('a command that exits without reading its input is a result, not an EPIPE crash', async () => {
    const r = await exec.run(['true'], { input: 'x'.repeat(1 << 20) });
    expect(r.exitCode).toBe(0);
  });
});
