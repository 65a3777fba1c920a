/** File-system errors said for people: which path, and what is in the way. */

/** `cannot write envs/x.json: envs is a file, not a folder` rather than `EEXIST: file already exists, mkdir …`. */
export function writeFailure(rel: string, error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const where = e.path ? ` (${e.path})` : '';
  switch (e.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return `cannot write ${rel}: a file is in the way where a folder is needed${where}`;
    case 'EACCES':
    case 'EPERM':
      return `cannot write ${rel}: permission denied${where}`;
    case 'EROFS':
      return `cannot write ${rel}: the file system is read-only${where}`;
    case 'ENOSPC':
      return `cannot write ${rel}: no space left on the device${where}`;
    default:
      return `cannot write ${rel}: ${e.message ?? String(error)}`;
  }
}
