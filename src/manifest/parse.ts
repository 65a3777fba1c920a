/** YAML text → plain value, keeping the document so any path can be mapped back to line:col. */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ManifestError } from './types.js';

export type PathSegment = string | number;

export interface Parsed {
  readonly file: string;
  readonly value: unknown;
  readonly errors: readonly ManifestError[];
  /** Line and column of the value (or, when it is absent, the nearest parent) at a path. */
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): { line: number; col: number };
}

export const MAX_MANIFEST_BYTES = 2 * 1024 * 1024;
/** Alias expansions allowed when turning YAML into data: a "billion laughs" document stops here. */
const MAX_ALIAS_COUNT = 200;

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(top level)';
}

export function parseManifestText(text: string, file: string): Parsed {
  const lineCounter = new LineCounter();
  const posOf = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const error = (line: number, col: number, message: string, fix?: string): ManifestError => ({
    file, line, col, path: '(document)', message, ...(fix ? { fix } : {}),
  });

  if (text.length > MAX_MANIFEST_BYTES) {
    const e = error(1, 1, `file is ${text.length} bytes; manifests are limited to ${MAX_MANIFEST_BYTES}`);
    return { file, value: undefined, errors: [e], locate: () => ({ line: 1, col: 1 }) };
  }

  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const errors: ManifestError[] = doc.errors.map((e) => {
    const { line, col } = posOf(e.pos[0]);
    return error(line, col, `YAML syntax: ${firstLine(e.message)}`);
  });
  const locate = (path: readonly PathSegment[], at: 'key' | 'value' = 'value') => locateIn(doc, path, at, posOf);

  let value: unknown;
  if (errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      errors.push(error(1, 1, /alias/i.test(message)
        ? `YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} expansions); refusing a possible alias bomb`
        : `YAML: ${firstLine(message)}`));
    }
  }
  return { file, value, errors, locate };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function locateIn(
  doc: Document,
  path: readonly PathSegment[],
  at: 'key' | 'value',
  posOf: (offset: number) => { line: number; col: number },
): { line: number; col: number } {
  let node: unknown = doc.contents;
  let best: { line: number; col: number } = node && isNode(node) && node.range ? posOf(node.range[0]) : { line: 1, col: 1 };
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
