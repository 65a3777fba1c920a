import { renderApplySummary, renderDryRun } from '../../src/render/apply-terminal.js';

describe('apply rendered for a terminal', () => {
  test('the dry run lists every change with its exact, shell-quoted commands', () => {
    expect(renderDryRun([
      { address: 'git_worktree.dev1', action: 'create', work: { kind: 'steps', steps: [{ address: 'git_worktree.dev1', description: 'add', argv: ['git', '-C', '/r', 'worktree', 'add', 'envs/dev 1'], cwd: '/r' }] } },
      { address: 'file.notes', action: 'update', work: { kind: 'steps', steps: [{ address: 'file.notes', description: 'write notes.md' }] } },
      { address: 'tmux_session.old', action: 'adopt', work: { kind: 'state-only' } },
      { address: 'tmux_session.w', action: 'create', work: { kind: 'hooks-only' } },
    ])).toBe([
      'Dry run: these are the exact steps apply would run. Nothing was changed.',
      '',
      'git_worktree.dev1 (create):',
      "  $ git -C /r worktree add 'envs/dev 1'   (in /r)",
      'file.notes (update):',
      '  - write notes.md',
      'tmux_session.old (adopt):',
      '  record in the state store only',
      'tmux_session.w (create):',
      '  - run its after_create hooks again',
    ].join('\n'));
  });

  test('a clean apply counts what landed and how long it took', () => {
    expect(renderApplySummary({ ok: true, interrupted: false, ms: 1234, results: [
      { address: 'a.x', action: 'create', status: 'done' },
      { address: 'a.y', action: 'adopt', status: 'done' },
    ] }, false)).toBe('\nApply complete! Resources: 1 added, 0 changed, 0 replaced, 0 destroyed, 1 adopted. (1.2s)');
  });

  test('a failed destroy names each change that did not land, with stderr the error does not already hold', () => {
    expect(renderApplySummary({ ok: false, interrupted: false, ms: 10, results: [
      { address: 'a.x', action: 'delete', status: 'done' },
      { address: 'a.y', action: 'delete', status: 'failed', error: '`tmux kill-session` exited 1', stderr: 'no server\n' },
      { address: 'a.z', action: 'delete', status: 'skipped', error: 'a.y failed' },
    ] }, true)).toBe([
      '',
      'Destroy finished with errors. Resources: 0 added, 0 changed, 0 replaced, 1 destroyed.',
      '  FAILED a.y (delete): `tmux kill-session` exited 1',
      '    stderr: no server',
      '  SKIPPED a.z (delete): a.y failed',
      'Run `gaia plan` to see what remains; the next apply continues from here.',
    ].join('\n'));
  });

  test('an interrupted apply says how far it got and what finishes it', () => {
    expect(renderApplySummary({ ok: false, interrupted: true, ms: 10, results: [
      { address: 'a.x', action: 'create', status: 'done' },
      { address: 'a.y', action: 'create', status: 'failed', error: 'boom' },
      { address: 'a.z', action: 'create', status: 'interrupted', error: 'not started: the apply was interrupted' },
    ] }, false, 'SIGINT')).toBe([
      '',
      'Interrupted (SIGINT): 1 of 3 changes applied, 1 not started; run `gaia apply` to finish.',
      '  FAILED a.y (create): boom',
    ].join('\n'));
  });
});
