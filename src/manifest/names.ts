/** Name rules of the tools gaia drives, as pure checks returning what is wrong (or undefined). */
import { posix } from 'node:path';

/** tmux silently rewrites `.` and `:` in session names (they are target separators). */
export function tmuxNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a tmux session name cannot be empty';
  if (/[\x00-\x1f\x7f]/.test(name)) return 'a tmux session name cannot contain control characters';
  if (/[.:]/.test(name)) return `tmux would rename "${name}" (it replaces "." and ":" in session names); use "_" or "-"`;
  // tmux 3.3a stores `$` as `\$` and `\` as `\\` in a session name: gaia could never find it again.
  if (/[$\\]/.test(name)) return `tmux would rename "${name}" (it escapes "$" and "\\" in session names); use "_" or "-"`;
  return undefined;
}

/** The rules of `git check-ref-format` for a branch name. */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a branch name cannot be empty';
  if (name.startsWith('-')) return `git rejects branch "${name}": it starts with "-"`;
  if (name === '@') return 'the branch name "@" means HEAD to git; pick another name';
  if (name === 'HEAD') return 'git rejects the branch name "HEAD"';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return `git rejects branch "${name}": it contains a space, control character or one of ~ ^ : ? * [ \\`;
  if (name.includes('..')) return `git rejects branch "${name}": it contains ".."`;
  if (name.includes('@{')) return `git rejects branch "${name}": it contains "@{"`;
  if (name.includes('//') || name.startsWith('/') || name.endsWith('/')) return `git rejects branch "${name}": empty path component`;
  if (name.endsWith('.')) return `git rejects branch "${name}": it ends with "."`;
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `git rejects branch "${name}": a component starts with "."`;
    if (part.endsWith('.lock')) return `git rejects branch "${name}": a component ends with ".lock"`;
  }
  return undefined;
}

/** Normalise a manifest path (relative to the project root); undefined when it leaves the root. */
export function insideRoot(path: string): string | undefined {
  if (posix.isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) return undefined;
  const norm = posix.normalize(path.replace(/\\/g, '/'));
  if (norm === '..' || norm.startsWith('../')) return undefined;
  return norm === '' ? '.' : norm.replace(/\/$/, '');
}
