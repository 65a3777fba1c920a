/** Open the project for a command, turning manifest errors into a located report. */
import { openProject, type Project } from '../engine/project.js';
import { quoteForDisplay } from '../host/exec.js';
import { ManifestInvalid } from './errors.js';

export async function withProject<T>(file: string, fn: (project: Project) => Promise<T>): Promise<T> {
  const opened = await openProject(file);
  if (!opened.ok) throw new ManifestInvalid(opened.errors);
  try {
    return await fn(opened.project);
  } finally {
    await opened.project.close();
  }
}

export const DEFAULT_FILE = 'orchestration.yaml';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A gaia command line for a hint, to be run as printed from where the user is: `-f FILE` only
 *  when a manifest was named (the default one is found the same way again), arguments quoted.
 *  `command` is the (sub)command, e.g. "plan" or "state list". */
export function gaiaCommand(file: string, command: string, args: readonly string[] = []): string {
  return ['gaia', ...command.split(' '), ...(file === DEFAULT_FILE ? [] : ['-f', file]), ...args].map(quoteForDisplay).join(' ');
}
