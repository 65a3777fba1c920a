/** When a tmux server (or a kept worker) is started outside the login gaia runs in (src/host/local/login-scope.ts):
 *  only from a login's scope, and only where the user's manager outlives logins (lingering). */
import { outsideLoginPrefix, type LoginFacts } from '../../src/host/local/login-scope.js';

const inLogin: LoginFacts = { cgroup: '0::/user.slice/user-1000.slice/session-42.scope\n', lingering: true, userBus: true, systemdRun: '/usr/bin/systemd-run' };
const prefix = ['/usr/bin/systemd-run', '--user', '--scope', '--quiet', '--collect', '--'];

test.each<[string, Partial<LoginFacts>, readonly string[]]>([
  ['an ssh login of a lingering user, with systemd-run and a user bus', {}, prefix],
  ['a cgroup v1 line naming the login', { cgroup: '1:name=systemd:/user.slice/user-1000.slice/session-c3.scope\n0::/\n' }, prefix],
  ['no cgroup file (not Linux, or no /proc)', { cgroup: undefined }, []],
  ['already a scope of the user manager (a desktop terminal, or systemd-run before)', { cgroup: '0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope\n' }, []],
  ['a container or no systemd', { cgroup: '0::/\n' }, []],
  ['a user who does not linger (the manager would stop at the last logout, taking its scopes)', { lingering: false }, []],
  ['no user bus to ask', { userBus: false }, []],
  ['no systemd-run', { systemdRun: undefined }, []],
])('%s', (_, over, expected) => {
  expect(outsideLoginPrefix({ ...inLogin, ...over })).toEqual(expected);
});
