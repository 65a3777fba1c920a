/** Where a resource is, and the key an old copy is kept under while its resource moves between hosts. */
import { LOCAL, oldCopyKey, oldCopyOf, onPlace, placeOf } from '../../src/core/place.js';

describe('places', () => {
  it('a host attribute names the place; none is this machine', () => {
    expect(placeOf({ host: 'gpu1' })).toBe('gpu1');
    expect(placeOf({})).toBe(LOCAL);
    expect([onPlace('gpu1'), onPlace(LOCAL)]).toEqual([' on gpu1', '']);
  });

  it('an old copy\'s key stands for its address on its own host, and nothing else does', () => {
    const key = oldCopyKey('git_worktree.dev1', 'alpha');
    expect(key).toBe('alpha:git_worktree.dev1');
    expect(oldCopyOf({ kind: 'git_worktree', address: key, attributes: { host: 'alpha' } })).toBe('git_worktree.dev1');
    expect(oldCopyOf({ kind: 'git_worktree', address: oldCopyKey('git_worktree.dev1', LOCAL), attributes: {} })).toBe('git_worktree.dev1');
    // An ordinary record, a key whose host is not the record's, and a key of another kind are not old copies.
    expect(oldCopyOf({ kind: 'git_worktree', address: 'git_worktree.dev1', attributes: { host: 'alpha' } })).toBeUndefined();
    expect(oldCopyOf({ kind: 'git_worktree', address: key, attributes: { host: 'beta' } })).toBeUndefined();
    expect(oldCopyOf({ kind: 'tmux_session', address: key, attributes: { host: 'alpha' } })).toBeUndefined();
  });
});
