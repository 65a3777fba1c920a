/** Shared by the reliability suite: the reference system in a throw-away project with stand-in agents,
 *  the built CLI run with that PATH, an inventory of the real world, and the figures report. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { GAIA_BIN, testProject, type CliResult, type TestProject } from '../helpers/cli.js';

export interface Project extends TestProject {
  /** The environment every gaia run gets: private socket, no colour, stand-in agents first on PATH. */
  readonly env: Record<string, string>;
  run(args: readonly string[], extra?: Record<string, string>): Promise<CliResult>;
  start(args: readonly string[], extra?: Record<string, string>): ResultPromise;
}

let agentsBin: string | undefined;

/** claude, codex and ollama as a script that prints who it is and sleeps: the manifest applies as written. */
export function standInAgents(): string {
  if (agentsBin) return agentsBin;
  const bin = mkdtempSync(path.join(os.tmpdir(), 'gaia-agents-'));
  cpSync('test/fixtures/agents/stand-in', path.join(bin, 'stand-in'));
  chmodSync(path.join(bin, 'stand-in'), 0o755);
  for (const agent of ['claude', 'codex', 'ollama']) symlinkSync(path.join(bin, 'stand-in'), path.join(bin, agent));
  agentsBin = bin;
  return bin;
}

export function project(manifest: string, files: Record<string, string> = {}): Project {
  const p = testProject(manifest, files);
  const env = { GAIA_TMUX_SOCKET: p.socket, NO_COLOR: '1', PATH: `${standInAgents()}:${process.env.PATH}` };
  const run = async (args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> => {
    const r = await execa(GAIA_BIN, [...args], { cwd: p.root, env: { ...env, ...extra }, reject: false, stdin: 'ignore' });
    return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const start = (args: readonly string[], extra: Record<string, string> = {}) =>
    execa(GAIA_BIN, [...args], { cwd: p.root, env: { ...env, ...extra }, reject: false, stdin: 'ignore', buffer: true });
  return { ...p, env, run, start };
}

/** The reference manifest (orchestration.yaml) unchanged, with its migrations. */
export function referenceProject(): Project {
  return project(readFileSync('orchestration.yaml', 'utf8'), {
    'db/migrations/001_init.sql': readFileSync('db/migrations/001_init.sql', 'utf8'),
  });
}

export interface RecordedRow {
  readonly kind: string;
  readonly address: string;
  readonly specHash: string;
  readonly attributes: Record<string, unknown>;
}

export async function recorded(p: Project, extra: Record<string, string> = {}): Promise<RecordedRow[]> {
  const r = await p.run(['state', 'list', '--json'], extra);
  if (r.code !== 0) throw new Error(`gaia state list failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as RecordedRow[];
}

/** What exists in the real world right now, read with the tools themselves (not through gaia). */
export interface World {
  readonly sessions: readonly string[];
  /** Registered worktrees other than the project itself, relative to the root. */
  readonly worktrees: readonly string[];
  readonly branches: readonly string[];
}

export function world(p: Project): World {
  const porcelain = p.git(['worktree', 'list', '--porcelain']);
  const worktrees = porcelain.split('\n').filter((l) => l.startsWith('worktree ')).map((l) => path.relative(p.root, l.slice(9))).filter((w) => w !== '');
  const branches = p.git(['for-each-ref', '--format=%(refname:short)', 'refs/heads']).split('\n').filter((b) => b && b !== 'main');
  return { sessions: p.sessions(), worktrees: worktrees.sort(), branches: branches.sort() };
}

/** Things in the world that the state store does not know about (sessions, worktrees, branches). */
export function unknownToState(w: World, rows: readonly RecordedRow[]): string[] {
  const names = (kind: string, attr: string) => new Set(rows.filter((r) => r.kind === kind).map((r) => String(r.attributes[attr])));
  const sessions = names('tmux_session', 'name');
  const worktrees = names('git_worktree', 'path');
  const branches = names('git_branch', 'name');
  return [
    ...w.sessions.filter((s) => !sessions.has(s)).map((s) => `session ${s}`),
    ...w.worktrees.filter((t) => !worktrees.has(t)).map((t) => `worktree ${t}`),
    ...w.branches.filter((b) => !branches.has(b)).map((b) => `branch ${b}`),
  ];
}

export interface PlanJson {
  readonly changes: readonly { address: string; kind: string; action: string; after?: Record<string, unknown>; reasons: { code: string; text: string }[] }[];
  readonly conflicts: readonly { address: string; text: string }[];
  readonly warnings: readonly { code: string; text: string }[];
}

/** Whether the thing a create would make is already there (so planning a create of it is wrong). */
export function alreadyThere(p: Project, w: World, rows: readonly RecordedRow[], change: PlanJson['changes'][number]): boolean {
  const a = change.after ?? {};
  switch (change.kind) {
    case 'tmux_session':
      return w.sessions.includes(String(a.name));
    case 'git_branch':
      return w.branches.includes(String(a.name));
    case 'git_worktree':
      return w.worktrees.includes(String(a.path)) && existsSync(path.join(p.root, String(a.path)));
    case 'sqlite_database':
    case 'file':
      return existsSync(path.join(p.root, String(a.path)));
    case 'port':
      return rows.some((r) => r.address === change.address);
    default:
      return false;
  }
}

/** SQLite through the sqlite3 CLI: the test reads and writes databases the way a user would. */
export function sql(file: string, statement: string): string {
  return execFileSync('sqlite3', [file, statement], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A small seeded PRNG (mulberry32): every random choice in the suite can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedFromEnv(fallback: number): number {
  const s = Number(process.env.GAIA_RELIABILITY_SEED);
  return Number.isInteger(s) && s > 0 ? s : fallback;
}

/** A count from the environment (bench/reliability.mjs scales the suite up), else the CI default. */
export function scaled(name: string, ciDefault: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : ciDefault;
}

/** One row of the report table: printed now, and appended to GAIA_RELIABILITY_REPORT for bench/reliability.mjs. */
export function report(row: { readonly area: string; readonly measure: string; readonly tried: number; readonly ok: number; readonly okLabel: string; readonly notes?: string }): void {
  console.log(`[reliability] ${row.area}: ${row.measure} ${row.tried}, ${row.okLabel} ${row.ok}${row.notes ? ` (${row.notes})` : ''}`);
  const file = process.env.GAIA_RELIABILITY_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

export function removeTree(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
