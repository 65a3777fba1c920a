/** Listening TCP sockets and who holds them, read from /proc in-process (Linux). No `ss`, no `lsof`. */
import { readdirSync, readFile, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

export interface ListeningSocket {
  readonly port: number;
  /** Local address as text: `127.0.0.1`, `0.0.0.0`, `::`. */
  readonly address: string;
  readonly family: 4 | 6;
  readonly inode: number;
}

export interface PortHolder {
  readonly pid: number;
  /** `/proc/PID/comm`: the process name, e.g. `node`. */
  readonly command: string;
}

const TCP_LISTEN = '0A';

function hexToIpv4(hex: string): string {
  // /proc prints the address as a little-endian 32-bit word.
  const bytes = [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return bytes.join('.');
}

function hexToIpv6(hex: string): string {
  // Four little-endian 32-bit words; reorder each word's bytes, then print eight 16-bit groups.
  const bytes: string[] = [];
  for (let word = 0; word < 4; word++) {
    const w = hex.slice(word * 8, word * 8 + 8);
    for (const i of [6, 4, 2, 0]) bytes.push(w.slice(i, i + 2));
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(parseInt(bytes[i]! + bytes[i + 1]!, 16));
  // Collapse the longest run of two or more zero groups into `::`.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hexOf = (g: readonly number[]) => g.map((n) => n.toString(16)).join(':');
  if (best.len < 2) return hexOf(groups);
  return `${hexOf(groups.slice(0, best.at))}::${hexOf(groups.slice(best.at + best.len))}`;
}

/** Parse `/proc/net/tcp` or `/proc/net/tcp6` text: the sockets in LISTEN state. Pure. */
export function parseProcNetTcp(text: string, family: 4 | 6): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    const inode = fields[9];
    if (!local || state !== TCP_LISTEN || inode === undefined) continue;
    const [addrHex, portHex] = local.split(':');
    if (!addrHex || !portHex) continue;
    out.push({
      port: parseInt(portHex, 16),
      address: family === 4 ? hexToIpv4(addrHex) : hexToIpv6(addrHex),
      family,
      inode: Number(inode),
    });
  }
  return out;
}

/** Every listening TCP socket on this machine (both files read once). */
export async function listeningPorts(procRoot = '/proc'): Promise<readonly ListeningSocket[]> {
  // fs.readFile's callback, not node:fs/promises: loading that module costs every command ~2 ms.
  const read = (file: string) => new Promise<string>((resolve) => readFile(path.join(procRoot, 'net', file), 'utf8', (err, text) => resolve(err ? '' : text)));
  const [v4, v6] = await Promise.all([read('tcp'), read('tcp6')]);
  return [...parseProcNetTcp(v4, 4), ...parseProcNetTcp(v6, 6)].sort((a, b) => a.port - b.port || a.family - b.family);
}

/** Find the processes holding socket inodes by scanning `/proc/*\/fd` once. Best effort:
 *  other users' processes are unreadable and simply stay unknown. */
export function socketHolders(inodes: ReadonlySet<number>, procRoot = '/proc'): ReadonlyMap<number, PortHolder> {
  const found = new Map<number, PortHolder>();
  if (inodes.size === 0) return found;
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const pid of pids) {
    const fdDir = path.join(procRoot, pid, 'fd');
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch {
      continue; // EACCES or the process exited
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(path.join(fdDir, fd));
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m) continue;
      const inode = Number(m[1]);
      if (!inodes.has(inode) || found.has(inode)) continue;
      let command = 'unknown';
      try {
        command = readFileSync(path.join(procRoot, pid, 'comm'), 'utf8').trim();
      } catch {
        // keep unknown
      }
      found.set(inode, { pid: Number(pid), command });
      if (found.size === inodes.size) return found;
    }
  }
  return found;
}
