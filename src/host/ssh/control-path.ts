/** Where gaia's ControlMaster sockets live: a private folder of gaia's own, never the user's ~/.ssh.
 *
 *  A unix socket's path has a hard limit (sun_path: 104 bytes on macOS and the BSDs, 108 on Linux), and
 *  ssh's `%C` (a 40-character hash of local host, remote host, port and user) plus the 17-character
 *  temporary suffix ssh adds while it binds must fit in it: so the folder is short, under
 *  $XDG_RUNTIME_DIR when that is short enough, else /tmp/gaia-ssh-<uid>. */
import fs from 'node:fs';
import path from 'node:path';

const SOCKET_PATH_MAX = 104 - 1; // the limit counts the closing NUL
const SOCKET_NAME = '%C';
const SOCKET_NAME_LENGTH = 40 + 17; // %C's hash, and ssh's ".XXXXXXXXXXXXXXXX" while binding

/** A folder ssh's -o ControlPath can name as it is: no spaces, quotes or `%` (ssh's token sign). */
const PLAIN = /^[A-Za-z0-9_./-]+$/;

export function fitsSocketPath(folder: string): boolean {
  return PLAIN.test(folder) && folder.length + 1 + SOCKET_NAME_LENGTH <= SOCKET_PATH_MAX;
}

/** The default folder for this user. */
export function defaultControlFolder(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  const runtime = env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'gaia-ssh') : undefined;
  return runtime && path.isAbsolute(runtime) && fitsSocketPath(runtime) ? runtime : `/tmp/gaia-ssh-${uid}`;
}

/** `-o ControlPath=` for sockets in `folder`, made private (0700) if it is not there. Throws, saying
 *  why, for a folder another user could reach into or that is too long for a socket's path. */
export function controlPath(folder: string): string {
  if (!fitsSocketPath(folder)) throw new Error(`${folder}: not usable for ssh control sockets (at most ${SOCKET_PATH_MAX - 1 - SOCKET_NAME_LENGTH} characters of letters, digits, _ . / -)`);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const s = fs.lstatSync(folder);
  const uid = process.getuid?.();
  if (!s.isDirectory()) throw new Error(`${folder}: not a folder (ssh control sockets go there)`);
  if (uid !== undefined && s.uid !== uid) throw new Error(`${folder}: owned by uid ${s.uid}, not by this user (ssh control sockets go there)`);
  if ((s.mode & 0o077) !== 0) throw new Error(`${folder}: reachable by other users (mode ${(s.mode & 0o777).toString(8)}; ssh control sockets need 700)`);
  return path.join(folder, SOCKET_NAME);
}
