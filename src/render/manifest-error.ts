/** A manifest error as one located line (`file:line:col  path: message (fix)`), wherever it is shown. */
import type { ManifestError } from '../manifest/types.js';

export function formatManifestError(e: ManifestError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.col}` : e.file;
  return `${where}  ${e.path}: ${e.message}${e.fix ? ` (${e.fix})` : ''}`;
}
