/** Reading where branches point from git's ref files, compared with what git itself says. */
import { localFiles } from '../../src/host/local/local-host.js';
import { resolveRefs } from '../../src/providers/git/ref-files.js';
import { tempRepo, type TempRepo } from '../helpers/git.js';

describe('in-process ref resolution', () => {
  let repo: TempRepo;
  beforeAll(() => {
    repo = tempRepo('gaia-ops-refs-');
    repo.git(['branch', 'env/dev1']);
    repo.git(['branch', 'packed/one']);
    repo.git(['pack-refs', '--all']); // moves every ref into packed-refs
    repo.write('x.txt', 'x\n');
    repo.git(['add', 'x.txt']);
    repo.git(['commit', '-q', '-m', 'second']);
    repo.git(['branch', 'loose/two']); // a loose ref shadowing nothing
    repo.git(['tag', 'twin']);
    repo.git(['branch', 'twin']); // a branch and a tag of one name: git's rules decide, not gaia's
    repo.git(['worktree', 'add', '-q', 'wt', 'env/dev1']);
  });
  afterAll(() => repo.cleanup());
  const sha = (rev: string) => repo.git(['rev-parse', rev]).trim();

  it('agrees with git for loose and packed refs, from the repository and from a linked worktree', () => {
    const names = ['main', 'refs/heads/env/dev1', 'packed/one', 'loose/two'];
    const expected = new Map(names.map((n) => [n, { kind: 'commit', sha: sha(n) }]));
    expect(resolveRefs(localFiles, repo.root, names)).toEqual(expected);
    expect(resolveRefs(localFiles, `${repo.root}/wt`, names)).toEqual(expected);
  });

  it('says missing for an absent branch and unsure for what git would decide differently', () => {
    const r = resolveRefs(localFiles, repo.root, ['refs/heads/nope', 'twin', 'main~1', 'HEAD']);
    expect([...r.values()].map((a) => a.kind)).toEqual(['missing', 'unsure', 'unsure', 'unsure']);
  });
});
