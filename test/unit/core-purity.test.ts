import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// src/core is the pure heart: plans are computed from arguments, never from the disk, processes or databases.
const FORBIDDEN = /from ['"](node:)?(fs|fs\/promises|child_process|net|http|https|os|process|readline)['"]|from ['"](execa|better-sqlite3|kysely|simple-git)['"]|\bprocess\.(env|exit|cwd|argv)/;

describe('src/core does no I/O', () => {
  const dir = join(process.cwd(), 'src/core');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  it('has files to check', () => expect(files.length).toBeGreaterThan(5));
  it.each(files)('%s imports no process, file, network or database module', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text.split('\n').filter((line) => FORBIDDEN.test(line))).toEqual([]);
  });
});
