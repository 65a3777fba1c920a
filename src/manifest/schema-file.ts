/** Find schemas/ from wherever this code runs: src/ under ts-jest, dist/ after tsc, or the single bundled dist/gaia.cjs. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function readSchema(name: string): Record<string, unknown> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'schemas', name);
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8')) as Record<string, unknown>;
    dir = dirname(dir);
  }
  throw new Error(`cannot find schemas/${name} above ${fileURLToPath(import.meta.url)}`);
}
