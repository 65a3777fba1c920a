/** The state store under damage: every page of a real store overwritten in turn, a store cut to 0
 *  bytes, a store deleted while gaia's marked sessions run, a full disk under `.gaia/` (a small
 *  tmpfs, mounted by the test when it runs as root), and `gaia state unlock` during a live apply.
 *  Each is noticed before anything is planned, with a message naming the file and what to do. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { testProject, type TestProject } from '../helpers/cli.js';
import { report, sleep } from './support.js';

const manifest = (hook = '') => `
version: 1
project: store
repository: { path: ., base: main }
environments:
  count: 2
  name: dev{n}
  stages:
    dev: { database: { path: data/dev.db, migrations: db } }
groups:
  reviewers:
    count: 3
    name: "review{n}"
    command: ["sleep", "3600"]
${hook}
`;

const PAGE = 4096;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('a damaged, lost or full state store', () => {
  let p: TestProject;
  const state = () => path.join(p.root, '.gaia/state.db');
  beforeEach(async () => {
    p = testProject(manifest(), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    const r = await p.gaia(['apply', '--auto-approve']);
    expect(r.code).toBe(0);
  });
  afterEach(() => p.cleanup());

  it('every page of the store overwritten in turn is noticed before planning (exit 1, the file named, rebuild suggested); rebuild converges', async () => {
    // One file, no log beside it: what is on disk is the whole store.
    execFileSync('sqlite3', [state(), 'PRAGMA wal_checkpoint(TRUNCATE);']);
    const pristine = fs.readFileSync(state());
    // The pages that hold something: a page on the freelist holds nothing (overwriting it loses
    // nothing, and SQLite rightly does not care), so only the pages in use must be noticed.
    const db = new Database(state(), { readonly: true });
    const used = new Set((db.prepare('SELECT DISTINCT pageno FROM dbstat').all() as { pageno: number }[]).map((r) => r.pageno - 1));
    db.close();
    used.add(0);
    const inUse = [...used].sort((a, b) => a - b);
    const pages = inUse.length;
    let noticed = 0;
    const missed: string[] = [];
    for (const page of inUse) {
      const damaged = Buffer.from(pristine);
      for (let i = 0; i < PAGE; i++) damaged[page * PAGE + i] = (i * 131 + page * 7 + 1) & 0xff;
      fs.writeFileSync(state(), damaged);
      fs.rmSync(`${state()}-wal`, { force: true });
      const r = await p.gaia(['plan']);
      if (r.code === 1 && r.stderr.includes(state()) && /damaged|not a database/.test(r.stderr) && r.stderr.includes('gaia state rebuild') && !r.stderr.includes('internal error')) noticed++;
      else missed.push(`page ${page + 1}: exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
    }
    report({ area: 'state store', measure: 'pages overwritten', tried: pages, okLabel: 'noticed before planning', ok: noticed });
    expect(missed).toEqual([]);

    const rebuilt = await p.gaia(['state', 'rebuild']);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/moved aside to .*state\.db\.damaged-/);
    expect((await p.gaia(['plan', '--detailed-exitcode'])).code).toBe(0);
  }, 120_000);

  it('a store cut to 0 bytes, or deleted while marked sessions run, is never planned as an empty world', async () => {
    fs.writeFileSync(state(), '');
    fs.rmSync(`${state()}-wal`, { force: true });
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(state(), past, past); // truncated a while ago (a file just made by another gaia is new)
    let r = await p.gaia(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${state()}: it is empty (0 bytes)`);
    expect(r.stderr).toMatch(/restore the newest backup \(cp .*backups\/state-.*\.db .*state\.db\)/);

    fs.rmSync(path.join(p.root, '.gaia'), { recursive: true });
    for (const command of [['plan'], ['apply', '--auto-approve'], ['destroy', '--auto-approve']]) {
      r = await p.gaia(command);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/it records nothing, but 3 things in the world carry this project's marks/);
      expect(r.stderr).toContain('gaia state rebuild');
    }
    expect(p.sessions()).toEqual(['review1', 'review2', 'review3']);
    r = await p.gaia(['state', 'rebuild']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rebuilt the state: 9 recorded as gaia's, 0 missing/);
    expect((await p.gaia(['plan', '--detailed-exitcode'])).code).toBe(0);
    report({ area: 'state store', measure: 'lost stores (0 bytes, deleted)', tried: 2, okLabel: 'refused, then rebuilt', ok: 2 });
  });

  it('each apply that changes the store backs it up first; five are kept', async () => {
    let before = '';
    for (let i = 1; i <= 6; i++) {
      p.write('orchestration.yaml', manifest().replace('count: 3', `count: ${3 + i}`));
      before = execFileSync('sqlite3', [state(), 'SELECT count(*) FROM resources'], { encoding: 'utf8' }).trim();
      expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
    }
    const backups = fs.readdirSync(path.join(p.root, '.gaia/backups')).filter((f) => f.startsWith('state-'));
    expect(backups).toHaveLength(5);
    const newest = path.join(p.root, '.gaia/backups', backups.sort().at(-1)!);
    expect(execFileSync('sqlite3', [newest, 'SELECT count(*) FROM resources'], { encoding: 'utf8' }).trim()).toBe(before);
  });

  (isRoot ? it : it.skip)('a full disk under .gaia/ (a tmpfs grown 40 KB at a time): each apply stops with the path and a summary and loses nothing; the next one goes on from there and converges', async () => {
    await p.gaia(['destroy', '--auto-approve']);
    fs.rmSync(path.join(p.root, '.gaia'), { recursive: true });
    const mountPoint = path.join(p.root, '.gaia');
    fs.mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160k', 'tmpfs', mountPoint]);
    const outcomes: string[] = [];
    try {
      p.write('orchestration.yaml', manifest().replace('count: 3', 'count: 60'));
      for (let size = 160; ; size += 40) {
        execFileSync('mount', ['-o', `remount,size=${size}k`, mountPoint]);
        const r = await p.gaia(['apply', '--auto-approve']);
        if (r.code === 0) break;
        expect(size).toBeLessThan(1000);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(state());
        expect(r.stderr).toMatch(/free space/);
        expect(r.stderr).not.toContain('internal error');
        const stopped = /Stopped: (\d+) of (\d+) changes applied/.exec(r.stdout);
        outcomes.push(stopped ? `stopped after ${stopped[1]} of ${stopped[2]}` : 'refused before any change');
        expect(execFileSync('sqlite3', [state(), 'SELECT count(*) FROM lock'], { encoding: 'utf8' }).trim()).toMatch(/^[01]$/);
      }
      expect((await p.gaia(['plan', '--detailed-exitcode'])).code).toBe(0);
      expect(p.sessions()).toHaveLength(60);
      expect(outcomes.some((o) => o.startsWith('stopped'))).toBe(true);
      report({ area: 'state store', measure: 'full-disk applies', tried: outcomes.length, okLabel: 'stopped cleanly, then converged', ok: outcomes.length, notes: outcomes.join(', ') });
    } finally {
      p.tmux(['kill-server']);
      await sleep(100);
      execFileSync('umount', ['-l', mountPoint]);
    }
  }, 120_000);

  it('gaia state unlock during a live apply refuses, naming it; the apply finishes and records everything', async () => {
    p.write('orchestration.yaml', manifest(`    hooks:\n      after_create:\n        - command: "sleep 3"\n          timeout: 30s\n`).replace('count: 3', 'count: 4'));
    const apply = p.spawn(['apply', '--auto-approve']);
    const deadline = Date.now() + 10_000;
    let holder = '';
    while (Date.now() < deadline && holder === '') {
      await sleep(100);
      holder = execFileSync('sqlite3', [state(), 'SELECT pid FROM lock'], { encoding: 'utf8' }).trim();
    }
    const unlock = await p.gaia(['state', 'unlock']);
    expect(unlock.code).toBe(1);
    expect(unlock.stderr).toMatch(new RegExp(`held by gaia apply \\(pid ${holder} on ${os.hostname()}.*\\), which is still running`));
    const second = await p.gaia(['apply', '--auto-approve']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/locked by gaia apply/);
    expect((await apply).exitCode).toBe(0);
    expect((await p.gaia(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});
