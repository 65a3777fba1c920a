/** Who may talk to the dashboard. Loopback without a token is the default; anything reachable from
 *  another machine needs a token, checked on every request in constant time. Without a token, only
 *  loopback Host headers are answered, so a web page elsewhere cannot reach the API through DNS
 *  rebinding. Pure functions: the app wires them in. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

export const TOKEN_ENV = 'GAIA_TOKEN';
/** Short tokens are guessable; `openssl rand -hex 16` gives 32 characters. */
export const MIN_TOKEN_LENGTH = 16;

/** 127.0.0.0/8 and ::1 in every spelling (`0:0:0:0:0:0:0:1`, `::ffff:127.0.0.1`, `::ffff:7f00:1`):
 *  node's BlockList compares addresses, not strings, and maps IPv4-in-IPv6 itself. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** A loopback address, or the name localhost (and its subdomains). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = isIP(h);
  return family !== 0 && LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

export type BindCheck = { readonly ok: true } | { readonly ok: false; readonly error: string; readonly hint: string };

/** May the server bind `host` with this token? Non-loopback needs one of at least MIN_TOKEN_LENGTH characters. */
export function checkBind(host: string, token: string | undefined): BindCheck {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    return { ok: false, error: `the token is too short (${token.length} characters; at least ${MIN_TOKEN_LENGTH})`, hint: 'make one with `openssl rand -hex 16`' };
  }
  if (!isLoopback(host) && token === undefined) {
    return {
      ok: false,
      error: `refusing to serve on ${host} without a token: anyone who can reach it could read the project's status`,
      hint: `pass --token or set ${TOKEN_ENV} (e.g. ${TOKEN_ENV}=$(openssl rand -hex 16)), or bind 127.0.0.1`,
    };
  }
  return { ok: true };
}

/** Equal-length digests, so neither the content nor the length of the token leaks through timing. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request presents: `Authorization: Bearer T`. No cookie is read (see app.ts). */
export function presentedToken(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
}

/** The host name of a Host header (`127.0.0.1:7700`, `[::1]:7700`, `localhost`). */
export function hostOf(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1];
  const colon = header.lastIndexOf(':');
  // More than one colon without brackets: a bare IPv6 address, no port.
  return colon > 0 && header.indexOf(':') === colon ? header.slice(0, colon) : header;
}
