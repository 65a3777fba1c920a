/** Records and a clock for the state store's tests, the same on every backend (state.test.ts for SQLite,
 *  state-postgres.test.ts for PostgreSQL). */
import type { Recorded } from '../../src/core/resource.js';

export const entry = (name: string, extra: Partial<Recorded> = {}): Recorded => ({
  kind: 'tmux_session',
  address: `tmux_session.${name}`,
  attributes: { command: 'claude', cwd: `worktrees/${name}`, env: { MODE: 'dev' } },
  specHash: `hash-${name}`,
  dependsOn: [`git_worktree.${name}`],
  ...extra,
});

/** A clock that moves one second per reading, so every stamp differs. */
export function steppingClock(start = Date.parse('2026-01-01T00:00:00Z')): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}
