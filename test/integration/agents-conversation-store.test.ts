/** Reading the agent CLIs' own conversation stores, on files laid out as claude 2.1.197, gemini 0.61
 *  and codex 0.171 leave them (seen in their temporary HOMEs under the real-CLI suite). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localFiles } from '../../src/host/local/local-host.js';
import { claudeProjectDir, codexThreads, hostReader, storedConversation, type SessionPlace } from '../../src/providers/tmux/conversation-store.js';

const files = hostReader(localFiles);

let root: string;
let place: SessionPlace;
const write = (rel: string, text: string) => {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
};
const lines = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-conv-store-')));
  fs.mkdirSync(path.join(root, 'work', 'my.proj'), { recursive: true });
  place = { env: { HOME: path.join(root, 'home') }, cwd: path.join(root, 'work', 'my.proj') };
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('claude', () => {
  const id = '11111111-1111-4111-8111-111111111111';
  it('keeps a conversation once its file exists in the project folder named after the path', () => {
    expect(claudeProjectDir('/tmp/h19r/my.proj')).toBe('-tmp-h19r-my-proj');
    expect(storedConversation(files, 'claude', id, place)).toEqual({ kind: 'absent' });
    write(`home/.claude/projects/${claudeProjectDir(place.cwd)}/${id}.jsonl`, lines({ type: 'user' }));
    expect(storedConversation(files, 'claude', id, place)).toEqual({ kind: 'resumable' });
  });

  it('looks under CLAUDE_CONFIG_DIR when the session sets it (relative to its folder)', () => {
    write(`work/my.proj/cfg/projects/${claudeProjectDir(place.cwd)}/${id}.jsonl`, lines({ type: 'user' }));
    expect(storedConversation(files, 'claude', id, { ...place, env: { ...place.env, CLAUDE_CONFIG_DIR: 'cfg' } })).toEqual({ kind: 'resumable' });
  });
});

describe('gemini', () => {
  const id = '22222222-2222-4222-8222-222222222222';
  const meta = { sessionId: id, projectHash: 'x', startTime: '2026-12-03T07:29:21.640Z', lastUpdated: '2026-12-03T07:29:21.640Z', kind: 'main' };
  const context = { id: 'm0', type: 'user', content: [{ text: '<session_context>\nThis is the Gemini CLI.\n</session_context>' }] };
  const chat = `home/.gemini/tmp/proj/chats/session-2026-12-03T07-29-${id.slice(0, 8)}.jsonl`;
  beforeEach(() => write('home/.gemini/projects.json', JSON.stringify({ projects: { [place.cwd]: 'proj' } })));

  it('writes its chat file at start, but it holds nothing to resume until a message', () => {
    write(chat, lines(meta, { $set: { messages: [context] } }));
    expect(storedConversation(files, 'gemini', id, place)).toEqual({ kind: 'absent' });
    write(chat, lines(meta, { $set: { messages: [context] } }, { id: 'm1', type: 'user', content: [{ text: 'say hello' }] }, { id: 'm2', type: 'gemini', content: 'Hello.' }));
    expect(storedConversation(files, 'gemini', id, place)).toEqual({ kind: 'resumable' });
  });

  it('is not another session\'s file with the same first eight characters', () => {
    write(chat, lines({ ...meta, sessionId: `${id.slice(0, 8)}-0000-4000-8000-000000000000` }, { id: 'm1', type: 'user', content: 'hi' }));
    expect(storedConversation(files, 'gemini', id, place)).toEqual({ kind: 'absent' });
  });
});

describe('codex', () => {
  const rollout = (day: string, id: string, startedAt: string, cwd = place.cwd) =>
    write(`home/.codex/sessions/${day}/rollout-${startedAt.slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`,
      lines({ timestamp: startedAt, type: 'session_meta', payload: { id, timestamp: startedAt, cwd, originator: 'codex-tui', base_instructions: { text: 'x'.repeat(50_000) } } }));

  it('finds the threads started in the session\'s folder since a time (and before another), oldest first', () => {
    rollout('2026/12/02', 'old-thread', '2026-12-02T23:59:00.000Z');
    rollout('2026/12/03', 'thread-a', '2026-12-03T07:29:23.840Z');
    rollout('2026/12/03', 'thread-b', '2026-12-03T07:40:00.000Z');
    rollout('2026/12/03', 'elsewhere', '2026-12-03T07:30:00.000Z', '/some/other/folder');
    expect(codexThreads(files, place, '2026-12-03T07:29:20.000Z').map((t) => t.id)).toEqual(['thread-a', 'thread-b']);
    expect(codexThreads(files, place, '2026-12-03T07:29:20.000Z', '2026-12-03T07:35:00.000Z').map((t) => t.id)).toEqual(['thread-a']);
    expect(codexThreads(files, { ...place, env: { CODEX_HOME: path.join(root, 'nowhere') } }, '2026-12-03T00:00:00.000Z')).toEqual([]);
  });

  it('keeps a conversation when its rollout file exists, whatever the day', () => {
    rollout('2026/11/30', 'thread-a', '2026-11-30T10:00:00.000Z');
    expect(storedConversation(files, 'codex', 'thread-a', place)).toEqual({ kind: 'resumable' });
    expect(storedConversation(files, 'codex', 'thread-z', place)).toEqual({ kind: 'absent' });
  });
});
