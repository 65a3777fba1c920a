/** gaia's small error taxonomy: a user error (bad input, refused action) is a message and exit 1;
 *  anything else is a bug, reported as such. Only the CLI turns these into output and exit codes. */
import type { ManifestError } from '../manifest/types.js';

export class UserError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export class ManifestInvalid extends Error {
  constructor(readonly errors: readonly ManifestError[]) {
    super(`${errors.length} manifest error(s)`);
  }
}

export { formatManifestError } from '../render/manifest-error.js';
