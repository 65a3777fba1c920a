import type { Change } from '../../src/core/plan.js';
import { landed, pack } from '../../src/providers/tmux/apply.js';
import { MAX_INVOCATION_BYTES, chain, chainBytes, escapeArg, programArgv, tmuxArgs } from '../../src/providers/tmux/commands.js';
import type { Executor } from '../../src/host/exec.js';
import { localHost } from '../../src/host/local/local-host.js';
import { LIST_FORMAT, isNoServer, listSessions, parseRows, type SessionRow } from '../../src/providers/tmux/list.js';
import { relativeToRoot } from '../../src/providers/tmux/observe.js';
import { sessionSpecHash } from '../../src/providers/tmux/spec.js';
import { prepare, type Work } from '../../src/providers/tmux/work.js';

const attrs = { name: 'w1', command: 'sleep 1', cwd: 'envs/dev1', env: { K: 'v;' }, group: 'g', provider: null, agent: false };
const change = (action: Change['action'], extra: Partial<Change> = {}): Change => ({
  kind: 'tmux_session', address: 'tmux_session.w1', action, reasons: [], diffs: [], dependsOn: [], hazards: [],
  after: attrs, specHash: sessionSpecHash(attrs), ...extra,
});
const work = (c: Change): Work => {
  const p = prepare(c, 0, '/proj');
  if (!p.ok) throw new Error(p.error);
  return p.work;
};

/** What tmux 3.3a does to one argv element (cmd_parse_from_arguments): a trailing `;` ends the
 *  command, a trailing `\;` becomes `;`. Used to prove escapeArg round-trips. */
function tmuxReads(element: string): { arg: string; ends: boolean } {
  if (!element.endsWith(';')) return { arg: element, ends: false };
  const cut = element.slice(0, -1);
  return cut.endsWith('\\') ? { arg: `${cut.slice(0, -1)};`, ends: false } : { arg: cut, ends: true };
}

describe('tmux argv', () => {
  test('the head is `tmux -L socket -u`, or `tmux -u` for the default server: gaia\'s clients speak UTF-8 in any locale', () => {
    expect(tmuxArgs({ socket: 's1' })).toEqual(['tmux', '-L', 's1', '-u']);
    expect(tmuxArgs({ socket: undefined })).toEqual(['tmux', '-u']);
  });

  test.each([';', 'a;', 'a\\;', '\\;', ';;', 'plain', '', 'x; y'])('escapeArg(%j) reaches tmux unchanged and ends no command', (s) => {
    expect(tmuxReads(escapeArg(s))).toEqual({ arg: s, ends: false });
  });

  test('chains commands with separate `;` elements and escapes every argument', () => {
    expect(chain([['a', 'x;'], ['b']])).toEqual(['a', 'x\\;', ';', 'b']);
    expect(chainBytes([['ab'], ['c']])).toBe(3 + 2 + 2);
  });

  test('a string command is one argument; a one-element array is quoted for the shell; longer arrays pass as they are', () => {
    expect(programArgv('echo $HOME; sleep 1')).toEqual(['echo $HOME; sleep 1']);
    expect(programArgv(['./run me.sh'])).toEqual([`'./run me.sh'`]);
    expect(programArgv(['claude'])).toEqual(['claude']);
    expect(programArgv(['node', '-e', '$(x)'])).toEqual(['node', '-e', '$(x)']);
  });

  test('create: new-session with cwd resolved, user env, marks, `--` before the command, then remain-on-exit', () => {
    const w = work(change('create'));
    expect(w.commands).toEqual([
      ['new-session', '-d', '-s', 'w1', '-c', '/proj/envs/dev1', '-e', 'K=v;', '-e', `GAIA_SPEC=${sessionSpecHash(attrs)}`,
        '-e', 'GAIA_ADDRESS=tmux_session.w1', '-e', 'GAIA_META={"group":"g","provider":null,"agent":false}', '--', 'sleep 1'],
      ['set-option', '-w', '-t', '=w1:', 'remain-on-exit', 'on'],
    ]);
  });

  test('remainOnExit: false leaves out the set-option (the costly part of a large apply)', () => {
    expect(work(change('create', { after: { ...attrs, remainOnExit: false } })).commands.map((c) => c[0])).toEqual(['new-session']);
  });

  test('replace kills by exact name first; delete only kills; update rewrites the marks and remain-on-exit', () => {
    expect(work(change('replace')).commands[0]).toEqual(['kill-session', '-t', '=w1']);
    expect(work(change('replace')).commands.slice(1)).toEqual(work(change('create')).commands);
    expect(work(change('delete', { after: undefined, before: { name: 'w1' } })).commands).toEqual([['kill-session', '-t', '=w1']]);
    expect(work(change('update')).commands.map((c) => c.slice(0, 5))).toEqual([
      ['set-environment', '-t', '=w1', '--', 'GAIA_SPEC'],
      ['set-environment', '-t', '=w1', '--', 'GAIA_ADDRESS'],
      ['set-environment', '-t', '=w1', '--', 'GAIA_META'],
      ['set-option', '-w', '-t', '=w1:', 'remain-on-exit'],
    ]);
  });

  test('`#` in the session name and folder is doubled (tmux expands formats there)', () => {
    const w = work(change('create', { after: { ...attrs, name: 'a#b', cwd: 'x#{y}' }, address: 'tmux_session.a#b' }));
    expect(w.commands[0]!.slice(2, 6)).toEqual(['-s', 'a##b', '-c', '/proj/x##{y}']);
  });

  test('a name tmux would rewrite is refused', () => {
    expect(prepare(change('create', { after: { ...attrs, name: 'dev.1' } }), 0, '/proj')).toMatchObject({ ok: false });
  });
});

describe('batching', () => {
  test('packs changes in order under the byte limit', () => {
    const ws = Array.from({ length: 200 }, () => work(change('create')));
    const batches = pack(ws);
    expect(batches.flat()).toEqual(ws);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(chainBytes(b.flatMap((w) => w.commands))).toBeLessThanOrEqual(MAX_INVOCATION_BYTES);
  });

  test('a change bigger than the limit goes alone', () => {
    const big = work(change('create', { after: { ...attrs, env: { BIG: 'x'.repeat(MAX_INVOCATION_BYTES) } } }));
    const small = work(change('create'));
    expect(pack([small, big, small]).map((b) => b.length)).toEqual([1, 1, 1]);
  });

  const row = (extra: Partial<SessionRow> = {}): SessionRow => ({
    name: 'w1', spec: sessionSpecHash(attrs), meta: { group: 'g', provider: null, agent: false }, created: 1000, path: '/proj/envs/dev1',
    panePid: 7, paneDead: false, paneDeadStatus: null, paneDeadSignal: null, currentCommand: 'sleep', activity: 1000, remainOnExit: true, startCommand: 'sleep 1',
    serverPid: 99, ...extra,
  });

  test('after a failed batch, a change counts as landed only if its effect is visible', () => {
    expect(landed(work(change('create')), row(), 1000)).toBe(true);
    expect(landed(work(change('create')), row({ spec: undefined }), 1000)).toBe(false); // someone else's session
    expect(landed(work(change('create')), undefined, 1000)).toBe(false);
    expect(landed(work(change('delete', { after: undefined, before: { name: 'w1' } })), undefined, 1000)).toBe(true);
    expect(landed(work(change('delete', { after: undefined, before: { name: 'w1' } })), row(), 1000)).toBe(false);
    // A replace with the same spec: the old session (old pid, older) is not the new one.
    const replace = work(change('replace', { before: { panePid: 7 } }));
    expect(landed(replace, row(), 1000)).toBe(false);
    expect(landed(replace, row({ panePid: 8, created: 1001 }), 1000)).toBe(true);
    expect(landed(work(change('update', { after: { ...attrs, group: 'h' } })), row(), 1000)).toBe(false);
    expect(landed(work(change('update', { after: { ...attrs, group: 'h' } })), row({ meta: { group: 'h', provider: null, agent: false } }), 1000)).toBe(true);
  });
});

describe('list-sessions parsing', () => {
  const F = '\x1f';
  const record = (fields: string[]) => `${fields.join(F)}\x1e\n`;

  test('reads every column, keeps the marks only when the address mark names the same session', () => {
    expect(LIST_FORMAT).toContain('#{GAIA_SPEC}');
    const out = record(['w1', 'abc', 'tmux_session.w1', '{"group":"g","provider":"p","agent":true}', '100', '/proj/x', '55', '1', '3', 'node', '150', '160', 'on', 'sh -c "a\\nb"', '', '4242'])
      + record(['other', 'abc', 'tmux_session.w1', '{"group":"g"}', '100', '/elsewhere', '56', '1', '', 'bash', '', '', 'off', 'bash', '9', '4242']);
    const rows = parseRows(out);
    expect(rows.get('w1')).toEqual({
      name: 'w1', spec: 'abc', meta: { group: 'g', provider: 'p', agent: true }, created: 100, path: '/proj/x', panePid: 55,
      paneDead: true, paneDeadStatus: 3, paneDeadSignal: null, currentCommand: 'node', activity: 160, remainOnExit: true, startCommand: 'sh -c "a\\nb"',
      serverPid: 4242,
    });
    // `other` reads GAIA_* from the server's global environment: not a mark of its own.
    expect(rows.get('other')).toEqual({
      name: 'other', created: 100, path: '/elsewhere', panePid: 56, paneDead: true, paneDeadStatus: null, paneDeadSignal: 9, currentCommand: 'bash', activity: null,
      remainOnExit: false, startCommand: 'bash', serverPid: 4242,
    });
  });

  test('a dead pane tmux has not reaped yet (no status, no signal): the server is nudged and listed again, once', async () => {
    const line = (status: string) => record(['w1', '', '', '', '100', '/p', '55', '1', status, 'node', '', '', 'on', 'node', '', '4242']);
    const outputs = [line(''), line('0')];
    const argvs: string[][] = [];
    const exec: Executor = {
      spawned: 0,
      run: async (argv) => {
        argvs.push([...argv]);
        return { argv, exitCode: 0, stdout: outputs.shift() ?? line(''), stderr: '', failed: false };
      },
    };
    const nudged: number[] = [];
    const listed = await listSessions({ host: localHost(exec), socket: undefined }, async (pid) => (nudged.push(pid), true));
    expect(nudged).toEqual([4242]);
    expect(argvs).toHaveLength(2);
    expect(listed.ok && listed.rows.get('w1')!.paneDeadStatus).toBe(0);
    // Still unknown after the nudge: reported as it is, no endless retries; a signal needs no nudge.
    outputs.push(line(''), line(''));
    const again = await listSessions({ host: localHost(exec), socket: undefined }, async (pid) => (nudged.push(pid), true));
    expect(again.ok && again.rows.get('w1')!.paneDeadStatus).toBeNull();
    expect(argvs).toHaveLength(4);
    outputs.push(record(['w1', '', '', '', '100', '/p', '55', '1', '', 'node', '', '', 'on', 'node', '15', '4242']));
    await listSessions({ host: localHost(exec), socket: undefined }, async (pid) => (nudged.push(pid), true));
    expect(nudged).toHaveLength(2);
    expect(argvs).toHaveLength(5);
  });

  test('tmux messages for "no server" mean no sessions', () => {
    expect(isNoServer('no server running on /tmp/tmux-0/x\n')).toBe(true);
    expect(isNoServer('error connecting to /tmp/tmux-0/x (No such file or directory)\n')).toBe(true);
    expect(isNoServer('unknown option -- Q')).toBe(false);
  });

  test('session folders are shown relative to the root when inside it', () => {
    expect(relativeToRoot('/proj', '/proj')).toBe('.');
    expect(relativeToRoot('/proj', '/proj/envs/dev1')).toBe('envs/dev1');
    expect(relativeToRoot('/proj', '/tmp/x')).toBe('/tmp/x');
  });
});
