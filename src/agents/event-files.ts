/** The files behind agents' own reports: the per-session setup written before a session starts, and
 *  the event logs read back, in-process (a read of a log's last few KB per session, no process). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostFiles } from '../host/host.js';
import { lastEvent, type AgentEvent } from './events.js';
import { eventLogPath, setupFiles, type EventRuntime, type EventSetup } from './event-setup.js';

/** A log's last bytes hold its newest lines; an event line is ~200 bytes. */
const TAIL_BYTES = 4096;
/** A log past this size is cut to its last lines when its session is started again. */
const KEEP_BYTES = 64 * 1024;

/** The newest event in a log, or undefined (no log yet, or nothing valid in it). */
export function readLatestEvent(files: HostFiles, file: string): AgentEvent | undefined {
  try {
    const tail = files.readPart(file, TAIL_BYTES, 'end');
    return tail === undefined ? undefined : lastEvent(tail.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The newest event a session's agent reported: `{ source, kind, sessionId, at }` (codex's thread id
 *  is its `sessionId`). */
export const latestAgentEvent = (files: HostFiles, root: string, session: string): AgentEvent | undefined => readLatestEvent(files, eventLogPath(root, session));

/** bin/gaia-agent-event.js, from wherever this code runs (src/ under ts-jest, the bundled dist/gaia.cjs). */
export function eventScript(files: HostFiles): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'bin', 'gaia-agent-event.js');
    if (files.exists(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find bin/gaia-agent-event.js above ${fileURLToPath(import.meta.url)}`);
}

export const eventRuntime = (files: HostFiles): EventRuntime => ({ node: process.execPath, script: eventScript(files) });

/** Write a session's setup (its folder and the log's folder made 0700, files 0600, the script 0700)
 *  before it starts; a long log is cut to its newest lines. Only gaia's own files under .gaia/ are
 *  touched, through held folders (writeInside), as every write inside the root is. */
export function writeEventSetup(files: HostFiles, s: EventSetup, rt: EventRuntime, realRoot: string): void {
  for (const f of setupFiles(s, rt)) files.writeInside(realRoot, f.path, f.content, f.mode, { folderMode: 0o700 });
  files.inHeldFolder(realRoot, path.dirname(s.log), () => undefined, 0o700);
  // No log yet is fine.
  if ((files.stat(s.log)?.size ?? 0) > KEEP_BYTES) {
    const text = files.readText(s.log);
    if (text !== undefined) files.writeInside(realRoot, s.log, text.slice(text.indexOf('\n', text.length - KEEP_BYTES / 2) + 1), 0o600);
  }
}
