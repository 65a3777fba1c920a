/** What `gaia import` reads: every session of the tmux server (one list-sessions) and the worktrees
 *  of the repository (one `git worktree list`). */
import path from 'node:path';
import type { Command } from '../manifest/types.js';
import { describeFailure } from '../host/exec.js';
import type { HostFiles } from '../host/host.js';
import { parseWorktrees } from '../providers/git/porcelain.js';
import { listSessions } from '../providers/tmux/list.js';
import { relativeToRoot } from '../providers/tmux/observe.js';
import type { FoundWorktree, ImportFacts } from './import.js';
import type { TmuxServer } from '../providers/tmux/settings.js';

/** tmux shows a pane's start command with its own quoting (`"sleep 300"` for a shell string,
 *  `sh -c "a \"b\""` for argv): back to what was run. One word is a shell string; several are argv. */
export function parseStartCommand(shown: string): Command {
  const words: string[] = [];
  let cur: string | undefined;
  const unescape = (c: string, s: string, i: number): [string, number] => {
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (map[c] !== undefined) return [map[c]!, i + 1];
    const oct = /^[0-7]{3}/.exec(s.slice(i));
    if (oct) return [String.fromCharCode(parseInt(oct[0], 8)), i + 3];
    return [c, i + 1];
  };
  for (let i = 0; i < shown.length;) {
    const ch = shown[i]!;
    if (ch === ' ') {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
      i++;
    } else if (ch === '"' || ch === "'") {
      cur ??= '';
      i++;
      while (i < shown.length && shown[i] !== ch) {
        if (shown[i] === '\\' && i + 1 < shown.length) {
          const [v, next] = unescape(shown[i + 1]!, shown, i + 1);
          cur += v;
          i = next;
        } else cur += shown[i++];
      }
      i++; // closing quote
    } else if (ch === '\\' && i + 1 < shown.length) {
      const [v, next] = unescape(shown[i + 1]!, shown, i + 1);
      cur = (cur ?? '') + v;
      i = next;
    } else {
      cur = (cur ?? '') + ch;
      i++;
    }
  }
  if (cur !== undefined) words.push(cur);
  if (words.length === 0) return '';
  return words.length === 1 ? words[0]! : words;
}

const real = (files: HostFiles, p: string): string => {
  try {
    return files.realPath(p) ?? path.resolve(p);
  } catch {
    return path.resolve(p);
  }
};

/** `owned`: worktree paths (relative to the root) gaia's state store already records; they carry no
 *  mark of their own, unlike sessions. */
export async function readImportFacts(
  root: string, ctx: TmuxServer, owned: ReadonlySet<string> = new Set(), environ: NodeJS.ProcessEnv = process.env,
): Promise<ImportFacts> {
  const realRoot = real(ctx.host.files, root);
  const [listed, wt] = await Promise.all([
    listSessions(ctx),
    ctx.host.run(['git', '-C', realRoot, 'worktree', 'list', '--porcelain', '-z']),
  ]);
  if (!listed.ok) throw new Error(listed.error);
  if (wt.failed) throw new Error(`${realRoot} is not a git repository gaia can read: ${describeFailure(wt)}`);
  const entries = parseWorktrees(wt.stdout);
  const main = entries[0];
  const worktrees: FoundWorktree[] = entries.slice(1).filter((e) => !e.bare && !e.prunable)
    .map((e) => ({ path: relativeToRoot(realRoot, real(ctx.host.files, e.path)), branch: e.branch }))
    .filter((w) => !owned.has(w.path));
  return {
    project: path.basename(realRoot),
    socket: ctx.socket ?? null,
    base: main?.branch ?? 'main',
    defaultShell: path.basename(environ.SHELL || 'bash'),
    worktrees,
    sessions: [...listed.rows.values()].map((r) => ({
      name: r.name,
      cwd: relativeToRoot(realRoot, real(ctx.host.files, r.path)),
      startCommand: parseStartCommand(r.startCommand),
      currentCommand: r.currentCommand,
      managed: r.spec !== undefined,
    })),
  };
}
