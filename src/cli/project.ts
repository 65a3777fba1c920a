/** Open the project for a command, turning manifest errors into a located report. */
import { openProject, type Project } from '../engine/project.js';
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
