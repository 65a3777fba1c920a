/** validate, state and reconcile render through the registry as the commands printed them. */
import { formatsFor, render } from '../../src/render/registry.js';

const plain = { color: false };

describe('validate', () => {
  const error = { file: 'gaia.yaml', line: 3, col: 5, path: 'environments.a.port', message: 'must be a number', fix: 'write 3000' };
  const model = {
    environments: [{}], groups: [{ sessions: [{}, {}] }],
    resources: [{ address: 'worktree.a', kind: 'worktree', dependsOn: [] }, { address: 'session.a', kind: 'session', dependsOn: ['worktree.a'] }],
  } as never;
  const valid = { file: 'gaia.yaml', warnings: ['w'], valid: true, model, counts: { worktree: 1, session: 1 }, printResources: true } as const;

  test('terminal: the errors located and counted, or the expanded manifest in a sentence', () => {
    expect(formatsFor('validate')).toEqual(['terminal', 'json']);
    expect(render('terminal', 'validate', { file: 'gaia.yaml', warnings: [], valid: false, errors: [error] }, plain))
      .toBe('gaia.yaml:3:5  environments.a.port: must be a number (write 3000)\n\n1 error in gaia.yaml.\n');
    expect(render('terminal', 'validate', valid, plain)).toBe('worktree.a\nsession.a  ← worktree.a\n\ngaia.yaml is valid: 1 environments, 2 sessions in 1 groups, 2 resources (1 worktree, 1 session).\n');
    expect(render('terminal', 'validate', { ...valid, printResources: false }, plain)).toBe('gaia.yaml is valid: 1 environments, 2 sessions in 1 groups, 2 resources (1 worktree, 1 session).\n');
  });

  test('JSON: valid, then the errors or the counts (and resources when asked), and the warnings', () => {
    expect(render('json', 'validate', { file: 'gaia.yaml', warnings: [], valid: false, errors: [error] }, plain)).toBe(`${JSON.stringify({ valid: false, errors: [error], warnings: [] }, null, 2)}\n`);
    expect(JSON.parse(render('json', 'validate', valid, plain)!)).toEqual({ valid: true, resources: [{ address: 'worktree.a', kind: 'worktree', dependsOn: [] }, { address: 'session.a', kind: 'session', dependsOn: ['worktree.a'] }], counts: { worktree: 1, session: 1 }, warnings: ['w'] });
    expect(Object.keys(JSON.parse(render('json', 'validate', { ...valid, printResources: false }, plain)!))).toEqual(['valid', 'counts', 'warnings']);
  });
});

describe('state', () => {
  const record = (address: string) => ({ kind: 'tmux_session', address, attributes: { name: address }, specHash: 'h', dependsOn: [] });
  const holder = { pid: 42, host: 'box', since: '2026-01-01T00:00:00Z', command: 'gaia apply' };

  test('list: the addresses sorted for a terminal, the records as JSON', () => {
    expect(formatsFor('stateList')).toEqual(['terminal', 'json']);
    expect(render('terminal', 'stateList', { recorded: [record('b'), record('a')] }, plain)).toBe('a\nb\n');
    expect(render('terminal', 'stateList', { recorded: [] }, plain)).toBe('gaia owns nothing yet.\n');
    expect(render('json', 'stateList', { recorded: [record('b')] }, plain)).toBe(`${JSON.stringify([record('b')], null, 2)}\n`);
  });

  test('show: one record, as JSON only', () => {
    expect(formatsFor('stateResource')).toEqual(['json']);
    expect(render('json', 'stateResource', record('a'), plain)).toBe(`${JSON.stringify(record('a'), null, 2)}\n`);
  });

  test('unlock: what was done, naming the holder', () => {
    expect(render('terminal', 'stateUnlocked', { kind: 'none' }, plain)).toBe('The state was not locked.\n');
    expect(render('terminal', 'stateUnlocked', { kind: 'cleared', holder }, plain)).toBe('Cleared the lock of gaia apply (pid 42 on box, since 2026-01-01T00:00:00Z), which no longer runs.\n');
    expect(render('terminal', 'stateUnlocked', { kind: 'forced', holder }, plain)).toMatch(/^Removed the lock record of gaia apply \(pid 42 .*; it is still running/);
    expect(render('json', 'stateUnlocked', { kind: 'none' }, plain)).toBeUndefined();
  });

  test('rebuild: the store set aside, then each address recorded or left alone and the counts', () => {
    expect(render('terminal', 'stateSetAside', { path: '/p/state.db.damaged' }, plain)).toBe('The damaged state store was moved aside to /p/state.db.damaged.\n');
    expect(render('terminal', 'stateRebuilt', { recorded: ['a'], missing: ['m'], leftAlone: [{ address: 'x', why: 'unmarked' }] }, plain)).toBe(
      '  recorded a\n  left alone x: unmarked\nRebuilt the state: 1 recorded as gaia\'s, 1 missing (the next apply creates them), 1 left alone.\nRun `gaia plan` to see what remains.\n',
    );
  });

  test('history: a line per apply and its steps; nothing for none; the applies as JSON', () => {
    const apply = { id: 3, startedAt: 't0', status: 'failed', command: 'apply', manifestHash: 'm', summary: '1 failed',
      steps: [{ address: 'tmux_session.a', action: 'create', status: 'failed', error: 'boom', at: 't1' }, { address: 'file.b', action: 'update', status: 'done', at: 't2' }] } as const;
    expect(render('terminal', 'stateHistory', { applies: [apply] }, plain)).toBe('#3 t0 apply: failed — 1 failed\n    failed  create  tmux_session.a: boom\n    done    update  file.b\n');
    expect(render('terminal', 'stateHistory', { applies: [] }, plain)).toBe('');
    expect(render('json', 'stateHistory', { applies: [apply] }, plain)).toBe(`${JSON.stringify([apply], null, 2)}\n`);
  });
});

describe('reconcile', () => {
  const round = {
    result: 'failed', revision: '0123456789abcdef', ref: 'origin/main', summary: 'apply failed', error: 'git said\nno', errors: [],
    plan: { changes: [] }, held: [{ change: { address: 'sqlite_db.qa', action: 'replace', reasons: [] }, why: 'destructive' }],
    restarted: [], crashLooping: [{ address: 'tmux_session.a', restarts: 3, lastOutput: 'boom' }],
    apply: { results: [{ address: 'file.a', status: 'done' }] }, startedAt: 't0', finishedAt: 't1',
  } as never;

  test('terminal: when and at what the round ended, then its error and what crash-loops', () => {
    expect(formatsFor('reconcileRound')).toEqual(['terminal', 'json']);
    expect(render('terminal', 'reconcileRound', round, plain)).toBe(
      '[t1] origin/main@0123456789ab: failed — apply failed\n  git said\n  no\n  tmux_session.a is crash-looping (3 restarts); last output:\n    | boom\n',
    );
  });

  test('JSON: one line, without the plan, the held changes by address, the apply\'s results', () => {
    const line = render('json', 'reconcileRound', round, { color: false, oneLine: true })!;
    expect(line).not.toContain('\n');
    const doc = JSON.parse(line);
    expect(doc.plan).toBeUndefined();
    expect(doc.held).toEqual([{ address: 'sqlite_db.qa', action: 'replace', why: 'destructive' }]);
    expect(doc.apply).toEqual([{ address: 'file.a', status: 'done' }]);
    expect(Object.keys(doc)).toEqual(['result', 'revision', 'ref', 'summary', 'error', 'errors', 'restarted', 'crashLooping', 'startedAt', 'finishedAt', 'held', 'apply']);
  });
});
