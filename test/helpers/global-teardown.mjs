/** jest globalTeardown: remove the folders globalSetup made (the code cache, the PATH). */
import fs from 'node:fs';

export default function globalTeardown() {
  for (const dir of [globalThis.__gaiaTestCache, globalThis.__gaiaTestPath]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
