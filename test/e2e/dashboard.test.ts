/** End to end: the built CLI applies the quickstart example in a temporary repository (tmux on a
 *  private socket), `gaia serve` serves it, headless Chromium (Debian's, driven by playwright-core)
 *  shows environments and sessions, and a session killed outside gaia shows down within seconds,
 *  without a reload. Needs `npm run build` first (`npm test` does it). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { tempRepo, type TempRepo } from '../helpers/git.js';
import { privateTmux, type PrivateTmux } from '../helpers/tmux.js';

const CHROMIUM = '/usr/bin/chromium';
// This machine has no network: without these chromium waits on network services it cannot reach.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'gaia');
const BUNDLE = path.join(ROOT, 'dist', 'gaia.cjs');
const OUTPUT = path.join(ROOT, 'test-output');
const run = promisify(execFile);

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  console.warn(`Skipping the dashboard browser test: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it). In CI it must run.`);
}
const suite = haveChromium || process.env.CI ? describe : describe.skip;

/** Newest modification time of the sources the bundle is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Start `gaia serve --port 0` and resolve with the URL it prints. */
function serve(cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(BIN, ['serve', '-f', 'quickstart.yaml', '--port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let errText = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (errText += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gaia serve printed no URL in 15 s:\n${out}${errText}`)), 15_000);
    child.stdout!.on('data', () => {
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output: () => out + errText });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gaia serve exited with ${code}:\n${out}${errText}`));
    });
  });
}

/** The quickstart with its shell sessions read as agents (idle at the line they print first, working
 *  once "busy" shows), and that line carrying markup, which the page must show as text. */
const MARKUP = '<img src=x onerror=alert(1)>';
function asAgents(quickstart: string): string {
  const shell = `    command: ["bash", "-c", "echo \\"$GAIA_SESSION ready in $PWD\\"; exec bash"]\n    costPerMonth: 0\n`;
  if (!quickstart.includes(shell)) throw new Error('examples/quickstart.yaml changed: update asAgents in this test');
  return quickstart.replace(shell, `    command: ["bash", "-c", "echo \\"${MARKUP} $GAIA_SESSION ready in $PWD\\"; exec bash"]\n    costPerMonth: 0\n    agent: { patterns: { idle: "ready in", working: "busy" } }\n`);
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

suite('dashboard in a real browser', () => {
  let repo: TempRepo;
  let tmux: PrivateTmux;
  let env: NodeJS.ProcessEnv;
  let server: { child: ChildProcess; url: string; output: () => string } | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing; CI must install it (.ci/run: apt-get install chromium)`);
    if (!fs.existsSync(BUNDLE)) throw new Error('dist/gaia.cjs is missing: run `npm run build` first (npm test does)');
    if (fs.statSync(BUNDLE).mtimeMs < newestSource(path.join(ROOT, 'src'))) {
      throw new Error('dist/gaia.cjs is older than src/: run `npm run build` first (npm test does)');
    }
    repo = tempRepo('gaia-e2e-dashboard-');
    tmux = privateTmux();
    env = { ...process.env, GAIA_TMUX_SOCKET: tmux.socket, NO_COLOR: '1' };
    delete env.GAIA_TOKEN;
    fs.writeFileSync(path.join(repo.root, 'quickstart.yaml'), asAgents(fs.readFileSync(path.join(ROOT, 'examples', 'quickstart.yaml'), 'utf8')));
    fs.cpSync(path.join(ROOT, 'examples', 'db'), path.join(repo.root, 'db'), { recursive: true });
    repo.write('.gitignore', 'envs/\n.gaia/\n');
    repo.git(['add', '-A']);
    repo.git(['commit', '-q', '-m', 'quickstart project']);
    await run(BIN, ['apply', '-f', 'quickstart.yaml', '--auto-approve'], { cwd: repo.root, env });
    server = await serve(repo.root, env);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await exited(server.child);
    }
    await tmux?.kill();
    repo?.cleanup();
  });

  test('shows environments with stages, and every session up', async () => {
    await page.goto(server!.url);
    await page.waitForSelector('[data-session="qs_review1"][data-state="up"]', { timeout: 10_000 });
    expect(await page.locator('[data-env]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.env))).toEqual(['qs1', 'qs2']);
    const stage = page.locator('[data-stage="qs1.dev"]');
    await expect(stage.textContent()).resolves.toMatch(/dev\.db.*1\/1.*180\d\d/s);
    const states = await page.locator('[data-session]').evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.session}:${(e as HTMLElement).dataset.state}`));
    expect(states.sort()).toEqual(['qs1_worker:up', 'qs2_worker:up', 'qs_review1:up', 'qs_review2:up']);
    await page.waitForSelector('#plan .nochange', { timeout: 10_000 });
    await expect(page.locator('#verdict').textContent()).resolves.toBe('healthy');
  });

  test('shows each agent\'s state, and the evidence for it on request, as text', async () => {
    const row = page.locator('[data-session="qs_review1"]');
    await page.waitForSelector('[data-session="qs_review1"][data-agent-state="idle"]', { timeout: 10_000 });
    const state = row.locator('td.agent .badge');
    await expect(state.textContent()).resolves.toMatch(/^idle \d+[smh]/);
    await expect(state.getAttribute('title')).resolves.toBe(`at its prompt: ${MARKUP} qs_review1 ready in ${repo.root}`);
    await expect(page.locator('#totals .agents').textContent()).resolves.toMatch(/agents: 4 idle/);
    // The evidence: folded under its reason, opened by a click, and still open after the next redraw.
    const evidence = row.locator('details.evidence');
    await expect(evidence.locator('summary').textContent()).resolves.toContain(`${MARKUP} qs_review1 ready in`);
    await evidence.locator('summary').click();
    const text = (await evidence.locator('ul').textContent()) ?? '';
    expect(text).toContain('matched its idle pattern /ready in/ on ');
    expect(text).toContain(`${MARKUP} qs_review1 ready in ${repo.root}`);
    expect(text).toMatch(/screen changed .* ago|screen changed not known/);
    expect(text).toContain('running bash');
    const refreshed = await page.locator('body').getAttribute('data-refreshed');
    await page.waitForFunction((before) => document.body.dataset.refreshed !== before, refreshed, { timeout: 10_000 });
    await expect(row.locator('details.evidence').getAttribute('open')).resolves.toBe('');
    // Markup from a pane is text: no element was made from it anywhere on the page.
    expect(await page.locator('img').count()).toBe(0);
    // A change on the screen is seen without a reload.
    await tmux.run(['send-keys', '-t', '=qs_review2:', 'echo busy', 'Enter']);
    await page.waitForSelector('[data-session="qs_review2"][data-agent-state="working"]', { timeout: 10_000 });
    await expect(page.locator('[data-session="qs_review2"] td.agent .badge').textContent()).resolves.toMatch(/^working /);
    await expect(page.locator('#totals .agents').textContent()).resolves.toMatch(/1 working 3 idle/);
  });

  test('shows where each thing is: an environment and a session on a host, unknown while it does not answer', async () => {
    // The page as it draws what `gaia status --json` says of hosts (test/e2e/hosts.test.ts gets that
    // JSON over real ssh): this server's own answer, with qs2 and its worker placed on a host that is down.
    const other = await browser!.newPage();
    other.on('pageerror', (e) => pageErrors.push(String(e)));
    await other.route('**/api/multi-env/status', async (route) => {
      const real = (await (await route.fetch()).json()) as { environments: { name: string }[]; groups: { sessions: { name: string }[] }[]; hosts: unknown[] };
      const why = 'host gpu1 cannot be reached: Connection refused';
      for (const e of real.environments) if (e.name === 'qs2') Object.assign(e, { host: 'gpu1', unknown: why });
      for (const x of real.groups.flatMap((g) => g.sessions)) if (x.name === 'qs2_worker') Object.assign(x, { host: 'gpu1', unknown: why, state: 'down' });
      real.hosts = [{ name: 'gpu1', reach: 'dev@gpu1.internal', unreachable: 'Connection refused' }];
      await route.fulfill({ json: real });
    });
    try {
      await other.goto(server!.url);
      await other.waitForSelector('[data-session="qs2_worker"][data-state="unknown"]', { timeout: 10_000 });
      await expect(other.locator('[data-env="qs2"] h3').textContent()).resolves.toBe('qs2 gpu1:envs/qs2');
      await expect(other.locator('[data-env="qs2"] .badge').textContent()).resolves.toBe('unknown');
      await expect(other.locator('[data-session="qs2_worker"] th').textContent()).resolves.toBe('qs2_worker on gpu1');
      await expect(other.locator('[data-session="qs1_worker"] th').textContent()).resolves.toBe('qs1_worker');
      await expect(other.locator('#totals .hosts').textContent()).resolves.toBe(' \u00b7 hosts: gpu1 unreachable');
      await expect(other.locator('#totals .hosts .badge').getAttribute('title')).resolves.toBe('dev@gpu1.internal: Connection refused');
    } finally {
      await other.close();
    }
  });

  test('a session killed outside gaia shows down within a few seconds, without a reload', async () => {
    const loads: number[] = [];
    page.on('load', () => loads.push(Date.now()));
    const killed = Date.now();
    await tmux.run(['kill-session', '-t', '=qs_review1']);
    await page.waitForSelector('[data-session="qs_review1"][data-state="down"]', { timeout: 6_000 });
    const seconds = (Date.now() - killed) / 1000;
    expect(seconds).toBeLessThan(6);
    await page.waitForSelector('[data-address="tmux_session.qs_review1"][data-action="create"]', { timeout: 6_000 });
    await expect(page.locator('#verdict').textContent()).resolves.toBe('degraded');
    await expect(page.locator('[data-session="qs_review2"]').getAttribute('data-state')).resolves.toBe('up');
    expect(loads).toEqual([]);
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    console.log(`dashboard showed the killed session down after ${seconds.toFixed(1)} s; screenshot: test-output/dashboard.png`);
  });

  test('gaia serve stops cleanly on SIGTERM', async () => {
    server!.child.kill('SIGTERM');
    await expect(exited(server!.child)).resolves.toBe(0);
    expect(server!.output()).toMatch(/SIGTERM: stopped\./);
  });
});
