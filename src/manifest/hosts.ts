/** Hosts: the machines gaia reaches over ssh (`hosts:`), what their `ssh:` means, and which
 *  environment lives where. Pure. */
import { didYouMean } from './suggest.js';
import type { Checks } from './checks.js';
import type { HostInfo } from './model.js';
import type { Manifest } from './types.js';
import type { PathSegment } from './parse.js';
import type { Attributes } from '../core/resource.js';

/** This machine. Never defined under `hosts:`; wherever a host is named, it means "here". */
export const LOCAL_HOST = 'local';

export type SshTarget = HostInfo['target'];

/** `[user@]host[:port]` → its parts, or why it is not one. ssh takes the last `@` as the separator
 *  (a user may be `me@corp`); an IPv6 address goes in brackets, `[::1]:2222`. */
export function parseSshTarget(text: string): { readonly target: SshTarget } | { readonly problem: string } {
  // Whitespace or a control character would split or smuggle an argument wherever the target is written.
  if (/[\s\p{Cc}]/u.test(text)) return { problem: 'it must not contain spaces' };
  const at = text.lastIndexOf('@');
  const user = at < 0 ? undefined : text.slice(0, at);
  const rest = at < 0 ? text : text.slice(at + 1);
  if (user === '') return { problem: 'the user before "@" is empty' };
  // A leading "-" would make ssh read the target as an option.
  if (user?.startsWith('-')) return { problem: 'the user must not start with "-"' };
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
  let host: string;
  let portText: string | undefined;
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else {
    const parts = rest.split(':');
    if (parts.length > 2) return { problem: 'an IPv6 address goes in brackets, e.g. [::1]:22' };
    host = parts[0]!;
    portText = parts[1];
  }
  if (host === '') return { problem: 'the host is empty' };
  if (host.startsWith('-')) return { problem: 'the host must not start with "-"' };
  if (/[[\]@]/.test(host)) return { problem: `the host "${host}" is not a host name` };
  let port: number | undefined;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) return { problem: `the port "${portText}" is not a number from 1 to 65535` };
  }
  return { target: { host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) } };
}

/** The remote hosts defined under `hosts:`, in manifest order; each mistake reported where it is. */
export function expandHosts(m: Manifest, checks: Checks): HostInfo[] {
  const out: HostInfo[] = [];
  for (const [name, h] of Object.entries(m.hosts ?? {})) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['hosts', name, ...rest];
    if (name === LOCAL_HOST) {
      checks.report(at(), 'the host name "local" is reserved: it means this machine', 'give the host another name; environments.hosts and groups.NAME.host take local to mean this machine', 'key');
      continue;
    }
    const parsed = parseSshTarget(h.ssh);
    if ('problem' in parsed) {
      checks.report(at('ssh'), `"${h.ssh}" is not [user@]host[:port]: ${parsed.problem}`, 'e.g. ssh: dev@gpu1.internal, ssh: gpu1:2222, or a Host alias from your ssh config');
    }
    // Relative would mean relative to wherever ssh lands, which gaia cannot see from here.
    if (!h.root.startsWith('/') && !h.root.startsWith('~/')) {
      checks.report(at('root'), `root "${h.root}" is neither an absolute path nor one in the remote user's home`, 'write an absolute path (/srv/gaia/app) or one starting with ~/ (~/gaia/app)');
    }
    out.push({
      name,
      target: 'target' in parsed ? parsed.target : { host: h.ssh },
      root: h.root,
      ...(h.tmux?.socket !== undefined ? { tmuxSocket: h.tmux.socket } : {}),
      ...(h.channels !== undefined ? { channels: h.channels } : {}),
    });
  }
  return out;
}

/** The remote host `name` stands for: undefined for local, and for an unknown name (reported at `at`). */
export function hostNamed(name: string, m: Manifest, at: readonly PathSegment[], checks: Checks): string | undefined {
  if (name === LOCAL_HOST) return undefined;
  const defined = Object.keys(m.hosts ?? {}).filter((n) => n !== LOCAL_HOST);
  if (defined.includes(name)) return name;
  checks.report(at, `unknown host "${name}"${didYouMean(name, [...defined, LOCAL_HOST])}`,
    `hosts: ${defined.join(', ') || 'none defined (add a hosts: section)'}; local means this machine`);
  return undefined;
}

/** Each environment's remote host (undefined: here), round-robin over environments.hosts in order. */
export function environmentHosts(m: Manifest, count: number, checks: Checks): (string | undefined)[] {
  const list = m.environments?.hosts;
  if (!list?.length) return Array.from({ length: count }, () => undefined);
  const resolved = list.map((name, i) => hostNamed(name, m, ['environments', 'hosts', i], checks));
  const hosts = Array.from({ length: count }, (_, i) => resolved[i % resolved.length]);
  checkRemoteClones(m, hosts, checks);
  return hosts;
}

/** The local repository is not on another host, so an environment there is a clone of repository.url. */
function checkRemoteClones(m: Manifest, hosts: readonly (string | undefined)[], checks: Checks): void {
  const remote = hosts.find((h) => h !== undefined);
  if (remote === undefined) return;
  if (m.environments?.source === 'worktree') {
    checks.report(['environments', 'source'], `environments on host ${remote} cannot be worktrees: the local repository is not there, so they are clones of repository.url`,
      'remove source: (environments on this machine stay worktrees), or list only local in environments.hosts');
  }
  const url = m.repository?.url;
  if (url === undefined) {
    checks.report(['environments', 'hosts'], `environments on host ${remote} are clones of repository.url on that host: set repository.url`,
      'add repository: { url: git@github.com:team/app.git }, a URL every host can clone from');
  } else if (!url.startsWith('/') && !/^[^/]*:/.test(url)) {
    // Not a URL (scheme:// or scp-like host:path) nor an absolute path: relative to this machine's project.
    checks.report(['repository', 'url'], `"${url}" is a path relative to this machine's project, which host ${remote} cannot clone from`,
      'use a URL the hosts can reach (git@github.com:team/app.git, https://…), or an absolute path that exists on each host');
  }
}

/** A resource's attributes on `host`: remote ones say where; local ones stay exactly as they always were. */
export function onHost(attributes: Attributes, host: string | undefined): Attributes {
  return host === undefined ? attributes : { ...attributes, host };
}
