/** Observe every requested session with one `tmux list-sessions`, whatever their number. */
import path from 'node:path';
import type { Attributes, Observed } from '../../core/resource.js';
import type { ObserveContext, ObserveRequest, ObserveResult } from '../provider.js';
import { listSessions, type SessionRow } from './list.js';
import { SESSION_KIND, addressOf, nameOf } from './session.js';
import { tmuxServer } from './settings.js';

/** A path inside the root as the manifest writes it ('.', 'worktrees/dev1'); elsewhere, absolute. */
export function relativeToRoot(root: string, abs: string): string {
  if (abs === '') return abs;
  const rel = path.relative(root, abs);
  if (rel === '') return '.';
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
}

export function observedOf(address: string, row: SessionRow, root: string): Observed {
  const attributes: Attributes = {
    name: row.name,
    cwd: relativeToRoot(root, row.path),
    command: row.startCommand,
    created: row.created,
    panePid: row.panePid,
    paneDead: row.paneDead,
    paneDeadStatus: row.paneDeadStatus,
    paneDeadSignal: row.paneDeadSignal,
    currentCommand: row.currentCommand,
    activity: row.activity,
    remainOnExit: row.remainOnExit,
    // Only a session gaia marked says what it is; the planner compares these for in-place updates.
    ...(row.meta ? { group: row.meta.group, provider: row.meta.provider, agent: row.meta.agent } : {}),
  };
  return { kind: SESSION_KIND, address, attributes, ...(row.spec !== undefined ? { marker: row.spec } : {}), ...(row.project !== undefined ? { owner: row.project } : {}) };
}

export async function observeTmux(request: ObserveRequest, ctx: ObserveContext): Promise<ObserveResult> {
  const listed = await listSessions(tmuxServer(ctx));
  if (!listed.ok) {
    // Only a look for unmanaged sessions (status) can do without tmux; calling sessions that gaia
    // should manage "absent" would plan duplicates of running ones.
    if (request.desired.length === 0 && request.recorded.length === 0) {
      return { observed: [], unmanaged: [], warnings: [{ code: 'tmux_unavailable', text: `cannot list tmux sessions: ${listed.error}` }] };
    }
    throw new Error(`cannot list tmux sessions: ${listed.error}`);
  }
  const wanted = new Map<string, string>(); // session name -> address
  for (const r of [...request.desired, ...request.recorded]) wanted.set(nameOf(r.address, r.attributes), r.address);

  const observed: Observed[] = [];
  const unmanaged: Observed[] = [];
  for (const row of listed.rows.values()) {
    const address = wanted.get(row.name);
    if (address !== undefined) observed.push(observedOf(address, row, ctx.root));
    else unmanaged.push(observedOf(addressOf(row.name), row, ctx.root));
  }
  return { observed, unmanaged };
}
