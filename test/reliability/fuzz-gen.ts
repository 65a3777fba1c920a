/** Hostile manifests, reproducibly: random YAML, and random mutations (deleted keys, swapped types, huge
 *  numbers, unicode, deep nesting, aliases, broken text) of the real manifests. Pure given the PRNG. */
import { parse, stringify } from 'yaml';

export type Rand = () => number;

export interface FuzzCase {
  readonly name: string;
  readonly text: string;
  /** The largest legal manifests get a wider bound: they are work, not an attack, and under load a
   *  linear parse of 250 KB takes seconds. What the bound catches is super-linear cost (minutes). */
  readonly boundMs?: number;
}

const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

const HUGE = [1e9, 2 ** 31, 2 ** 53 + 2, 1e308, Infinity, -Infinity, NaN, -1, 0, -0, 0.5, 65536, 1e21, -(2 ** 63)];
const WEIRD_STRINGS = [
  '', ' ', '-', '--help', '-rf', '..', '../..', '/etc/passwd', '~', '.', '{', '}', '{{', '{n}', '{env}', '{env.path}', '{x.y.z}', '{n',
  '$(touch MARKER)', '`id`', 'a;b', "it's", 'a"b', 'a\\b', 'line\nbreak', 'tab\there', '\u0000', '\u001b[31m', '\u202eevil', 'é', '日本語',
  '😀', 'Z̷̢a̸l̵g̶o', '\ud800', 'x'.repeat(300), 'null', 'true', '0x10', '1e3', '!!str', '*alias', '&anchor', '#comment', '%TAG', ': x',
];
const UNICODE = ['é', 'ß', 'Ω', '日', '😀', '\u200b', '\u202e', '\u0301', '\uffff', '\u00a0', '\t', 'ǅ', '𝔘'];
const YAML_CHARS = [':', '-', ' ', ' ', ' ', '\n', '\n', '{', '}', '[', ']', '&', '*', '!', '|', '>', "'", '"', '#', '%', '@', '`', ',', '?', '\t', 'a', 'b', 'x', '1', '0', '.', 'é', '😀', '\\'];

/** A random JSON-like value: what a confused or hostile author might write anywhere. */
export function randomValue(r: Rand, depth = 0): unknown {
  const roll = int(r, depth > 3 ? 6 : 9);
  switch (roll) {
    case 0: return pick(r, HUGE);
    case 1: return int(r, 100);
    case 2: return pick(r, WEIRD_STRINGS);
    case 3: return r() < 0.5;
    case 4: return null;
    case 5: return randomString(r);
    case 6: return Array.from({ length: int(r, 4) }, () => randomValue(r, depth + 1));
    case 7:
    case 8: {
      const o: Record<string, unknown> = {};
      for (let i = int(r, 4); i > 0; i--) o[r() < 0.7 ? pick(r, KEYS) : randomString(r)] = randomValue(r, depth + 1);
      return o;
    }
    default: return null;
  }
}

/** Keys gaia knows, so random documents reach past the first schema check now and then. */
const KEYS = [
  'version', 'project', 'settings', 'tmux', 'socket', 'state', 'parallelism', 'repository', 'path', 'url', 'base', 'providers', 'command',
  'costPerMonth', 'agent', 'vars', 'environments', 'count', 'name', 'names', 'branch', 'source', 'sync', 'stages', 'database', 'migrations',
  'schema', 'preventDestroy', 'port', 'range', 'groups', 'perEnvironment', 'provider', 'env', 'cwd', 'files', 'content', 'json', 'perStage',
  'mode', 'cost', 'baseline', 'budget', 'routing', 'rules', 'default', 'type', 'group', 'value', 'fromEnv', 'sensitive', 'description',
];

function randomString(r: Rand): string {
  let s = '';
  for (let i = int(r, 12) + 1; i > 0; i--) s += r() < 0.2 ? pick(r, UNICODE) : String.fromCharCode(97 + int(r, 26));
  return s;
}

/** A document written from scratch: either a random value tree with a plausible header, or character soup. */
export function randomYaml(r: Rand): string {
  if (r() < 0.3) {
    let s = '';
    for (let i = int(r, 400); i > 0; i--) s += pick(r, YAML_CHARS);
    return s;
  }
  const doc: Record<string, unknown> = r() < 0.7 ? { version: r() < 0.8 ? 1 : randomValue(r), project: r() < 0.8 ? 'fuzz' : randomValue(r) } : {};
  for (let i = int(r, 6); i > 0; i--) doc[pick(r, KEYS)] = randomValue(r);
  return safeStringify(doc, r);
}

type Path = (string | number)[];

/** Every path to a value inside `v` (objects and arrays), the root included. */
function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function getAt(root: unknown, p: Path): unknown {
  let cur: unknown = root;
  for (const seg of p) cur = (cur as Record<string | number, unknown>)?.[seg];
  return cur;
}

function setAt(root: Record<string, unknown>, p: Path, value: unknown): void {
  if (p.length === 0) return;
  const parent = getAt(root, p.slice(0, -1)) as Record<string | number, unknown>;
  if (parent && typeof parent === 'object') parent[p[p.length - 1]!] = value;
}

function deleteAt(root: Record<string, unknown>, p: Path): void {
  if (p.length === 0) return;
  const parent = getAt(root, p.slice(0, -1));
  const last = p[p.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (parent && typeof parent === 'object') delete (parent as Record<string | number, unknown>)[last];
}

function nested(r: Rand, depth: number): unknown {
  let v: unknown = pick(r, ['x', 1, null]);
  const asList = r() < 0.5;
  for (let i = 0; i < depth; i++) v = asList ? [v] : { a: v };
  return v;
}

const TREE_OPS = ['delete', 'delete', 'swap', 'swap', 'huge', 'unicode', 'nest', 'template', 'rename', 'null', 'list-of-self'] as const;

function mutateTree(doc: Record<string, unknown>, r: Rand): string {
  const op = pick(r, TREE_OPS);
  const all = paths(doc);
  const target = all.length > 1 ? pick(r, all.slice(1)) : [];
  const current = getAt(doc, target);
  switch (op) {
    case 'delete': deleteAt(doc, target); break;
    case 'swap': {
      let v = randomValue(r);
      for (let i = 0; i < 3 && typeof v === typeof current; i++) v = randomValue(r);
      setAt(doc, target, v);
      break;
    }
    case 'huge': setAt(doc, target, pick(r, HUGE)); break;
    case 'unicode': setAt(doc, target, typeof current === 'string' ? current + pick(r, UNICODE) + pick(r, WEIRD_STRINGS) : pick(r, WEIRD_STRINGS)); break;
    case 'nest': setAt(doc, target, nested(r, pick(r, [5, 30, 90, 150, 400]))); break;
    case 'template': setAt(doc, target, `${pick(r, ['', 'x', '{env.path}/'])}${pick(r, ['{n}', '{env}', '{env.nope}', '{stage.port}', '{{', '}}', '{', '{environments}', '{session}', '{9}'])}`); break;
    case 'rename': {
      const parent = getAt(doc, target.slice(0, -1));
      const last = target[target.length - 1];
      if (parent && typeof parent === 'object' && !Array.isArray(parent) && typeof last === 'string') {
        const o = parent as Record<string, unknown>;
        o[last + pick(r, UNICODE)] = o[last];
        delete o[last];
      }
      break;
    }
    case 'null': setAt(doc, target, null); break;
    case 'list-of-self': setAt(doc, target, [current, current]); break;
  }
  return op;
}

const TEXT_OPS = ['drop-line', 'dup-line', 'swap-lines', 'insert-char', 'truncate', 'indent', 'tab', 'alias', 'bomb', 'dup-key', 'anchor-cycle', 'flow-deep'] as const;

function mutateText(text: string, r: Rand): { text: string; op: string } {
  const lines = text.split('\n');
  const at = int(r, Math.max(1, lines.length));
  const op = pick(r, TEXT_OPS);
  switch (op) {
    case 'drop-line': lines.splice(at, 1); break;
    case 'dup-line': lines.splice(at, 0, lines[at] ?? ''); break;
    case 'swap-lines': {
      const b = int(r, lines.length);
      [lines[at], lines[b]] = [lines[b] ?? '', lines[at] ?? ''];
      break;
    }
    case 'insert-char': {
      const line = lines[at] ?? '';
      const c = int(r, line.length + 1);
      lines[at] = line.slice(0, c) + pick(r, YAML_CHARS) + line.slice(c);
      break;
    }
    case 'truncate': return { text: text.slice(0, int(r, text.length)), op };
    case 'indent': lines[at] = ' '.repeat(1 + int(r, 3)) + (lines[at] ?? ''); break;
    case 'tab': lines[at] = `\t${lines[at] ?? ''}`; break;
    case 'alias': {
      // Anchor a value on one line and use it elsewhere, possibly where its type is wrong.
      const m = /^(\s*[\w-]+:)\s+(\S.*)$/.exec(lines[at] ?? '');
      if (m) {
        lines[at] = `${m[1]} &a1 ${m[2]}`;
        const other = int(r, lines.length);
        const n = /^(\s*[\w-]+:)\s+\S.*$/.exec(lines[other] ?? '');
        if (n && other > at) lines[other] = `${n[1]} *a1`;
      }
      break;
    }
    case 'bomb': {
      const levels = 3 + int(r, 8);
      const bomb = ['x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
      for (let i = 1; i < levels; i++) bomb.push(`x${i}: &x${i} [${Array(9).fill(`*x${i - 1}`).join(', ')}]`);
      lines.splice(at, 0, ...bomb);
      break;
    }
    case 'dup-key': if (lines[at]) lines.splice(at + 1, 0, lines[at]!); break;
    case 'anchor-cycle': lines.splice(at, 0, 'loop: &loop { self: *loop }'); break;
    case 'flow-deep': {
      const d = pick(r, [50, 99, 101, 5000]);
      lines.splice(at, 0, `deep: ${'['.repeat(d)}1${']'.repeat(d)}`);
      break;
    }
  }
  return { text: lines.join('\n'), op };
}

function safeStringify(v: unknown, r: Rand): string {
  try {
    return stringify(v, { aliasDuplicateObjects: r() < 0.5, lineWidth: 0 });
  } catch {
    return JSON.stringify(v) ?? 'null';
  }
}

/** Changes a careful author makes: small counts, other plain names, optional parts dropped. They keep
 *  many manifests valid, so the planner and renderers see varied valid input too. */
function mutateBenign(doc: Record<string, unknown>, r: Rand): string {
  const all = paths(doc).slice(1);
  const counts = all.filter((p) => p[p.length - 1] === 'count');
  const strings = all.filter((p) => typeof getAt(doc, p) === 'string' && !['version', 'command', 'migrations', 'schema', 'base', 'path', 'socket', 'state'].includes(String(p[p.length - 1])));
  const optional = all.filter((p) => ['description', 'vars', 'cost', 'routing', 'files', 'costPerMonth', 'agent', 'sync', 'preventDestroy', 'port', 'database'].includes(String(p[p.length - 1])));
  const op = pick(r, ['count', 'name', 'drop', 'drop']);
  if (op === 'count' && counts.length) setAt(doc, pick(r, counts), 1 + int(r, 4));
  else if (op === 'name' && strings.length) {
    const p = pick(r, strings);
    const v = String(getAt(doc, p));
    setAt(doc, p, v.includes('{') ? v : `${v}${pick(r, ['x', '_2', '-b', 'Z'])}`);
  } else if (optional.length) deleteAt(doc, pick(r, optional));
  return `benign-${op}`;
}

/** One case from a seed document: a careful edit, or 1–3 hostile tree mutations and (often) a text mutation on top. */
export function mutateManifest(base: string, r: Rand): { text: string; ops: string[] } {
  let doc: unknown;
  try {
    doc = parse(base);
  } catch {
    doc = undefined;
  }
  const ops: string[] = [];
  let text = base;
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const copy = structuredClone(doc) as Record<string, unknown>;
    if (r() < 0.3) {
      for (let i = 1 + int(r, 2); i > 0; i--) ops.push(mutateBenign(copy, r));
      return { text: safeStringify(copy, r), ops };
    }
    for (let i = 1 + int(r, 3); i > 0; i--) ops.push(mutateTree(copy, r));
    text = safeStringify(copy, r);
  }
  if (r() < 0.5 || ops.length === 0) {
    const m = mutateText(text, r);
    text = m.text;
    ops.push(m.op);
  }
  return { text, ops };
}

/** The classic "billion laughs", a flow document nested far past any sane depth, and a file over the size limit. */
export function pathologicalCases(): FuzzCase[] {
  const laughs = ['version: 1', 'project: bomb', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) laughs.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`);
  const deepBlock = ['version: 1', 'project: deep', 'x:'];
  for (let i = 0; i < 2000; i++) deepBlock.push(`${' '.repeat(i + 1)}- `);
  return [
    { name: 'billion laughs', text: laughs.join('\n') },
    { name: 'flow nesting 100,000 deep', text: `version: 1\nproject: deep\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n` },
    { name: 'block nesting 2,000 deep', text: deepBlock.join('\n') },
    { name: '3 MB file', text: `version: 1\nproject: big\n# ${'x'.repeat(3 * 1024 * 1024)}\n` },
    { name: '250 KB manifest of 5,000 files', boundMs: 15_000, text: `version: 1\nproject: big\nfiles:\n${Array.from({ length: 5000 }, (_, i) => `  f${i}: { path: "f/${i}", content: "x" }`).join('\n')}\n` },
    { name: '250 KB of one duplicated key', boundMs: 15_000, text: `version: 1\nproject: big\n${'a: 1\n'.repeat(50_000)}` },
    { name: 'count 1e9', text: 'version: 1\nproject: x\nenvironments: { count: 1000000000, name: "e{n}" }\n' },
    { name: 'count .inf', text: 'version: 1\nproject: x\nenvironments: { count: .inf, name: "e{n}" }\n' },
    { name: 'group count 1e9', text: 'version: 1\nproject: x\ngroups: { g: { count: 1000000000, command: bash } }\n' },
    { name: 'group count .inf', text: 'version: 1\nproject: x\ngroups: { g: { count: 1e400, command: bash } }\n' },
    { name: 'port range 1..65535', text: 'version: 1\nproject: x\nenvironments: { count: 3, name: "e{n}", stages: { a: { port: { range: [1, 65535] } } } }\n' },
    { name: 'NUL bytes', text: 'version: 1\nproject: x\u0000\u0000\n' },
    { name: 'byte order mark', text: '\ufeffversion: 1\nproject: x\n' },
    { name: 'lone surrogate', text: 'version: 1\nproject: "\ud800"\n' },
    { name: 'custom tags', text: 'version: !!binary aGk=\nproject: !custom x\nsettings: !!set { a, b }\n' },
    { name: 'merge keys', text: 'version: 1\nproject: x\nbase: &b { count: 2 }\nenvironments: { <<: *b, name: "e{n}" }\n' },
  ];
}
