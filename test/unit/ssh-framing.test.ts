/** The pure parts of the ssh transport: what comes back out of a framed command's output, which
 *  arguments and environments can be sent, and where control sockets may live (a unix socket's path is
 *  at most 104 bytes on macOS and the BSDs). The real round trips are in test/integration/ssh-transport.test.ts. */
import { spawnSync } from 'node:child_process';
import { defaultControlFolder, fitsSocketPath } from '../../src/host/ssh/control-path.js';
import { remoteCommand, remoteCommandProblem, shellQuote, unframe } from '../../src/host/ssh/remote-command.js';
import { sshTargetProblem } from '../../src/host/ssh/ssh-executor.js';

const M = 'gaia-0123456789abcdef01234567';

describe('unframe', () => {
  test.each([
    ['noise before the marker, exit status after the output', `rc noise${M}\nout\nput\n${M} 3\n`, 'noise\n' + `${M}\nerr`, { kind: 'finished', exitCode: 3, stdout: 'out\nput', stderr: 'err' }],
    ['output without a final newline, and none at all', `${M}\n\n${M} 0\n`, `${M}\n`, { kind: 'finished', exitCode: 0, stdout: '', stderr: '' }],
    ['output that contains the marker itself is kept', `${M}\n${M} 1\nx\n${M} 0\n`, `${M}\n`, { kind: 'finished', exitCode: 0, stdout: `${M} 1\nx`, stderr: '' }],
    ['no trailer: the command was cut off', `${M}\npartial`, `${M}\nConnection closed`, { kind: 'cut-off', stdout: 'partial', stderr: 'Connection closed' }],
    ['no marker: nothing started', 'rc noise only', 'ssh: connect to host h port 22: Connection refused', { kind: 'not-started' }],
  ])('%s', (_name, stdout, stderr, expected) => {
    expect(unframe(stdout, stderr, M)).toEqual(expected);
  });
});

describe('remoteCommand', () => {
  test('quotes every argument, sends env on stdin only, and a fresh marker each time', () => {
    const a = remoteCommand(['printf', "it's"], { env: { K: 'secret\nvalue' }, input: 'in' });
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(a.script).toContain(`'printf' 'it'\\''s'`);
    expect(a.script).not.toContain('secret');
    expect(a.stdin).toBe(`export K='secret'"$gaia_nl"'value'\nin`);
    expect(remoteCommand(['true']).marker).not.toBe(remoteCommand(['true']).marker);
    expect(remoteCommand(['true']).stdin).toBeUndefined();
  });

  test('leaves the unset variables out of the command\'s environment (run here by sh, as the remote shell would)', () => {
    const c = remoteCommand(['sh', '-c', 'printf %s "${CI-none} ${KEEP-none}"'], { unsetEnv: ['CI'] });
    const r = spawnSync('sh', ['-c', c.script], { env: { ...process.env, CI: 'true', KEEP: 'kept' }, encoding: 'utf8' });
    expect(unframe(r.stdout, r.stderr, c.marker)).toMatchObject({ kind: 'finished', exitCode: 0, stdout: 'none kept' });
    expect(remoteCommandProblem(['true'], {}, undefined, ['CI; rm -rf x'])).toContain('not an environment variable name');
  });

  test.each([
    [[], {}, 'empty command'],
    [['a\0b'], {}, 'NUL byte'],
    [['true'], { 'A-B': 'x' }, 'not an environment variable name'],
    [['true'], { A: 'x\0' }, 'NUL byte'],
  ])('refuses %j with env %j', (argv, env, problem) => {
    expect(remoteCommandProblem(argv, env)).toContain(problem);
  });
});

describe('ssh targets', () => {
  test.each([
    [{ host: '-oProxyCommand=x' }, 'not a host name'],
    [{ host: 'a b' }, 'not a host name'],
    [{ host: 'u@h' }, 'not a host name'],
    [{ host: 'h', user: '-l' }, 'not a user name'],
    [{ host: 'h', port: 70000 }, 'not a port'],
  ])('%j is refused', (target, problem) => {
    expect(sshTargetProblem(target)).toContain(problem);
  });

  test('host aliases, names and addresses are taken', () => {
    for (const host of ['build-box', 'example.org', '10.0.0.7', '::1']) expect(sshTargetProblem({ host, user: 'dev', port: 2222 })).toBeUndefined();
  });
});

describe('control socket folder', () => {
  test('is under XDG_RUNTIME_DIR when that leaves room for the socket name, else /tmp/gaia-ssh-<uid>', () => {
    expect(defaultControlFolder({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe('/run/user/1000/gaia-ssh');
    expect(defaultControlFolder({}, 1000)).toBe('/tmp/gaia-ssh-1000');
    expect(defaultControlFolder({ XDG_RUNTIME_DIR: `/run/${'x'.repeat(40)}` }, 1000)).toBe('/tmp/gaia-ssh-1000');
    expect(defaultControlFolder({ XDG_RUNTIME_DIR: '/run/user/my dir' }, 1000)).toBe('/tmp/gaia-ssh-1000');
  });

  test('fits a 104-byte socket path with ssh\'s %C name and its temporary suffix', () => {
    expect(fitsSocketPath('/'.padEnd(45, 'x'))).toBe(true);
    expect(fitsSocketPath('/'.padEnd(46, 'x'))).toBe(false);
    expect(fitsSocketPath('/tmp/50%')).toBe(false);
  });
});
