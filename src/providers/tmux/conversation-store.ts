/** Agent CLIs' own records of their conversations, read-only: whether a conversation gaia recorded
 *  can be resumed (a CLI crashes resuming one it never kept), and which conversation a CLI that picks
 *  its own identifier (codex) started. The layouts are described at CONVERSATION_STORES in
 *  src/agents/defaults.ts. Paths resolve as the session's environment would (its HOME,
 *  CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME), and the folder as the CLI sees it (real path). */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ConversationStoreKind } from '../../agents/defaults.js';
import type { HostFiles } from '../../host/host.js';

/** The few file reads this needs, so a test or another host can supply them. */
export interface FileReader {
  /** Entry names, [] when the folder is missing or unreadable. */
  list(dir: string): readonly string[];
  /** The file's first `maxBytes`, undefined when missing or unreadable. */
  read(file: string, maxBytes: number): string | undefined;
  /** The real path, or the path itself when it cannot be resolved. */
  real(p: string): string;
}

/** A host's files as the reader: a folder or file that cannot be read counts as not there. */
export function hostReader(files: HostFiles): FileReader {
  const or = <T>(fallback: T, read: () => T | undefined): T => {
    try {
      return read() ?? fallback;
    } catch {
      return fallback;
    }
  };
  return {
    list: (dir) => or([], () => files.list(dir)),
    read: (file, maxBytes) => or(undefined, () => files.readPart(file, maxBytes, 'start')?.toString('utf8')),
    real: (p) => or(p, () => files.realPath(p)),
  };
}

/** Rollouts parsed through a cached reader: each once per apply, however many sessions look. */
const threadsRead = new WeakMap<FileReader, Map<string, CodexThread | undefined>>();

/** The same reads answered once: an apply looks at one CLI's files for each of its sessions. */
export function cachedFiles(files: FileReader): FileReader {
  const lists = new Map<string, readonly string[]>();
  const reads = new Map<string, string | undefined>();
  const reals = new Map<string, string>();
  const memo = <V>(m: Map<string, V>, key: string, get: () => V): V => {
    if (!m.has(key)) m.set(key, get());
    return m.get(key) as V;
  };
  const cached: FileReader = {
    list: (dir) => memo(lists, dir, () => files.list(dir)),
    read: (file, maxBytes) => memo(reads, `${maxBytes}\0${file}`, () => files.read(file, maxBytes)),
    real: (p) => memo(reals, p, () => files.real(p)),
  };
  threadsRead.set(cached, new Map());
  return cached;
}

/** Where a session's CLI runs: its environment (the session's variables over gaia's own) and folder. */
export interface SessionPlace {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export type Stored =
  | { readonly kind: 'resumable' }
  /** The CLI keeps nothing to resume under this identifier (never got a message, or removed). */
  | { readonly kind: 'absent' };

const MB = 1024 * 1024;

/** A folder the CLI takes from its environment; a relative one is relative to the folder it runs in. */
function envDir(place: SessionPlace, name: string): string | undefined {
  const v = place.env[name];
  return v === undefined || v === '' ? undefined : path.resolve(place.cwd, v);
}

const home = (place: SessionPlace): string => envDir(place, 'HOME') ?? '/';

/** claude names a project's folder after its path, every character but letters and digits as `-`. */
export const claudeProjectDir = (cwd: string): string => cwd.replace(/[^a-zA-Z0-9]/g, '-');

function claudeStored(id: string, place: SessionPlace, files: FileReader): Stored {
  const projects = path.join(envDir(place, 'CLAUDE_CONFIG_DIR') ?? path.join(home(place), '.claude'), 'projects');
  const name = `${id}.jsonl`;
  // Its own folder first; claude shortens very long paths, so any project folder holding the file counts.
  const dirs = [claudeProjectDir(files.real(place.cwd)), ...files.list(projects)];
  return dirs.some((d) => (files.read(path.join(projects, d, name), 1) ?? '') !== '') ? { kind: 'resumable' } : { kind: 'absent' };
}

type Obj = { readonly [k: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseLines(text: string): Obj[] {
  const out: Obj[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isObj(v)) out.push(v);
    } catch {
      /* a line cut short by the read limit, or being written */
    }
  }
  return out;
}

const textOf = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : '')).join('') : '';

/** As gemini 0.61 decides (isResumableMessageRecord): a person's message that is not a command or
 *  gemini's own context, or any answer of the model's. */
function geminiResumable(message: Obj): boolean {
  const text = textOf(message.content).trim();
  if (message.type === 'user') return text !== '' && !/^(?:\/|\?|<session_context>|<hook_context>)/.test(text);
  if (message.type === 'gemini') return text !== '' || (Array.isArray(message.toolCalls) && message.toolCalls.length > 0);
  return false;
}

/** A gemini chat file (JSON lines: metadata first, then messages or `{"$set":{"messages":[…]}}`; or
 *  one JSON document of older versions): whether it is `id`'s and holds something to resume. */
function geminiChat(text: string, id: string): boolean {
  let records: Obj[];
  try {
    const whole: unknown = JSON.parse(text);
    records = isObj(whole) ? [whole] : [];
  } catch {
    records = parseLines(text);
  }
  if (records[0]?.sessionId !== id) return false;
  const messages = records.flatMap((r) => {
    const set = isObj(r.$set) ? r.$set : undefined;
    if (set && Array.isArray(set.messages)) return set.messages.filter(isObj);
    if (Array.isArray(r.messages)) return r.messages.filter(isObj);
    return typeof r.type === 'string' ? [r] : [];
  });
  return messages.some(geminiResumable);
}

function geminiStored(id: string, place: SessionPlace, files: FileReader): Stored {
  const base = path.join(envDir(place, 'GEMINI_CLI_HOME') ?? home(place), '.gemini');
  const cwd = files.real(place.cwd);
  // The project's folder under tmp/ is named in projects.json (0.6x); older versions used its path's sha256.
  let short: string | undefined;
  try {
    const registry: unknown = JSON.parse(files.read(path.join(base, 'projects.json'), 4 * MB) ?? '{}');
    const projects = isObj(registry) && isObj(registry.projects) ? registry.projects : {};
    short = typeof projects[cwd] === 'string' ? projects[cwd] : undefined;
  } catch {
    short = undefined;
  }
  const dirs = [...(short ? [short] : []), createHash('sha256').update(cwd).digest('hex')].map((d) => path.join(base, 'tmp', d, 'chats'));
  const suffix = `-${id.slice(0, 8)}`;
  for (const dir of dirs) {
    for (const f of files.list(dir)) {
      if (!f.startsWith('session-') || !(f.endsWith(`${suffix}.json`) || f.endsWith(`${suffix}.jsonl`))) continue;
      if (geminiChat(files.read(path.join(dir, f), 64 * MB) ?? '', id)) return { kind: 'resumable' };
    }
  }
  return { kind: 'absent' };
}

/** A codex thread as its rollout file's first line (session_meta) describes it. */
export interface CodexThread {
  readonly id: string;
  /** When the thread started (ISO). */
  readonly startedAt: string;
  readonly cwd: string;
}

const codexHome = (place: SessionPlace): string => envDir(place, 'CODEX_HOME') ?? path.join(home(place), '.codex');

/** Rollouts are filed by day: the days from `since`'s (less one, for time zones) on. */
function codexRollouts(place: SessionPlace, since: string, files: FileReader): string[] {
  const root = path.join(codexHome(place), 'sessions');
  const from = new Date(Date.parse(since) - 86_400_000).toISOString().slice(0, 10);
  const out: string[] = [];
  for (const y of files.list(root)) {
    for (const m of files.list(path.join(root, y))) {
      for (const d of files.list(path.join(root, y, m))) {
        if (`${y}-${m}-${d}` < from) continue;
        const dir = path.join(root, y, m, d);
        for (const f of files.list(dir)) if (f.startsWith('rollout-') && f.endsWith('.jsonl')) out.push(path.join(dir, f));
      }
    }
  }
  return out;
}

/** The session_meta line carries codex's whole system prompt: some tens of KB (22 KB with 0.171). */
const CODEX_META_BYTES = [64 * 1024, 1 * MB];

function codexThreadOf(file: string, files: FileReader): CodexThread | undefined {
  const seen = threadsRead.get(files);
  if (!seen) return readCodexThread(file, files);
  if (!seen.has(file)) seen.set(file, readCodexThread(file, files));
  return seen.get(file);
}

function readCodexThread(file: string, files: FileReader): CodexThread | undefined {
  let text: string | undefined;
  for (const bytes of CODEX_META_BYTES) {
    text = files.read(file, bytes);
    if (text === undefined || text.includes('\n')) break;
  }
  const first = text?.split('\n', 1)[0];
  if (!first) return undefined;
  try {
    const v: unknown = JSON.parse(first);
    const p = isObj(v) && v.type === 'session_meta' && isObj(v.payload) ? v.payload : undefined;
    if (!p || typeof p.id !== 'string' || typeof p.timestamp !== 'string' || typeof p.cwd !== 'string') return undefined;
    return { id: p.id, startedAt: p.timestamp, cwd: p.cwd };
  } catch {
    return undefined;
  }
}

/** Codex threads in the session's folder that started at or after `since` (and before `until`), oldest first. */
export function codexThreads(files: FileReader, place: SessionPlace, since: string, until?: string): readonly CodexThread[] {
  const cwds = new Set([place.cwd, files.real(place.cwd)]);
  const t0 = Date.parse(since);
  const t1 = until !== undefined ? Date.parse(until) : Infinity;
  return codexRollouts(place, since, files)
    .map((f) => codexThreadOf(f, files))
    .filter((t): t is CodexThread => t !== undefined && cwds.has(t.cwd) && Date.parse(t.startedAt) >= t0 && Date.parse(t.startedAt) < t1)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}

function codexStored(id: string, place: SessionPlace, files: FileReader): Stored {
  const root = path.join(codexHome(place), 'sessions');
  // The identifier ends the file's name; the day is unknown, so every day is looked at (names only).
  for (const y of files.list(root)) {
    for (const m of files.list(path.join(root, y))) {
      for (const d of files.list(path.join(root, y, m))) {
        if (files.list(path.join(root, y, m, d)).some((f) => f.startsWith('rollout-') && f.endsWith(`-${id}.jsonl`))) return { kind: 'resumable' };
      }
    }
  }
  return { kind: 'absent' };
}

/** Whether the CLI keeps a conversation under `id` that it can resume in this place. */
export function storedConversation(files: FileReader, kind: ConversationStoreKind, id: string, place: SessionPlace): Stored {
  switch (kind) {
    case 'claude':
      return claudeStored(id, place, files);
    case 'gemini':
      return geminiStored(id, place, files);
    case 'codex':
      return codexStored(id, place, files);
  }
}

export const CONVERSATION_STORE_KINDS: readonly ConversationStoreKind[] = ['claude', 'gemini', 'codex'];
