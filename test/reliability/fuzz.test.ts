/** Hostile manifests: thousands of random and mutated documents through the loader (and the pure planner
 *  and renderers when one turns out valid), a few hundred through the CLI's validate path in-process, and a
 *  few dozen through the real CLI's plan. Every case must end in a valid model or located errors with
 *  exit 1 — never an exception, an "internal error" or a stack trace. bench/reliability.mjs runs it at a
 *  larger scale and also holds each case to a time bound (GAIA_FUZZ_TIME_BOUND_MS): a bound on the
 *  clock belongs to the benchmark, where the machine is quiet, not to every `npm test`. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { loadManifestText, type LoadResult } from '../../src/manifest/load.js';
import { plan } from '../../src/core/planner.js';
import { kindSpecs } from '../../src/providers/registry.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanTerminal } from '../../src/render/plan-terminal.js';
import { main } from '../../src/cli/main.js';
import { GAIA_BIN } from '../helpers/cli.js';
import { tempRepo } from '../helpers/git.js';
import { mutateManifest, pathologicalCases, randomYaml, type FuzzCase, type Rand } from './fuzz-gen.js';
import { prng, report, scaled, seedFromEnv } from './support.js';
import { testDigests } from '../helpers/digests.js';

/** Per case, when the benchmark asks for it (0: none; jest's timeout still catches a hang). */
const TIME_BOUND_MS = scaled('GAIA_FUZZ_TIME_BOUND_MS', 0);
const tooSlow = (c: FuzzCase, ms: number, slack = 0): boolean => TIME_BOUND_MS > 0 && ms > (c.boundMs ?? TIME_BOUND_MS) + slack;
const SEED = seedFromEnv(8_0004);
const STACK = /\n\s+at .+:\d+:\d+/;

/** The real manifests, and the bad-manifest fixtures, as seeds; each keeps its own path so relative
 *  migration folders resolve as they would for a user. */
function seeds(): { file: string; text: string }[] {
  const files = ['orchestration.yaml', 'examples/quickstart.yaml', 'examples/agents.yaml', 'examples/gitops/orchestration.yaml'];
  const bad = readdirSync('test/fixtures/bad-manifests').filter((f) => f.endsWith('.yaml')).map((f) => `test/fixtures/bad-manifests/${f}`);
  return [...files, ...bad].map((f) => ({ file: path.resolve(f), text: readFileSync(f, 'utf8') }));
}

interface Generated extends FuzzCase {
  readonly file: string;
}

function generate(n: number, r: Rand): Generated[] {
  const bases = seeds();
  const scratch = path.join(os.tmpdir(), 'gaia-fuzz-nowhere', 'orchestration.yaml');
  const out: Generated[] = pathologicalCases().map((c) => ({ ...c, file: scratch }));
  for (let i = out.length; i < n; i++) {
    if (r() < 0.2) {
      out.push({ name: `random #${i}`, text: randomYaml(r), file: scratch });
    } else {
      // The reference manifest and the examples more often than the small bad fixtures.
      const base = r() < 0.6 ? bases[Math.floor(r() * 4)]! : bases[Math.floor(r() * bases.length)]!;
      const m = mutateManifest(base.text, r);
      out.push({ name: `${path.basename(base.file)} #${i} [${m.ops.join(',')}]`, text: m.text, file: base.file });
    }
  }
  return out;
}

/** What is wrong with one in-process outcome, if anything. */
function judge(c: Generated, outcome: { result?: LoadResult; thrown?: unknown; ms: number }): string | undefined {
  if (outcome.thrown !== undefined) {
    const e = outcome.thrown as Error;
    return `threw ${e?.name}: ${e?.message}\n${e?.stack?.split('\n').slice(1, 4).join('\n')}`;
  }
  if (tooSlow(c, outcome.ms)) return `took ${outcome.ms.toFixed(0)} ms`;
  const r = outcome.result!;
  if (r.ok) return undefined;
  if (r.errors.length === 0) return 'failed without an error';
  for (const e of r.errors) {
    if (e.file !== c.file) return `error names file ${e.file}`;
    if (!(Number.isInteger(e.line) && e.line >= 1 && Number.isInteger(e.col) && e.col >= 1)) return `unlocated error ${e.line}:${e.col} ${e.message}`;
    if (typeof e.message !== 'string' || e.message === '' || /\[object Object\]|undefined/.test(e.message)) return `odd message: ${e.message}`;
  }
  return undefined;
}

/** A valid model must also plan (pure planner, nothing observed) and render in all three formats. */
function planAndRender(result: LoadResult): void {
  if (!result.ok) return;
  const p = plan({
    digests: testDigests, desired: result.model.resources, observed: [], recorded: [], specs: kindSpecs,
    manifest: { path: result.model.file, hash: result.model.manifestHash }, now: '2025-01-01T00:00:00.000Z',
  });
  renderPlanTerminal(p, { color: false });
  renderPlanJson(p);
  renderPlanMarkdown(p);
}

/** Run the CLI's main in this process, capturing what it writes. */
async function runMain(args: readonly string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = (chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  };
  const listeners = { out: process.stdout.listeners('error'), err: process.stderr.listeners('error') };
  const saved = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = write as typeof process.stdout.write;
  process.stderr.write = write as typeof process.stderr.write;
  try {
    return { code: await main(args), out };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    // main adds an EPIPE handler per call; drop ours so hundreds of calls do not pile them up.
    for (const [stream, before] of [[process.stdout, listeners.out], [process.stderr, listeners.err]] as const) {
      for (const l of stream.listeners('error')) if (!before.includes(l)) stream.removeListener('error', l as (...a: unknown[]) => void);
    }
  }
}

/** CLI output for a failed manifest: every error line located as FILE:LINE:COL, no internal error, no stack. */
function judgeCli(code: number, output: string, file: string): string | undefined {
  if (/internal error|This is a bug/.test(output)) return `internal error: ${output.slice(0, 300)}`;
  if (STACK.test(output)) return `stack trace: ${output.slice(0, 300)}`;
  if (code === 0) return /is valid|No changes|will be created|Plan:/.test(output) ? undefined : `exit 0 without a result: ${output.slice(0, 200)}`;
  if (code !== 1) return `exit ${code}`;
  const located = output.split('\n').filter((l) => l.startsWith(`${file}:`));
  if (located.length === 0) return `exit 1 without a located error: ${output.slice(0, 300)}`;
  const unlocated = located.filter((l) => !new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `).test(l));
  return unlocated.length ? `unlocated: ${unlocated[0]}` : undefined;
}

describe('hostile manifests', () => {
  const inProcess = scaled('GAIA_FUZZ_CASES', 400);
  const viaMain = scaled('GAIA_FUZZ_CLI_CASES', 50);
  const spawned = scaled('GAIA_FUZZ_SPAWNED', 20);
  let crashes = 0;
  let total = 0;

  afterAll(() => {
    report({ area: 'hostile input', measure: 'fuzz cases', tried: total, okLabel: 'crashes', ok: crashes, notes: `seed ${SEED}; ${inProcess} in-process, ${viaMain} via main(), ${spawned} real CLI runs; ${TIME_BOUND_MS ? `bound ${TIME_BOUND_MS} ms each (15 s for the two largest legal files)` : 'no time bound'}` });
  });

  it(`${inProcess} random and mutated manifests each end in a valid plan or located errors${TIME_BOUND_MS ? `, within ${TIME_BOUND_MS} ms` : ''}`, () => {
    const cases = generate(inProcess, prng(SEED));
    const failures: string[] = [];
    let valid = 0;
    let worst = 0;
    let slowest = '';
    for (const c of cases) {
      const t0 = performance.now();
      let result: LoadResult | undefined;
      let thrown: unknown;
      try {
        result = loadManifestText(c.text, c.file, { environ: { HOME: '/nonexistent' } });
        planAndRender(result);
      } catch (e) {
        thrown = e ?? 'undefined';
      }
      const ms = performance.now() - t0;
      if (ms > worst) [worst, slowest] = [ms, c.name];
      const problem = judge(c, { ...(result ? { result } : {}), ...(thrown !== undefined ? { thrown } : {}), ms });
      if (problem) failures.push(`${c.name}: ${problem}`);
      if (thrown !== undefined) crashes++;
      if (result?.ok) valid++;
    }
    total += cases.length;
    console.log(`[reliability] in-process fuzz: ${cases.length} cases, ${valid} valid, slowest ${worst.toFixed(0)} ms (${slowest})`);
    expect(failures.slice(0, 10)).toEqual([]);
    // The mutations must leave some manifests valid, or the planner side is never exercised.
    expect(valid).toBeGreaterThan(cases.length / 20);
  }, 600_000);

  it(`${viaMain} of them through the CLI's validate in-process: located errors and exit 1, or "is valid" and exit 0`, async () => {
    // A copy of the folders the seed manifests name (migrations), so a mutated manifest written at its
    // seed's place in the copy can be valid; nothing is written into the repository.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gaia-fuzz-cli-'));
    for (const d of ['db', 'examples', 'test/fixtures/bad-manifests']) cpSync(d, path.join(dir, d), { recursive: true });
    const cases = generate(viaMain, prng(SEED + 1));
    const failures: string[] = [];
    for (const [i, c] of cases.entries()) {
      const rel = path.relative(process.cwd(), path.dirname(c.file));
      const file = path.join(rel.startsWith('..') ? dir : path.join(dir, rel), `fuzz-${i}.yaml`);
      writeFileSync(file, c.text);
      const t0 = performance.now();
      let problem: string | undefined;
      try {
        const r = await runMain(['validate', '-f', file]);
        problem = judgeCli(r.code, r.out, file) ?? (tooSlow(c, performance.now() - t0) ? `took ${(performance.now() - t0).toFixed(0)} ms` : undefined);
      } catch (e) {
        problem = `main threw: ${(e as Error).message}`;
        crashes++;
      } finally {
        rmSync(file, { force: true });
      }
      if (problem) failures.push(`${c.name}: ${problem}`);
    }
    total += cases.length;
    rmSync(dir, { recursive: true, force: true });
    expect(failures.slice(0, 10)).toEqual([]);
  }, 600_000);

  it(`${spawned} of them through the real CLI's plan: located errors and exit 1, or a plan and exit 0`, async () => {
    const repo = tempRepo('gaia-fuzz-plan-');
    repo.write('db/migrations/001_init.sql', readFileSync('db/migrations/001_init.sql', 'utf8'));
    const cases = generate(spawned, prng(SEED + 2));
    const failures: string[] = [];
    try {
      for (const c of cases) {
        repo.write('orchestration.yaml', c.text);
        const t0 = performance.now();
        const r = await execa(GAIA_BIN, ['plan'], {
          cwd: repo.root, reject: false, stdin: 'ignore', timeout: 30_000,
          env: { GAIA_TMUX_SOCKET: `gaia-test-fuzz-${process.pid}`, NO_COLOR: '1' },
        });
        const ms = performance.now() - t0;
        const problem = judgeCli(r.exitCode ?? -1, `${String(r.stdout)}\n${String(r.stderr)}`, 'orchestration.yaml');
        if (problem) failures.push(`${c.name}: ${problem}`);
        if (/internal error/.test(String(r.stderr))) crashes++;
        // A real process pays node's start-up; the bound is on gaia's share of it.
        if (tooSlow(c, ms, 3000)) failures.push(`${c.name}: took ${ms.toFixed(0)} ms`);
      }
    } finally {
      repo.cleanup();
    }
    total += cases.length;
    expect(failures.slice(0, 10)).toEqual([]);
  }, 600_000);
});
