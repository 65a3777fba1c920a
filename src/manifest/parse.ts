/** YAML text → plain value, keeping the document so any path can be mapped back to line:col. */
import {
  isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit,
  type Alias, type Document, type Node, type Pair, type YAMLError,
} from 'yaml';
import type { ManifestError } from './types.js';

export type PathSegment = string | number;

export interface Parsed {
  readonly file: string;
  readonly value: unknown;
  readonly errors: readonly ManifestError[];
  /** Line and column of the value (or, when it is absent, the nearest parent) at a path. */
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): { line: number; col: number };
}

/** A manifest is counts and templates (the 26-session reference system is 4 KB). The YAML library
 *  spends ~5 µs per byte on the densest documents, so this bounds any manifest to about a second. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
/** A document that repeats a key thousands of times needs a few errors, not one per line. */
const MAX_DUPLICATE_REPORTS = 20;
/** Alias expansions allowed when turning YAML into data: a "billion laughs" document stops here. */
const MAX_ALIAS_COUNT = 200;
/** Flow collections (`[[[…`) nested deeper than this are refused before parsing: the YAML composer
 *  recurses per level, so a deep one costs seconds and, near the size limit, all the memory there is. */
const MAX_FLOW_NESTING = 100;

type Pos = { line: number; col: number };

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(top level)';
}

export function parseManifestText(text: string, file: string): Parsed {
  const lineCounter = new LineCounter();
  const posOf = (offset: number): Pos => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const error = ({ line, col }: Pos, message: string, fix?: string): ManifestError => ({
    file, line, col, path: '(document)', message, ...(fix ? { fix } : {}),
  });
  const refuse = (e: ManifestError): Parsed => ({ file, value: undefined, errors: [e], locate: () => ({ line: e.line, col: e.col }) });

  const deep = tooDeep(text);
  if (deep) {
    return refuse(error(deep, `YAML syntax: brackets nest more than ${MAX_FLOW_NESTING} levels deep here; refusing to parse`, 'write the structure as ordinary indented YAML'));
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MANIFEST_BYTES) {
    return refuse(error({ line: 1, col: 1 }, `the file is ${bytes} bytes; manifests are limited to ${MAX_MANIFEST_BYTES}`, 'split generated content out of the manifest'));
  }

  let doc: Document.Parsed;
  try {
    // uniqueKeys is checked below: the library compares each key with every earlier one (quadratic:
    // 40,000 keys took 200 s), a Set per mapping does it in one pass.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
  } catch (e) {
    return refuse(error({ line: 1, col: 1 }, `YAML: ${firstLine(e instanceof Error ? e.message : String(e))}`));
  }
  const errors: ManifestError[] = doc.errors.map((e) => {
    const d = describeYamlError(e, text, doc, posOf);
    return error(d.pos, d.message, d.fix);
  });
  for (const dup of duplicateKeys(doc)) {
    const first = posOf(dup.first);
    errors.push(error(posOf(dup.at), `YAML syntax: key "${dup.key}" appears twice in the same mapping (first at ${first.line}:${first.col})`, 'remove or rename one of them, or merge their contents'));
  }
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  const locate = (path: readonly PathSegment[], at: 'key' | 'value' = 'value') => locateIn(doc, path, at, posOf);

  let value: unknown;
  if (errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/alias/i.test(message)) {
        const alias = firstAlias(doc);
        errors.push(error(
          alias?.range ? posOf(alias.range[0]) : { line: 1, col: 1 },
          `YAML aliases expand to more than ${MAX_ALIAS_COUNT} copies; refusing what looks like an alias bomb ("billion laughs")`,
          'write the values out instead of nesting aliases (*name) of aliases',
        ));
      } else {
        errors.push(error({ line: 1, col: 1 }, `YAML: ${firstLine(message)}`));
      }
    }
  }
  return { file, value, errors, locate };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Position of the first `[`/`{` past the nesting limit. Quote-unaware on purpose: it is a cheap
 *  guard, and no real manifest has a hundred unclosed brackets even inside its strings. */
function tooDeep(text: string): Pos | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_FLOW_NESTING) return { line, col: i - lineStart + 1 };
    } else if ((c === 93 || c === 125) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/** The yaml library's error, reworded for a person and placed on the character that matters. */
function describeYamlError(
  e: YAMLError,
  text: string,
  doc: Document.Parsed,
  posOf: (offset: number) => Pos,
): { pos: Pos; message: string; fix?: string } {
  const offset = skipSpaces(text, e.pos[0]);
  const pos = posOf(offset);
  const raw = firstLine(e.message);
  switch (e.code) {
    case 'BAD_INDENT':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return { pos, message: `YAML syntax: ${raw}`, fix: 'check the indentation of this line against the lines above it' };
    case 'TAB_AS_INDENT':
      return { pos, message: 'YAML syntax: tabs are not allowed as indentation', fix: 'indent with spaces' };
    case 'MISSING_CHAR': {
      const quote = /closing (["'])quote/.exec(raw)?.[1];
      if (!quote) return { pos, message: `YAML syntax: ${raw}` };
      const start = openQuoteAt(doc, e.pos[0]);
      return {
        pos: start === undefined ? pos : posOf(start),
        message: `YAML syntax: this quoted string is never closed (missing ${quote})`,
        fix: `add the closing ${quote} at the end of the value`,
      };
    }
    case 'DUPLICATE_KEY': {
      const dup = duplicateOf(doc, e.pos[0]);
      if (!dup) return { pos, message: 'YAML syntax: a key appears twice in the same mapping', fix: 'remove or rename one of them' };
      const first = posOf(dup.first);
      return {
        pos,
        message: `YAML syntax: key "${dup.key}" appears twice in the same mapping (first at ${first.line}:${first.col})`,
        fix: 'remove or rename one of them, or merge their contents',
      };
    }
    case 'MULTIPLE_DOCS':
      return { pos, message: 'YAML syntax: the file holds more than one YAML document ("---" starts another)', fix: 'a manifest is one document: remove the extra "---" and merge the parts' };
    case 'RESOURCE_EXHAUSTION':
      return { pos, message: 'YAML syntax: the document nests too deeply to read', fix: 'write the structure with fewer levels' };
    default:
      return { pos, message: `YAML syntax: ${raw}` };
  }
}

/** The yaml library places some errors at the start of an indented line; the reader wants the first character. */
function skipSpaces(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] === ' ') i++;
  return i < text.length && text[i] !== '\n' ? i : offset;
}

/** Where the quoted scalar that runs up to `offset` (the end of the file, usually) opened. */
function openQuoteAt(doc: Document.Parsed, offset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_, node) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (quoted && node.range && node.range[0] <= offset && offset <= node.range[2] && (start === undefined || node.range[0] > start)) start = node.range[0];
    },
  });
  return start;
}

/** Every scalar key that repeats one earlier in its mapping (as the library's uniqueKeys would report),
 *  found with one Set per mapping. */
function duplicateKeys(doc: Document.Parsed): { key: string; at: number; first: number }[] {
  const found: { key: string; at: number; first: number }[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        const k = pair.key;
        if (!isScalar(k) || !k.range) continue;
        const id = `${typeof k.value}:${String(k.value)}`;
        const first = seen.get(id);
        if (first === undefined) seen.set(id, k.range[0]);
        else found.push({ key: String(k.value), at: k.range[0], first });
        if (found.length >= MAX_DUPLICATE_REPORTS) return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** The key written at `offset` and the offset of its first occurrence in the same mapping. */
function duplicateOf(doc: Document.Parsed, offset: number): { key: string; first: number } | undefined {
  let found: { key: string; first: number } | undefined;
  visit(doc, {
    Pair(_, pair: Pair, path) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      const parent = path[path.length - 1];
      const key = String(pair.key.value);
      const first = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key && p.key.range?.[0] !== offset)
        : undefined;
      const firstKey = first?.key as Node | undefined;
      found = { key, first: firstKey?.range?.[0] ?? offset };
      return visit.BREAK;
    },
  });
  return found;
}

function firstAlias(doc: Document.Parsed): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

function locateIn(
  doc: Document,
  path: readonly PathSegment[],
  at: 'key' | 'value',
  posOf: (offset: number) => Pos,
): Pos {
  let node: unknown = doc.contents;
  let best: Pos = node && isNode(node) && node.range ? posOf(node.range[0]) : { line: 1, col: 1 };
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return best;
      const keyNode = pair.key as Node;
      if (last && at === 'key' && keyNode.range) return posOf(keyNode.range[0]);
      const valueNode = pair.value as Node | null;
      if (valueNode && isNode(valueNode) && valueNode.range) best = posOf(valueNode.range[0]);
      else if (keyNode.range) best = posOf(keyNode.range[0]);
      node = valueNode;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item || !isNode(item) || !item.range) return best;
      best = posOf(item.range[0]);
      node = item;
    } else {
      return best;
    }
  }
  return best;
}
