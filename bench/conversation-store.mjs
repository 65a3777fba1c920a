#!/usr/bin/env node
/** What reading the agent CLIs' conversation stores costs an apply that starts sessions again after
 *  tmux kill-server: codex rollout files (a 22 KB first line each, as codex 0.171 writes) in one
 *  CODEX_HOME, `sessions` codex sessions that each need their thread learned (one folder each), and
 *  as many claude sessions whose conversation file is looked up. The readers are
 *  src/providers/tmux/conversation-store.ts, bundled here with esbuild; "cached" is how apply calls
 *  them (one cache of file reads per apply).
 *
 *  Usage: node bench/conversation-store.mjs [rollouts=2000] [sessions=50] */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rollouts = Number(process.argv[2] ?? 2000);
const sessions = Number(process.argv[3] ?? 50);
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-bench-conv-')));

try {
  const bundle = path.join(dir, 'store.mjs');
  execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'esbuild'), [path.join(repoRoot, 'src/providers/tmux/conversation-store.ts'), '--bundle', '--platform=node', '--format=esm', `--outfile=${bundle}`, '--log-level=warning']);
  const { cachedFiles, codexThreads, localFiles, storedConversation } = await import(pathToFileURL(bundle).href);

  const codexHome = path.join(dir, 'codex');
  const claudeHome = path.join(dir, 'claude');
  const folders = Array.from({ length: sessions }, (_, i) => path.join(dir, 'work', `w${i}`));
  for (const f of folders) fs.mkdirSync(f, { recursive: true });
  const since = '2026-12-01T00:00:00.000Z';
  const instructions = 'x'.repeat(22_000);
  for (let i = 0; i < rollouts; i++) {
    const t = new Date(Date.parse(since) + i * 60_000).toISOString();
    const day = path.join(codexHome, 'sessions', t.slice(0, 4), t.slice(5, 7), t.slice(8, 10));
    fs.mkdirSync(day, { recursive: true });
    const id = `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`;
    const meta = { timestamp: t, type: 'session_meta', payload: { id, timestamp: t, cwd: folders[i % sessions], base_instructions: { text: instructions } } };
    fs.writeFileSync(path.join(day, `rollout-${t.slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`), `${JSON.stringify(meta)}\n{"type":"event"}\n`);
  }
  for (const [i, f] of folders.entries()) {
    const d = path.join(claudeHome, 'projects', f.replace(/[^a-zA-Z0-9]/g, '-'));
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `c-${i}.jsonl`), '{"type":"user"}\n');
  }

  const time = (label, files) => {
    const t0 = process.hrtime.bigint();
    let found = 0;
    for (const [i, cwd] of folders.entries()) {
      found += codexThreads({ env: { CODEX_HOME: codexHome }, cwd }, since, undefined, files).length > 0 ? 1 : 0;
      found += storedConversation('claude', `c-${i}`, { env: { CLAUDE_CONFIG_DIR: claudeHome }, cwd }, files).kind === 'resumable' ? 1 : 0;
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`${label.padEnd(9)} ${sessions} codex + ${sessions} claude sessions, ${rollouts} rollouts: ${ms.toFixed(0)} ms (${(ms / (2 * sessions)).toFixed(2)} ms per session; ${found}/${2 * sessions} found)`);
  };
  time('uncached', localFiles);
  time('cached', cachedFiles(localFiles));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
