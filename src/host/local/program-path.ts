/** Finding a program on PATH in-process (no `which`, no process per program). */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `name` is on `path` (a PATH value), or undefined. */
export function onPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
