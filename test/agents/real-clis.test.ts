/** The real claude, codex and gemini CLIs (pinned in scripts/install-agent-clis.sh, found through
 *  GAIA_AGENT_CLIS), started by the built gaia CLI on a private tmux socket, each in a temporary
 *  HOME of its own and pointed at the fake vendor APIs of fake-vendors.ts on 127.0.0.1:
 *  1. a first start in a fresh HOME meets each CLI's first-run dialog: status says waiting, and for what;
 *  2. with the HOMEs set up for unattended use (folder trusted, key approved), each reaches its prompt
 *     (idle), takes a text from `gaia send` and streams the fake's reply, works slowly (working), and
 *     asks before running a tool (waiting) where the fake can make it ask; claude's hooks and codex's
 *     notify program, set up by gaia per session, then tell the state themselves.
 *  Run by `npm run test:agents`, not by `npm test`. GAIA_UPDATE_AGENT_FIXTURES=1 writes every screen
 *  met to test/fixtures/agents/real/<cli>/ (the fast suite checks the classifier on them). */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { testProject, type TestProject } from '../helpers/cli.js';
import type { StatusReport } from '../../src/ops/status-model.js';
import type { AgentReading } from '../../src/agents/state.js';
import { startFakeVendor, type FakeVendor } from './fake-vendors.js';

const CLIS = process.env.GAIA_AGENT_CLIS;
const bin = (name: string) => path.join(CLIS ?? '', 'node_modules', '.bin', name);
const UPDATE = process.env.GAIA_UPDATE_AGENT_FIXTURES === '1';
/** GAIA_AGENT_EVIDENCE=FILE appends what the resume tests saw, as JSON lines (for the issue's closing note). */
const evidence = (what: string, value: unknown) => {
  if (process.env.GAIA_AGENT_EVIDENCE) fs.appendFileSync(process.env.GAIA_AGENT_EVIDENCE, `${JSON.stringify({ what, value })}\n`);
};
const FIXTURES = path.resolve('test/fixtures/agents/real');

/** Live processes whose HOME is under `root` (the test's CLIs and whatever they started). */
function processesUnder(root: string): { readonly pid: number; readonly cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /s, '')[0] === 'Z') continue;
      const env = fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
      if (env.some((e) => e === `HOME=${root}` || e.startsWith(`HOME=${root}/`))) out.push({ pid: Number(d), cmd: fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120) });
    } catch {
      /* ended meanwhile, or not ours to read */
    }
  }
  return out;
}

/** Each CLI's live processes under one setup's HOMEs (`<base>/<cli>`). */
const leftOf = (base: string): Record<string, readonly { readonly pid: number; readonly cmd: string }[]> =>
  Object.fromEntries((['claude', 'codex', 'gemini'] as const).map((c) => [c, processesUnder(path.join(base, c))]));

/** 'delivered' for each send that exited 0, else what it printed and the pane's last lines. */
const sent = (results: readonly { code: number; stdout: string; stderr: string }[], screens: readonly string[]) =>
  results.map((r, i) => (r.code === 0 ? 'delivered' : `${r.stdout}${r.stderr}`.trim() + '\n' + (screens[i] ?? '').split('\n').filter((l) => l.trim()).slice(-8).join('\n')));
/** Exit 0; on failure the message shows what gaia printed. */
const succeeded = (r: { code: number; stdout: string; stderr: string }) => expect({ code: r.code, output: `${r.stdout}${r.stderr}` }).toMatchObject({ code: 0 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Cli = 'claude' | 'codex' | 'gemini';
const SESSION: Record<Cli, string> = { claude: 'c1', codex: 'x1', gemini: 'g1' };
const ALL: readonly Cli[] = ['claude', 'codex', 'gemini'];
const CLAUDE_KEY = 'sk-ant-fake-key-for-gaia-tests-0001';
/** The applies here wait out the agents' real start grace (the fast suite turns it off): a real CLI
 *  that starts well must not be taken for one that failed. */
const REAL_GRACE = { GAIA_AGENT_START_GRACE: '' };

/** One HOME per CLI, the CLI's configuration pointing at the fake. `unattended`: what
 *  examples/agents.yaml tells a person to set up once, so the CLI starts straight at its prompt. */
function makeHomes(base: string, vendor: FakeVendor, project: string, unattended: boolean): Record<Cli, string> {
  // A folder per setup: what a CLI left running from the last one (codex's app-server daemon) keeps its own.
  const root = path.join(base, unattended ? 'unattended' : 'fresh');
  const homes = { claude: path.join(root, 'claude'), codex: path.join(root, 'codex'), gemini: path.join(root, 'gemini') };
  for (const h of Object.values(homes)) {
    fs.rmSync(h, { recursive: true, force: true });
    fs.mkdirSync(h, { recursive: true });
  }
  // claude: its onboarding checks the network before anything, so it is always marked done.
  fs.writeFileSync(path.join(homes.claude, '.claude.json'), JSON.stringify({
    hasCompletedOnboarding: true, theme: 'dark',
    ...(unattended ? { customApiKeyResponses: { approved: [CLAUDE_KEY.slice(-20)], rejected: [] }, projects: { [project]: { hasTrustDialogAccepted: true } } } : {}),
  }));
  fs.mkdirSync(path.join(homes.codex, '.codex'));
  fs.writeFileSync(path.join(homes.codex, '.codex', 'config.toml'), [
    'model = "gpt-6.1-sol"', 'model_provider = "fake"', 'check_for_update_on_startup = false', '',
    '[model_providers.fake]', 'name = "fake"', `base_url = "${vendor.url}/v1"`, 'env_key = "OPENAI_API_KEY"', 'wire_api = "responses"',
    ...(unattended ? ['', `[projects."${project}"]`, 'trust_level = "trusted"'] : []), '',
  ].join('\n'));
  if (unattended) {
    fs.mkdirSync(path.join(homes.gemini, '.gemini'));
    fs.writeFileSync(path.join(homes.gemini, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
    fs.writeFileSync(path.join(homes.gemini, '.gemini', 'trustedFolders.json'), JSON.stringify({ [project]: 'TRUST_FOLDER' }));
  }
  return homes;
}

/** Each CLI started and resumed as examples/agents.yaml says: claude and gemini take gaia's
 *  identifier at start; codex picks its own, which gaia learns from its rollout files. */
const manifest = (homes: Record<Cli, string>, vendor: FakeVendor) => `
version: 1
project: realclis
providers:
  claude:
    start: [${bin('claude')}, --session-id, "{conversation}"]
    resume: [${bin('claude')}, --resume, "{conversation}"]
    agent: true
    vars: { HOME: "${homes.claude}", ANTHROPIC_API_KEY: "${CLAUDE_KEY}", ANTHROPIC_BASE_URL: "${vendor.url}", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", DISABLE_AUTOUPDATER: "1" }
  codex:
    start: [${bin('codex')}]
    resume: [${bin('codex')}, resume, "{conversation}"]
    agent: true
    vars: { HOME: "${homes.codex}", CODEX_HOME: "${homes.codex}/.codex", OPENAI_API_KEY: "sk-fake-openai" }
  gemini:
    start: [${bin('gemini')}, --session-id, "{conversation}"]
    resume: [${bin('gemini')}, --resume, "{conversation}"]
    agent: true
    vars: { HOME: "${homes.gemini}", GEMINI_API_KEY: "fake-gemini-key", GOOGLE_GEMINI_BASE_URL: "${vendor.url}", GEMINI_CLI_NO_RELAUNCH: "true" }
groups:
  agents:
    names: [${ALL.map((c) => SESSION[c]).join(', ')}]
    provider: [${ALL.join(', ')}]
`;

/** Files under `dir` (recursively) whose name passes `ok`. */
const filesUnder = (dir: string, ok: (name: string) => boolean): string[] =>
  fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => ok(path.basename(f))).map((f) => path.join(dir, f)) : [];

/** The conversation each CLI keeps under `id` in its own store, as its path; undefined if none. */
function storedBy(cli: Cli, home: string, project: string, id: string): string | undefined {
  switch (cli) {
    case 'claude':
      return filesUnder(path.join(home, '.claude', 'projects', project.replace(/[^a-zA-Z0-9]/g, '-')), (f) => f === `${id}.jsonl`)[0];
    case 'codex':
      return filesUnder(path.join(home, '.codex', 'sessions'), (f) => f.startsWith('rollout-') && f.endsWith(`-${id}.jsonl`))[0];
    case 'gemini':
      return filesUnder(path.join(home, '.gemini', 'tmp'), (f) => f.startsWith('session-') && f.includes(id.slice(0, 8)))
        .find((f) => fs.readFileSync(f, 'utf8').includes(`"sessionId":"${id}"`));
  }
}

(CLIS ? describe : describe.skip)('the real agent CLIs', () => {
  let vendor: FakeVendor;
  let p: TestProject;
  let root: string;
  let project: string;

  const readings = async (): Promise<Record<string, AgentReading | undefined>> => {
    const r = await p.gaia(['status', '--json']);
    const report = JSON.parse(r.stdout) as StatusReport;
    return Object.fromEntries(report.groups.flatMap((g) => g.sessions.map((s) => [s.name, s.agent])));
  };
  /** Poll status until every named session satisfies `ok`; the last readings either way. */
  const settle = async (ok: (cli: Cli, a: AgentReading | undefined) => boolean, clis: readonly Cli[], timeoutMs = 40_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await readings();
      if (clis.every((c) => ok(c, r[SESSION[c]])) || Date.now() > deadline) return r;
      await sleep(500);
    }
  };
  const screen = (cli: Cli) => p.tmux(['capture-pane', '-p', '-t', `=${SESSION[cli]}:`]);
  const keep = (cli: Cli, name: string) => {
    if (!UPDATE) return;
    fs.mkdirSync(path.join(FIXTURES, cli), { recursive: true });
    fs.writeFileSync(path.join(FIXTURES, cli, `${name}.txt`), screen(cli));
  };
  /** Each CLI's state; a reading that is not `want` comes with its reason and the screen's last lines. */
  const state = (r: Record<string, AgentReading | undefined>, want: string) => Object.fromEntries(ALL.map((c) => {
    const a = r[SESSION[c]];
    return [c, a?.state === want ? want : `${a?.state}: ${a?.reason}\n${screen(c).split('\n').filter((l) => l.trim()).slice(-8).join('\n')}`];
  }));

  beforeAll(async () => {
    vendor = await startFakeVendor();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-real-agents-'));
    // The project is made first (its folder is what the CLIs are asked to trust), then its manifest written.
    p = testProject('version: 1\nproject: realclis\n');
    project = fs.realpathSync(p.root);
  });
  afterAll(async () => {
    await p?.gaia(['destroy', '--auto-approve']);
    p?.cleanup();
    // Only after a failed test is anything left (the tests assert that destroy leaves nothing): end it
    // by pid so the suite leaks nothing.
    for (const { pid } of processesUnder(root)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    await vendor?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads each CLI\'s first-run dialog in a fresh HOME as waiting, and says for what', async () => {
    p.write('orchestration.yaml', manifest(makeHomes(root, vendor, project, false), vendor));
    succeeded(await p.gaia(['apply', '--auto-approve'], REAL_GRACE));
    const r = await settle((_c, a) => a?.state === 'waiting', ALL);
    for (const c of ALL) keep(c, 'trust-folder');
    // gemini asks how to sign in and whether to trust the folder, in either order.
    const gemini = r[SESSION.gemini]?.waitingFor === 'sign-in' ? 'sign-in' : 'trust this folder';
    expect(Object.fromEntries(ALL.map((c) => [c, [r[SESSION[c]]?.state, r[SESSION[c]]?.waitingFor]]))).toEqual({
      claude: ['waiting', 'trust this folder'], codex: ['waiting', 'trust this folder'], gemini: ['waiting', gemini],
    });
    // gaia send answers no dialog: nothing is pasted, with or without Enter, and it says why.
    const refused = await Promise.all(ALL.map((c) => p.gaia(['send', SESSION[c], 'hello', ...(c === 'codex' ? ['--no-enter'] : [])])));
    expect(refused.map((x) => x.code)).toEqual([1, 1, 1]);
    for (const [i, c] of ALL.entries()) expect(refused[i]!.stdout).toContain(`${SESSION[c]} is waiting for you (${r[SESSION[c]]?.waitingFor}); nothing was sent`);
    for (const c of ALL) expect(screen(c)).not.toContain('hello');
    succeeded(await p.gaia(['destroy', '--auto-approve']));
    expect(leftOf(path.join(root, 'fresh'))).toEqual({ claude: [], codex: [], gemini: [] });
  }, 90_000);

  describe('set up for unattended use', () => {
    let homes: Record<Cli, string>;
    /** The conversation gaia recorded for each CLI's session (undefined: none, or not learned yet). */
    const recorded = (): Record<Cli, string | undefined> => {
      const db = new Database(path.join(p.root, '.gaia/state.db'), { readonly: true });
      try {
        const rows = db.prepare('SELECT address, conversation_id FROM agent_conversations').all() as { address: string; conversation_id: string | null }[];
        return Object.fromEntries(ALL.map((c) => [c, rows.find((r) => r.address === `tmux_session.${SESSION[c]}`)?.conversation_id ?? undefined])) as Record<Cli, string | undefined>;
      } finally {
        db.close();
      }
    };
    const startCommand = (c: Cli) => p.tmux(['display-message', '-p', '-t', `=${SESSION[c]}:`, '#{pane_start_command}']).trim();
    /** After kill-server: apply, each CLI's line of its outcome, and every CLI back at its prompt. */
    const restart = async () => {
      p.tmux(['kill-server']);
      const r = await p.gaia(['apply', '--auto-approve'], REAL_GRACE);
      succeeded(r);
      const lines = Object.fromEntries(ALL.map((c) => [c, r.stdout.split('\n').find((l) => l.startsWith(`tmux_session.${SESSION[c]}: created`) || l.startsWith(`tmux_session.${SESSION[c]}: failed`)) ?? r.stdout]));
      await settle((_c, a) => a?.state === 'idle', ALL, 60_000);
      await sleep(6000); // gemini reads input some seconds after drawing its prompt
      const states = await settle((_c, a) => a?.state === 'idle', ALL);
      expect(state(states, 'idle')).toEqual({ claude: 'idle', codex: 'idle', gemini: 'idle' });
      return lines;
    };

    beforeAll(async () => {
      homes = makeHomes(root, vendor, project, true);
      p.write('orchestration.yaml', manifest(homes, vendor));
      succeeded(await p.gaia(['apply', '--auto-approve'], REAL_GRACE));
    }, 60_000);

    it('reaches each CLI\'s prompt: idle', async () => {
      await settle((_c, a) => a?.state === 'idle', ALL);
      // gemini 0.61 draws its prompt some seconds before it reads input (a text sent in between is
      // lost, or its Enter is): idle is taken after it stayed so for 6 s.
      await sleep(6000);
      const r = await settle((_c, a) => a?.state === 'idle', ALL);
      for (const c of ALL) keep(c, 'idle');
      expect(state(r, 'idle')).toEqual({ claude: 'idle', codex: 'idle', gemini: 'idle' });
    }, 60_000);

    it('delivers a text with gaia send and shows the fake\'s streamed reply', async () => {
      const sends = await Promise.all(ALL.map((c) => p.gaia(['send', SESSION[c], 'say hello'])));
      expect(sent(sends, ALL.map(screen))).toEqual(ALL.map(() => 'delivered'));
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !ALL.every((c) => screen(c).includes('Hello from the fake API.'))) await sleep(300);
      for (const c of ALL) expect(screen(c)).toContain('Hello from the fake API.');
      const r = await settle((_c, a) => a?.state === 'idle', ALL);
      for (const c of ALL) keep(c, 'idle-after-reply');
      expect(state(r, 'idle')).toEqual({ claude: 'idle', codex: 'idle', gemini: 'idle' });
    }, 60_000);

    it('hears from claude and codex themselves after the reply: the hook (codex: notify) decides, with the conversation id', async () => {
      const hooked: readonly Cli[] = ['claude', 'codex'];
      const r = await settle((c, a) => a?.state === 'idle' && (c === 'gemini' || a.evidence.source === 'hook'), ALL, 20_000);
      const told = (c: Cli) => {
        const a = r[SESSION[c]];
        return a?.evidence.source === 'hook' ? [a.state, a.evidence.event?.kind, typeof a.evidence.event?.sessionId] : `${a?.state} by ${a?.evidence.source}: ${a?.reason}; event ${JSON.stringify(a?.evidence.event)}`;
      };
      expect(Object.fromEntries(hooked.map((c) => [c, told(c)]))).toEqual({ claude: ['idle', 'Stop', 'string'], codex: ['idle', 'agent-turn-complete', 'string'] });
      // gemini 0.61 takes per-run hooks only from root-owned settings files: its screen decides.
      expect([r[SESSION.gemini]?.evidence.source, r[SESSION.gemini]?.evidence.event]).toEqual(['screen', undefined]);
      // Set up per session under the project's .gaia/, none of it in the CLIs' own configuration.
      for (const f of ['claude-settings.json', 'event']) expect(fs.existsSync(path.join(project, '.gaia', 'agents', SESSION.claude, f))).toBe(true);
      expect(fs.existsSync(path.join(homes.claude, '.claude', 'settings.json'))).toBe(false);
      expect(fs.readFileSync(path.join(homes.codex, '.codex', 'config.toml'), 'utf8')).not.toContain('notify');
    }, 30_000);

    it('reads a CLI that works slowly as working', async () => {
      expect(sent(await Promise.all(ALL.map((c) => p.gaia(['send', SESSION[c], 'WORK-SLOWLY please']))), ALL.map(screen))).toEqual(ALL.map(() => 'delivered'));
      const r = await settle((_c, a) => a?.state === 'working', ALL, 3000);
      for (const c of ALL) keep(c, 'working');
      expect(state(r, 'working')).toEqual({ claude: 'working', codex: 'working', gemini: 'working' });
      await settle((_c, a) => a?.state === 'idle', ALL);
    }, 60_000);

    it('reads a permission prompt as waiting (codex asks when the command wants to leave its sandbox)', async () => {
      const asking: readonly Cli[] = ['claude', 'gemini', 'codex'];
      expect(sent(await Promise.all(asking.map((c) => p.gaia(['send', SESSION[c], `RUN-TOOL touch made-by-${c}`]))), asking.map(screen))).toEqual(asking.map(() => 'delivered'));
      const r = await settle((_c, a) => a?.state === 'waiting', asking);
      keep('claude', 'permission-bash');
      keep('gemini', 'permission-shell');
      keep('codex', 'permission-exec');
      expect(asking.map((c) => r[SESSION[c]]?.state)).toEqual(['waiting', 'waiting', 'waiting']);
      // claude says so itself (Notification: permission_prompt), soon after it draws the prompt.
      const told = await settle((c, a) => c !== 'claude' || a?.evidence.source === 'hook', ['claude'], 15_000);
      expect([told[SESSION.claude]?.state, told[SESSION.claude]?.evidence.source, told[SESSION.claude]?.evidence.event?.kind]).toEqual(['waiting', 'hook', 'Notification']);
      for (const c of asking) expect(fs.existsSync(path.join(project, `made-by-${c}`))).toBe(false);
    }, 60_000);

    it('resumes each CLI\'s conversation after tmux kill-server when it got a message: the one the CLI keeps is the one gaia recorded', async () => {
      // Every CLI got messages above. codex picked its own identifier: gaia learns it on this restart.
      const before = recorded();
      expect([before.claude, before.codex, before.gemini].map((x) => x !== undefined)).toEqual([true, false, true]);
      const lines = await restart();
      const ids = recorded();
      for (const c of ALL) {
        expect(ids[c]).toMatch(/^[0-9a-f-]{36}$/);
        // codex picks its own id: gaia learns it from its notify events (asked first) or its rollout files.
        if (c === 'codex') expect(lines[c]).toBe(`tmux_session.${SESSION[c]}: created (resumed conversation ${ids[c]} (learned from the agent's own events))`);
        else expect(lines[c]).toBe(`tmux_session.${SESSION[c]}: created (resumed conversation ${ids[c]})`);
        expect(startCommand(c)).toContain(ids[c]);
        expect(storedBy(c, homes[c], project, ids[c]!)).toBeDefined();
      }
      evidence('resume with a message', ALL.map((c) => ({ cli: c, recordedBefore: before[c] ?? null, outcome: lines[c], paneStartCommand: startCommand(c), cliStore: storedBy(c, homes[c], project, ids[c]!) })));
      expect(ids.claude).toBe(before.claude);
      expect(ids.gemini).toBe(before.gemini);
      for (const c of ALL) keep(c, 'resumed');
      // The same conversation continues: its earlier reply is on the screen, and the next message lands in the same stored conversation.
      for (const c of ALL) expect(screen(c)).toContain('Hello from the fake API.');
      expect(sent(await Promise.all(ALL.map((c) => p.gaia(['send', SESSION[c], 'say hello after resume']))), ALL.map(screen))).toEqual(ALL.map(() => 'delivered'));
      const deadline = Date.now() + 30_000;
      const continued = () => ALL.filter((c) => fs.readFileSync(storedBy(c, homes[c], project, ids[c]!)!, 'utf8').includes('say hello after resume'));
      while (Date.now() < deadline && continued().length < ALL.length) await sleep(500);
      expect(continued()).toEqual(ALL);
      evidence('next message lands in the same stored conversation', continued());
      await settle((_c, a) => a?.state === 'idle', ALL);
    }, 180_000);

    it('destroy + apply starts every CLI fresh: nothing is resumed', async () => {
      const old = recorded();
      succeeded(await p.gaia(['destroy', '--auto-approve']));
      expect(recorded()).toEqual({ claude: undefined, codex: undefined, gemini: undefined });
      const r = await p.gaia(['apply', '--auto-approve'], REAL_GRACE);
      succeeded(r);
      expect(r.stdout).not.toContain('resumed');
      const ids = recorded();
      expect(r.stdout).toContain(`tmux_session.${SESSION.claude}: created (started conversation ${ids.claude})`);
      expect(r.stdout).toContain(`tmux_session.${SESSION.gemini}: created (started conversation ${ids.gemini})`);
      expect(r.stdout).toContain(`tmux_session.${SESSION.codex}: created (started a new conversation`);
      expect([ids.claude === old.claude, ids.gemini === old.gemini, ids.codex]).toEqual([false, false, undefined]);
      evidence('destroy + apply', { before: old, after: ids, outcome: r.stdout.split('\n').filter((l) => l.includes(': created')) });
      const states = await settle((_c, a) => a?.state === 'idle', ALL, 60_000);
      expect(state(states, 'idle')).toEqual({ claude: 'idle', codex: 'idle', gemini: 'idle' });
    }, 120_000);

    it('after tmux kill-server without a message, each CLI starts fresh and says why; no crash, and the next apply has nothing to do', async () => {
      const before = recorded();
      // None got a message: claude keeps no file for its id, and codex no rollout (so no id was learned).
      expect([storedBy('claude', homes.claude, project, before.claude!), before.codex]).toEqual([undefined, undefined]);
      const lines = await restart();
      const ids = recorded();
      expect(lines).toEqual({
        claude: `tmux_session.${SESSION.claude}: created (started conversation ${ids.claude}; conversation ${before.claude} was not resumed: claude keeps no record of it (it never got a message))`,
        codex: `tmux_session.${SESSION.codex}: created (started a new conversation (the CLI picks its identifier; gaia learns it from the CLI's session files); codex kept no conversation since its last start (it never got a message))`,
        gemini: `tmux_session.${SESSION.gemini}: created (started conversation ${ids.gemini}; conversation ${before.gemini} was not resumed: gemini keeps no record of it (it never got a message))`,
      });
      for (const c of ALL) keep(c, 'fresh-after-restart');
      evidence('resume without a message', { outcome: lines, states: Object.fromEntries(ALL.map((c) => [c, startCommand(c)])) });
      const plan = await p.gaia(['plan']);
      expect(plan.stdout).toContain('No changes.');
    }, 180_000);

    it('gaia destroy ends each CLI\'s whole program (children and daemons included) and says so', async () => {
      const running = leftOf(path.join(root, 'unattended'));
      for (const c of ALL) expect(running[c]!.length).toBeGreaterThan(0);
      const r = await p.gaia(['destroy', '--auto-approve']);
      succeeded(r);
      for (const c of ALL) expect(r.stdout).toMatch(new RegExp(`tmux_session\\.${SESSION[c]}: destroyed \\(ended \\d+ process`));
      console.log(`processes running before destroy, and what destroy said: ${ALL.map((c) => `${c}: ${running[c]!.length} (${running[c]!.map((x) => x.cmd.split(' ')[0]!.split('/').pop()).join(', ')})`).join('; ')}\n${r.stdout.split('\n').filter((l) => l.includes('destroyed')).join('\n')}`);
      expect(leftOf(path.join(root, 'unattended'))).toEqual({ claude: [], codex: [], gemini: [] });
    }, 60_000);
  });

  describe('offline', () => it('reports claude that cannot reach its API on first start as failed, with its exit status and last screen lines', async () => {
    // A HOME without onboarding done: claude first checks the network, and gives up after seconds.
    const home = path.join(root, 'offline', 'claude');
    fs.mkdirSync(home, { recursive: true });
    p.write('orchestration.yaml', `
version: 1
project: realclis
providers:
  claude:
    command: [${bin('claude')}]
    agent: true
    vars: { HOME: "${home}", ANTHROPIC_API_KEY: "${CLAUDE_KEY}", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", DISABLE_AUTOUPDATER: "1" }
groups:
  agents: { names: [c1], provider: claude }
  # Something that starts, so the store records it (a store that records nothing while a failed
  # session carries the project's marks is taken for a lost store by the next command).
  steady: { names: [s1], command: [sleep, '600'] }
`);
    const r = await p.gaia(['apply', '--auto-approve'], REAL_GRACE);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/tmux_session\.c1: failed: its program did not start: exited 1 within 6000 ms; its last output: .*anthropic\.com/);
    // The summary carries the pane's last lines.
    expect(r.stdout).toMatch(/stderr: [^]*Unable to connect to Anthropic services/);
    expect(r.stdout).not.toContain('c1: created');
    const d = await p.gaia(['destroy', '--auto-approve']);
    expect(`${d.code} ${d.stdout}${d.stderr}`).toMatch(/^0 /);
  }, 60_000));
});
