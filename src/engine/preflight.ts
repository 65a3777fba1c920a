/** Checks made before anything runs, so a plan warns now rather than an apply failing late. */
import { isAbsolute, resolve } from 'node:path';
import type { PlanWarning } from '../core/plan.js';
import type { Resource } from '../core/resource.js';
import { executable, onPath } from '../host/local/program-path.js';

/** The program a session command starts: argv[0], or the first word of a shell string (after VAR=x assignments). */
export function programOf(command: unknown): string | undefined {
  if (Array.isArray(command)) return typeof command[0] === 'string' ? command[0] : undefined;
  if (typeof command !== 'string') return undefined;
  const words = command.trim().split(/\s+/).filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  const first = words[0];
  // Shell syntax (quotes, subshells, builtins like `exec`) is the shell's business; only check plain words.
  return first && /^[\w@%+=:,./-]+$/.test(first) && !['exec', 'cd', 'env'].includes(first) ? first : undefined;
}

/** Session programs that are not on PATH (checked in-process: no process per session). */
export function missingPrograms(resources: readonly Resource[], root: string, path = process.env.PATH ?? ''): PlanWarning[] {
  const cache = new Map<string, boolean>();
  const found = (program: string, cwd: string): boolean => {
    if (program.includes('/')) return executable(isAbsolute(program) ? program : resolve(root, cwd, program));
    let hit = cache.get(program);
    if (hit === undefined) cache.set(program, (hit = onPath(program, path) !== undefined));
    return hit;
  };
  const byProgram = new Map<string, string[]>();
  for (const r of resources) {
    if (r.kind !== 'tmux_session') continue;
    const program = programOf(r.attributes.command);
    if (program && !found(program, String(r.attributes.cwd ?? '.'))) byProgram.set(program, [...(byProgram.get(program) ?? []), r.address]);
  }
  return [...byProgram].map(([program, addresses]) => ({
    code: 'command_not_found',
    text: `"${program}" is not on PATH; ${addresses.length} session${addresses.length === 1 ? '' : 's'} would start and exit at once (${addresses.slice(0, 3).join(', ')}${addresses.length > 3 ? ', …' : ''})`,
  }));
}
