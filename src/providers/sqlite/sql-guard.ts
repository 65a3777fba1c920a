/** What a migration may do to files. better-sqlite3 12 exposes neither SQLite's authorizer nor
 *  `sqlite3_limit(SQLITE_LIMIT_ATTACHED)`, so the guard reads the SQL the way SQLite's tokenizer does:
 *  strings, quoted identifiers and comments are skipped, and what remains is split into words. The
 *  only statements that name a file are `ATTACH` and `VACUUM … INTO`; `load_extension()` is off as a
 *  SQL function in better-sqlite3 (only its C API is enabled) and `writable_schema` is refused
 *  elsewhere. A word is a run of SQLite's identifier characters (letters, digits, `_`, `$`, bytes ≥
 *  0x80), so `xattach` is not `attach`, and `1attach` is an illegal token SQLite itself rejects. */
import path from 'node:path';

export type SqlToken =
  | { readonly kind: 'word'; readonly text: string; readonly offset: number }
  | { readonly kind: 'string'; readonly text: string; readonly offset: number }
  | { readonly kind: 'other'; readonly text: string; readonly offset: number };

const isIdChar = (c: string) => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;

/** SQLite's tokens, minus whitespace and comments; quoted identifiers come back as `other`. */
export function sqlTokens(sql: string): SqlToken[] {
  const out: SqlToken[] = [];
  let i = 0;
  const closeQuote = (q: string, from: number): number => {
    // The quote doubled is an escaped quote; an unterminated literal runs to the end (SQLite rejects it).
    let j = from;
    for (;;) {
      const k = sql.indexOf(q, j);
      if (k < 0) return sql.length;
      if (sql[k + 1] === q && q !== ']') {
        j = k + 2;
        continue;
      }
      return k + 1;
    }
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'") {
      const end = closeQuote("'", i + 1);
      out.push({ kind: 'string', text: sql.slice(i + 1, end - 1).replace(/''/g, "'"), offset: i });
      i = end;
    } else if (c === '"' || c === '`' || c === '[') {
      const end = closeQuote(c === '[' ? ']' : c, i + 1);
      out.push({ kind: 'other', text: sql.slice(i, end), offset: i });
      i = end;
    } else if (isIdChar(c)) {
      let j = i + 1;
      while (j < sql.length && isIdChar(sql[j]!)) j++;
      out.push({ kind: 'word', text: sql.slice(i, j), offset: i });
      i = j;
    } else {
      out.push({ kind: 'other', text: c, offset: i });
      i++;
    }
  }
  return out;
}

/** One place a migration names a file: `ATTACH` or `VACUUM INTO`, with the literal path when it is one. */
export type FileTarget = { readonly statement: 'ATTACH' | 'VACUUM INTO'; readonly path: string | undefined; readonly line: number };

const isWord = (t: SqlToken | undefined, w: string) => t?.kind === 'word' && t.text.toLowerCase() === w;

function lineOf(sql: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (sql.charCodeAt(i) === 10) n++;
  return n;
}

/** Every ATTACH and VACUUM in the SQL. A VACUUM without INTO touches only its own database and is not listed. */
export function fileTargets(sql: string): FileTarget[] {
  const tokens = sqlTokens(sql);
  const out: FileTarget[] = [];
  const literalAt = (k: number): string | undefined => {
    // Only a lone string literal is a path gaia can judge; `'a' || 'b'` or a parameter is not.
    const t = tokens[k];
    const next = tokens[k + 1];
    const ends = next === undefined || (next.kind === 'other' && next.text === ';') || isWord(next, 'as');
    return t?.kind === 'string' && ends ? t.text : undefined;
  };
  tokens.forEach((t, k) => {
    if (isWord(t, 'attach')) {
      const at = isWord(tokens[k + 1], 'database') ? k + 2 : k + 1;
      out.push({ statement: 'ATTACH', path: literalAt(at), line: lineOf(sql, t.offset) });
    } else if (isWord(t, 'vacuum')) {
      let at = k + 1;
      if (tokens[at] && !isWord(tokens[at], 'into') && (tokens[at]!.kind === 'word' || tokens[at]!.kind === 'other') && tokens[at]!.text !== ';') at++;
      if (isWord(tokens[at], 'into')) out.push({ statement: 'VACUUM INTO', path: literalAt(at + 1), line: lineOf(sql, t.offset) });
      else if (tokens[at] && !(tokens[at]!.kind === 'other' && tokens[at]!.text === ';')) {
        // Something after VACUUM that is not a plain schema name and INTO: not a form gaia can read.
        out.push({ statement: 'VACUUM INTO', path: undefined, line: lineOf(sql, t.offset) });
      }
    }
  });
  return out;
}

/** For comparing schemas (plan, status, and apply's check of a database gaia did not create): no file at all. */
export function refuseAnyFile(file: string, sql: string): string | undefined {
  const t = fileTargets(sql)[0];
  return t && `${file}:${t.line}: ${t.statement} is not run to compare schemas (it could touch a file); gaia cannot tell whether this database matches its migrations`;
}

/** Names SQLite does not take as a file on disk. */
const NOT_A_FILE = new Set(['', ':memory:']);

/** For apply: ATTACH and VACUUM INTO only to a literal path inside the root. SQLite resolves a relative
 *  path from the process's working folder, so the path is judged from there (`cwd`), as SQLite will
 *  open it; `inside` is resolveInside (symlinks followed). */
export function refuseOutside(
  file: string,
  sql: string,
  root: string,
  cwd: string,
  inside: (rel: string) => { readonly ok: boolean },
): string | undefined {
  for (const t of fileTargets(sql)) {
    if (t.path === undefined) return `${file}:${t.line}: ${t.statement} needs a plain string literal as its path; gaia will not run it`;
    if (NOT_A_FILE.has(t.path)) continue;
    const rel = path.relative(root, path.resolve(cwd, t.path));
    if (path.isAbsolute(rel) || rel === '..' || rel.startsWith(`..${path.sep}`) || !inside(rel).ok) {
      return `${file}:${t.line}: ${t.statement} '${t.path}' leads outside the project root; gaia will not run it`;
    }
  }
  return undefined;
}
