/** The apply lock's contract, the same on every state store backend: the SQLite store
 *  (test/integration/state.test.ts) and the PostgreSQL one (test/integration/state-postgres.test.ts)
 *  each run it with their own `open`. */
import os from 'node:os';
import type { StateStore } from '../../src/state/store.js';

export function lockContract(open: () => Promise<StateStore>): void {
  test('a second store waits its timeout, then names the holder; after release it acquires', async () => {
    const a = await open();
    const b = await open();
    const taken = await a.acquireLock('gaia apply', 1000);
    expect(taken.kind).toBe('acquired');

    const started = performance.now();
    const refused = await b.acquireLock('gaia apply --auto-approve', 300);
    const waited = performance.now() - started;
    expect(refused).toEqual({
      kind: 'held',
      holder: { pid: process.pid, host: os.hostname(), since: expect.any(String), command: 'gaia apply' },
    });
    expect(waited).toBeGreaterThanOrEqual(290); // it did wait (a lower bound holds on any machine)

    if (taken.kind === 'acquired') await taken.release();
    const retaken = await b.acquireLock('gaia apply --auto-approve', 0);
    expect(retaken.kind).toBe('acquired');
    expect((await a.lockHolder())?.command).toBe('gaia apply --auto-approve');
  });

  test('a waiting acquire succeeds as soon as the holder releases', async () => {
    const a = await open();
    const b = await open();
    const taken = await a.acquireLock('gaia apply', 0);
    if (taken.kind !== 'acquired') throw new Error('expected the lock');
    setTimeout(() => void taken.release(), 150);
    // A timeout far beyond the release: acquired before it ran out means it did not wait it out.
    const started = performance.now();
    expect((await b.acquireLock('gaia reconcile', 20_000)).kind).toBe('acquired');
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  test('unlock refuses a living holder; --force removes only its row, and the lock still holds until it releases', async () => {
    const a = await open();
    const b = await open();
    const mine = await a.acquireLock('gaia apply', 0);
    if (mine.kind !== 'acquired') throw new Error('expected the lock');
    expect(await b.unlock(false)).toMatchObject({ kind: 'live', holder: { command: 'gaia apply', pid: process.pid } });
    expect((await a.lockHolder())?.command).toBe('gaia apply');
    expect(await b.unlock(true)).toMatchObject({ kind: 'forced', holder: { command: 'gaia apply' } });
    expect((await b.acquireLock('gaia reconcile', 0)).kind).toBe('held');

    await mine.release();
    expect((await b.acquireLock('gaia reconcile', 0)).kind).toBe('acquired');
    expect((await a.lockHolder())?.command).toBe('gaia reconcile');
  });
}
