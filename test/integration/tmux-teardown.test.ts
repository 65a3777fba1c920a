/** Teardown ends the whole program: a session whose program spawns children and double-forks daemons
 *  (one of which ignores SIGHUP and SIGTERM) leaves nothing running after `gaia destroy` or a
 *  replace, and the apply says what it ended; processes carrying another session's marks, or the
 *  same address of another project, are not touched. Real tmux on a private socket, the built CLI. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { testProject, type TestProject } from '../helpers/cli.js';
import { until } from '../helpers/poll.js';

/** Running and not a zombie. */
function alive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

// A child in the pane's group; a daemon in a session of its own, re-parented to init at once; and
// one that ignores SIGHUP and SIGTERM (ignored dispositions survive exec), so only SIGKILL ends it.
const PROGRAM = [
  'sh -c \'echo $$ > "$PIDS/$GAIA_SESSION/child"; exec sleep 600\' &',
  '( setsid sh -c \'echo $$ > "$PIDS/$GAIA_SESSION/daemon"; exec sleep 600\' & ) ;',
  '( setsid sh -c \'trap "" HUP TERM; echo $$ > "$PIDS/$GAIA_SESSION/stubborn"; exec sleep 600\' & ) ;',
  'echo up; exec sleep 600',
].join(' ');

const manifest = (pids: string, n: number) => `
version: 1
project: teardown
groups:
  work:
    names: [w1, w2]
    command: ${JSON.stringify(`${PROGRAM} # ${n}`)}
    vars: { PIDS: "${pids}" }
`;

describe('teardown ends the whole program of a session', () => {
  let p: TestProject;
  let pids: string;
  const neighbours: ChildProcess[] = [];
  const read = (session: string) => Object.fromEntries(['child', 'daemon', 'stubborn'].map((k) => [k, Number(fs.readFileSync(path.join(pids, session, k), 'utf8'))]));
  const started = (session: string) => until(() => ['child', 'daemon', 'stubborn'].every((k) => fs.existsSync(path.join(pids, session, k)) && fs.readFileSync(path.join(pids, session, k), 'utf8').endsWith('\n')));

  beforeAll(async () => {
    p = testProject('version: 1\nproject: teardown\n');
    pids = path.join(p.root, 'pids');
    for (const s of ['w1', 'w2']) fs.mkdirSync(path.join(pids, s), { recursive: true });
    p.write('orchestration.yaml', manifest(pids, 1));
    expect((await p.gaia(['apply', '--auto-approve'], { GAIA_TEARDOWN_GRACE: '300' })).code).toBe(0);
    expect(await started('w1')).toBe(true);
    expect(await started('w2')).toBe(true);
  });
  afterAll(() => {
    for (const n of neighbours) n.kill('SIGKILL');
    p?.cleanup();
  });

  it('after a replace, none of the old program runs, the new one does, and the apply says what ended', async () => {
    const old = { w1: read('w1'), w2: read('w2') };
    for (const s of ['w1', 'w2']) for (const k of ['child', 'daemon', 'stubborn']) fs.rmSync(path.join(pids, s, k));
    p.write('orchestration.yaml', manifest(pids, 2));
    const r = await p.gaia(['apply', '--auto-approve'], { GAIA_TEARDOWN_GRACE: '300' });
    expect(r.code).toBe(0);
    // The pane's shell (exec'd into sleep), its child and both daemons; two outlived the session.
    expect(r.stdout).toContain('tmux_session.w1: replaced (ended 4 processes (2 outlived the session: 1 ended on SIGTERM, 1 needed SIGKILL))');
    for (const pid of [...Object.values(old.w1), ...Object.values(old.w2)]) expect(alive(pid)).toBe(false);
    expect(await started('w1')).toBe(true);
    for (const pid of Object.values(read('w1'))) expect(alive(pid)).toBe(true);
  });

  it('gaia destroy leaves none of any program running, and spares processes with other marks', async () => {
    const project = p.tmux(['show-environment', '-t', '=w1', 'GAIA_PROJECT']).trim().replace(/^GAIA_PROJECT=/, '');
    expect(project).toMatch(/^teardown@\//);
    const neighbour = (env: Record<string, string>) => {
      const c = spawn('sleep', ['600'], { env: { ...process.env, GAIA_PROJECT: project, GAIA_ADDRESS: 'tmux_session.w1', ...env }, stdio: 'ignore' });
      neighbours.push(c);
      return c.pid!;
    };
    const spared = [neighbour({ GAIA_ADDRESS: 'tmux_session.w3' }), neighbour({ GAIA_PROJECT: `${project}-other` }), neighbour({ GAIA_ADDRESS: 'tmux_session.w10' })];
    const programs = [...Object.values(read('w1')), ...Object.values(read('w2'))];
    const r = await p.gaia(['destroy', '--auto-approve'], { GAIA_TEARDOWN_GRACE: '300' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tmux_session.w2: destroyed (ended 4 processes (2 outlived the session: 1 ended on SIGTERM, 1 needed SIGKILL))');
    expect(programs.filter(alive)).toEqual([]);
    expect(spared.filter(alive)).toEqual(spared);
  });
});
