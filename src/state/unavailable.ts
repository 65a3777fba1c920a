/** The state database cannot be opened or prepared (its folder is not writable, its path runs through a
 *  file, it is not a database; a server that cannot be reached or refuses the login): a fact about the
 *  machine for the user to fix, not a bug in gaia. `path` names the store as messages may show it (a
 *  PostgreSQL URL with its password masked). */
export class StateUnavailable extends Error {
  constructor(readonly path: string, reason: string, readonly hint?: string) {
    super(`cannot open the state database ${path}: ${reason}`);
  }
}
