/** Throwaway git repositories in the system temp folder, never the project's own. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempRepo {
  /** Absolute real path of the repository (and of the test's project root). */
  readonly root: string;
  /** Run git in the repository (or in `dir`, relative to root) and return its stdout. */
  git(args: readonly string[], dir?: string): string;
  /** Write a file (path relative to root) and return its absolute path. */
  write(file: string, content: string): string;
  cleanup(): void;
}

function runGit(dir: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tempDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** `git init -b main` with a local identity and one commit (README.md). */
export function tempRepo(prefix = 'gaia-git-'): TempRepo {
  const root = tempDir(prefix);
  runGit(root, ['init', '-q', '-b', 'main']);
  runGit(root, ['config', 'user.name', 'gaia test']);
  runGit(root, ['config', 'user.email', 'gaia-test@example.invalid']);
  runGit(root, ['config', 'commit.gpgsign', 'false']);
  fs.writeFileSync(path.join(root, 'README.md'), 'test repository\n');
  runGit(root, ['add', 'README.md']);
  runGit(root, ['commit', '-q', '-m', 'initial commit']);
  return {
    root,
    git: (args, dir = '.') => runGit(path.resolve(root, dir), args),
    write(file, content) {
      const full = path.resolve(root, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content);
      return full;
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

export interface BareRemote {
  readonly path: string;
  git(args: readonly string[]): string;
  cleanup(): void;
}

/** An empty bare repository to push to (`git init --bare -b main`). */
export function bareRemote(prefix = 'gaia-git-remote-'): BareRemote {
  const dir = tempDir(prefix);
  runGit(dir, ['init', '-q', '--bare', '-b', 'main']);
  return { path: dir, git: (args) => runGit(dir, args), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
