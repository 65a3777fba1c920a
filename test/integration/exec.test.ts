/** The executor every command goes through: real processes, results as data, nothing thrown. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { localExecutor, totalSpawned } from '../../src/host/exec.js';

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

/** A node process running the real executor (type-stripped into a temp folder) with a command that
 *  would run for 30 s; the test stops that process and looks for the command. */
describe('commands do not outlive gaia', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-exec-cleanup-'));
    const source = fs.readFileSync(path.resolve('src/host/exec.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
    fs.writeFileSync(path.join(dir, 'exec.mjs'), outputText);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // A command that ended but was orphaned stays a zombie until init reaps it (slowly, here): dead too.
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  async function start(ownHandler: boolean) {
    const pidFile = path.join(dir, 'sleep.pid');
    fs.writeFileSync(path.join(dir, 'main.mjs'), `
      import { localExecutor } from './exec.mjs';
      ${ownHandler ? "process.on('SIGTERM', () => setTimeout(() => process.exit(0), 100));" : ''}
      localExecutor().run(['sh', '-c', 'echo $$ > ${pidFile}; exec sleep 30']);
      setInterval(() => {}, 1000);
    `);
    const child = spawn(process.execPath, [path.join(dir, 'main.mjs')], { stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    for (let i = 0; i < 100 && !(fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim()); i++) await new Promise((r) => setTimeout(r, 50));
    const sleepPid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(alive(sleepPid)).toBe(true);
    return { child, exited, sleepPid };
  }
  const gone = async (pid: number) => {
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50)); // up to 10 s on a loaded machine
    return !alive(pid);
  };

  test('a SIGTERM that ends gaia ends its running commands first, and gaia still dies of the signal', async () => {
    const { child, exited, sleepPid } = await start(false);
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await gone(sleepPid)).toBe(true);
  });

  test('with a handler of its own (serve, reconcile --watch) gaia stops in its own time; its commands end when it exits', async () => {
    const { child, exited, sleepPid } = await start(true);
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await gone(sleepPid)).toBe(true);
  });
});
