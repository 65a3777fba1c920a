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

export function formatManifestError(e: ManifestError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.col}` : e.file;
  return `${where}  ${e.path}: ${e.message}${e.fix ? ` (${e.fix})` : ''}`;
}
