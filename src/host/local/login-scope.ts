/** Starting a program so that it outlives the ssh login it was started from, under systemd.
 *
 *  A program started from an ssh login is in that login's scope (`session-N.scope`). Where logind
 *  kills a scope's processes when its login ends (`KillUserProcesses=yes`), a tmux server started
 *  there, with every session in it, goes with the login — and gaia's own logins end whenever their ssh
 *  master connection does. `systemd-run --user --scope` puts the program in a scope of the user's
 *  manager instead, which lives as long as that manager does: for good only when the user lingers
 *  (`loginctl enable-linger`). Without lingering the manager stops at the user's last logout and takes
 *  its scopes with it, while a login scope's processes survive where KillUserProcesses is off (the
 *  default on Debian and Ubuntu), so the scope is left as it is then. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onPath } from './program-path.js';

export interface LoginFacts {
  /** This process's /proc/self/cgroup, if there is one. */
  readonly cgroup: string | undefined;
  /** The user lingers: /var/lib/systemd/linger/<user> is there. */
  readonly lingering: boolean;
  /** The user manager's bus ($XDG_RUNTIME_DIR/bus), which systemd-run --user talks to. */
  readonly userBus: boolean;
  /** systemd-run's path on PATH. */
  readonly systemdRun: string | undefined;
}

/** The command prefix that starts a program outside this login's scope, or none where that is not
 *  needed (not in a login's scope) or would not hold (no lingering, no user manager, no systemd-run). */
export function outsideLoginPrefix(f: LoginFacts): readonly string[] {
  if (!inLoginScope(f.cgroup) || !f.lingering || !f.userBus || f.systemdRun === undefined) return [];
  return [f.systemdRun, '--user', '--scope', '--quiet', '--collect', '--'];
}

const inLoginScope = (cgroup: string | undefined): boolean => cgroup !== undefined && /\/session-[^/\n]+\.scope$/m.test(cgroup);

const read = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

export function loginFacts(env: NodeJS.ProcessEnv = process.env): LoginFacts {
  const cgroup = read('/proc/self/cgroup');
  // Read only when they could matter: most processes are in no login scope.
  if (!inLoginScope(cgroup)) return { cgroup, lingering: false, userBus: false, systemdRun: undefined };
  const user = os.userInfo().username;
  return {
    cgroup,
    lingering: fs.existsSync(path.join('/var/lib/systemd/linger', user)),
    userBus: env.XDG_RUNTIME_DIR !== undefined && fs.existsSync(path.join(env.XDG_RUNTIME_DIR, 'bus')),
    systemdRun: onPath('systemd-run', env.PATH),
  };
}

let cached: readonly string[] | undefined;
/** This process's prefix (see outsideLoginPrefix), found once. */
export function outsideLogin(): readonly string[] {
  cached ??= outsideLoginPrefix(loginFacts());
  return cached;
}
