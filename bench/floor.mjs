#!/usr/bin/env node
/** The floor: the least observation any tool needs to plan a project, as one process —
 *  Node.js starting, one `tmux list-sessions`, one `git for-each-ref` and one
 *  `git worktree list --porcelain` per repository (the three side by side), and every SQLite
 *  database read in-process (better-sqlite3: open read-only, its schema and user_version).
 *  No manifest, no state store, no planning: every gaia figure in the bench is read as a
 *  multiple of this one.
 *
 *  Usage: node bench/floor.mjs PROJECT_DIR TMUX_SOCKET
 *  Prints one line: sessions, refs, worktrees and databases seen (so the bench can check the
 *  floor saw the same world gaia did). With GAIA_STATS set, `gaia-stats spawned=N` on stderr. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json'));
const Database = require('better-sqlite3');

const [dir, socket] = process.argv.slice(2);
if (!dir || !socket) {
  console.error('usage: node bench/floor.mjs PROJECT_DIR TMUX_SOCKET');
  process.exit(1);
}

let spawned = 0;
function run(file, args) {
  spawned++;
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
    child.stderr.resume();
    child.on('close', (code) => resolve({ code, out }));
  });
}

const commands = Promise.all([
  run('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}\x1f#{session_created}\x1f#{pane_pid}\x1f#{pane_dead}\x1f#{pane_start_command}']),
  run('git', ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(upstream)', 'refs/heads']),
  run('git', ['worktree', 'list', '--porcelain']),
]);

// The databases, while the three commands run: envs/*/data/*.db is where the bench puts them.
let databases = 0;
const envs = path.join(dir, 'envs');
for (const env of fs.existsSync(envs) ? fs.readdirSync(envs) : []) {
  const data = path.join(envs, env, 'data');
  if (!fs.existsSync(data)) continue;
  for (const file of fs.readdirSync(data)) {
    if (!file.endsWith('.db')) continue;
    const db = new Database(path.join(data, file), { readonly: true, fileMustExist: true });
    db.prepare('SELECT type, name, sql FROM sqlite_master').all();
    db.pragma('user_version', { simple: true });
    db.close();
    databases++;
  }
}

const [tmux, refs, worktrees] = await commands;
const lines = (s) => s.split('\n').filter((l) => l !== '').length;
console.log(`floor: ${tmux.code === 0 ? lines(tmux.out) : 0} sessions, ${lines(refs.out)} branches, ${worktrees.out.split('\n\n').filter((b) => b.trim()).length} worktrees, ${databases} databases`);
if (process.env.GAIA_STATS) console.error(`gaia-stats spawned=${spawned}`);
