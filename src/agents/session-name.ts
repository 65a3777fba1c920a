/** Which session of the manifest a name on the command line means (`gaia send`, `gaia attach`): its
 *  name or its address (`tmux_session.NAME`), and for a name that is neither, what was probably meant.
 *  Pure: the model in, a value out. */
import type { GroupInfo, Model, SessionInfo } from '../manifest/model.js';
import { addressOf, nameOf } from '../providers/tmux/session.js';
import { didYouMean } from '../manifest/suggest.js';

export interface NamedSession {
  readonly session: SessionInfo;
  readonly group: GroupInfo;
}

/** The session `name` names, by its name or its address; undefined when none does. */
export function sessionNamed(model: Pick<Model, 'groups'>, name: string): NamedSession | undefined {
  for (const group of model.groups) {
    const session = group.sessions.find((s) => s.name === name || addressOf(s.name) === name);
    if (session) return { session, group };
  }
  return undefined;
}

/** How many names a hint lists before it says how many there are in all. */
const LISTED = 10;

/** Names for a hint: `a, b, c`, or the first few and how many in all; `none` for none. */
export function listed(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  return names.length <= LISTED ? names.join(', ') : `${names.slice(0, LISTED).join(', ')}, … (${names.length} in all)`;
}

/** ` (did you mean "x"?)` for a misspelt session name (or address), or a group's name when `groups`. */
export function suggestion(model: Pick<Model, 'groups'>, name: string, groups: boolean): string {
  const sessions = model.groups.flatMap((g) => g.sessions.map((s) => s.name));
  const candidates = [...sessions, ...(groups ? model.groups.map((g) => g.name) : [])];
  return didYouMean(nameOf(name, undefined), candidates);
}
