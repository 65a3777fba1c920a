/** `gaia state history` in text form lists every step of each apply, not only the failures. */
import { testProject, type TestProject } from '../helpers/cli.js';

const manifest = `
version: 1
project: history
files:
  one: { path: out/one.txt, content: "1" }
  two: { path: out/two.txt, content: "2" }
`;

describe('gaia state history', () => {
  let p: TestProject;
  beforeAll(() => {
    p = testProject(manifest);
  });
  afterAll(() => p.cleanup());

  it('shows each apply with all of its steps: status, action and address', async () => {
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
    const r = await p.gaia(['state', 'history']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^#\d+ \S+ gaia apply.*: done/);
    expect(lines.slice(1).filter(Boolean).map((l) => l.trim().split(/\s+/))).toEqual([
      ['done', 'create', 'file.one'],
      ['done', 'create', 'file.two'],
    ]);
  });
});
