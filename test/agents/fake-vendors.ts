/** Small scripted fakes of the three vendors' HTTP APIs on 127.0.0.1, enough for the real CLIs to
 *  talk to: Anthropic's messages API (SSE), OpenAI's responses API (SSE, as codex uses it) and
 *  Gemini's generateContent / streamGenerateContent. What a reply is depends on the person's last
 *  words, so the CLIs' side requests (titles, quota checks) get harmless answers:
 *  - "RUN-TOOL <command>": the model asks to run a shell command (the CLI's permission prompt);
 *  - "WORK-SLOWLY": the reply streams over several seconds (the CLI shows it is working);
 *  - a tool's result: "The command ran.";
 *  - anything else: "Hello from the fake API." */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeVendor {
  readonly url: string;
  readonly requests: { readonly method: string; readonly path: string; readonly body: unknown }[];
  close(): Promise<void>;
}

type Reply = { readonly kind: 'text'; readonly text: string; readonly slowMs: number } | { readonly kind: 'tool'; readonly command: string };

export const SLOW_MS = 8000;

/** The reply to a conversation whose last human words (or tool result) are `last`. */
export function replyFor(last: { readonly text: string; readonly toolResult: boolean }): Reply {
  if (last.toolResult) return { kind: 'text', text: 'The command ran.', slowMs: 0 };
  const tool = /RUN-TOOL (.+)/.exec(last.text);
  if (tool) return { kind: 'tool', command: tool[1]!.trim() };
  if (last.text.includes('WORK-SLOWLY')) return { kind: 'text', text: 'Finished the slow work.', slowMs: SLOW_MS };
  return { kind: 'text', text: 'Hello from the fake API.', slowMs: 0 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const textOf = (v: unknown): string =>
  typeof v === 'string' ? v : arr(v).map((p) => (typeof p.text === 'string' ? p.text : typeof p.content === 'string' ? p.content : '')).join('\n');

/** Anthropic: the last message's text, or a tool_result block in it. */
function lastAnthropic(body: Obj) {
  const m = arr(body.messages).at(-1);
  const content = m?.content;
  const toolResult = arr(content).some((b) => b.type === 'tool_result');
  return { text: textOf(content), toolResult };
}

/** OpenAI responses: the last input item. */
function lastOpenAI(body: Obj) {
  const items = arr(body.input);
  const last = items.at(-1);
  const toolResult = last?.type === 'function_call_output' || last?.type === 'custom_tool_call_output' || last?.type === 'local_shell_call_output';
  const userItems = items.filter((i) => i.role === 'user');
  return { text: textOf(userItems.at(-1)?.content), toolResult };
}

/** Gemini: the last content's parts. */
function lastGemini(body: Obj) {
  const last = arr(body.contents).at(-1);
  const parts = arr(last?.parts);
  return { text: parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join('\n'), toolResult: parts.some((p) => p.functionResponse !== undefined) };
}

function sse(res: http.ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  return (event: string | null, data: unknown) => res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
}

/** Pieces of a text, streamed over `slowMs`: half of it thinking before the first word (when the
 *  CLIs show their working line), the rest between words. */
async function* pieces(text: string, slowMs: number): AsyncGenerator<string> {
  const words = text.split(/(?<= )/);
  if (slowMs > 0) await sleep(slowMs / 2);
  for (const w of words) {
    if (slowMs > 0) await sleep(slowMs / 2 / words.length);
    yield w;
  }
}

async function anthropic(body: Obj, res: http.ServerResponse) {
  const reply = replyFor(lastAnthropic(body));
  const model = typeof body.model === 'string' ? body.model : 'claude-fake';
  const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const message = { id: `msg_${Date.now()}`, type: 'message', role: 'assistant', model, content: [] as Obj[], stop_reason: null, stop_sequence: null, usage };
  if (body.stream !== true) {
    const content = reply.kind === 'text' ? [{ type: 'text', text: reply.text }] : [{ type: 'tool_use', id: `toolu_${Date.now()}`, name: 'Bash', input: { command: reply.command, description: 'Run the command' } }];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...message, content, stop_reason: reply.kind === 'text' ? 'end_turn' : 'tool_use' }));
    return;
  }
  const send = sse(res);
  send('message_start', { type: 'message_start', message });
  if (reply.kind === 'text') {
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    for await (const p of pieces(reply.text, reply.slowMs)) send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } });
  } else {
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: `toolu_${Date.now()}`, name: 'Bash', input: {} } });
    send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify({ command: reply.command, description: 'Run the command' }) } });
  }
  send('content_block_stop', { type: 'content_block_stop', index: 0 });
  send('message_delta', { type: 'message_delta', delta: { stop_reason: reply.kind === 'text' ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: 5 } });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

async function openai(body: Obj, res: http.ServerResponse) {
  const reply = replyFor(lastOpenAI(body));
  const id = `resp_${Date.now()}`;
  const send = sse(res);
  const response = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'in_progress', model: body.model ?? 'gpt-fake', output: [] };
  send('response.created', { type: 'response.created', response });
  if (reply.kind === 'text') {
    const itemId = `msg_${Date.now()}`;
    let all = '';
    send('response.output_item.added', { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: itemId, role: 'assistant', status: 'in_progress', content: [] } });
    for await (const p of pieces(reply.text, reply.slowMs)) {
      all += p;
      send('response.output_text.delta', { type: 'response.output_text.delta', item_id: itemId, output_index: 0, content_index: 0, delta: p });
    }
    send('response.output_item.done', { type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: itemId, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: all, annotations: [] }] } });
  } else {
    // codex 0.17x offers its tools inside one JavaScript "exec" tool (code mode); a command that asks
    // to leave the sandbox (require_escalated) is what makes it ask its person first.
    const script = `const r = await tools.exec_command(${JSON.stringify({ cmd: reply.command, sandbox_permissions: 'require_escalated', justification: 'The fake API asks to run a command' })});\ntext(r.output);`;
    const item = { type: 'custom_tool_call', id: `ctc_${Date.now()}`, call_id: `call_${Date.now()}`, name: 'exec', input: script, status: 'completed' };
    send('response.output_item.added', { type: 'response.output_item.added', output_index: 0, item });
    send('response.output_item.done', { type: 'response.output_item.done', output_index: 0, item });
  }
  send('response.completed', { type: 'response.completed', response: { ...response, status: 'completed', usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 } } });
  res.end();
}

/** Gemini CLI's side requests that want JSON (its model router, its next-speaker check). */
const GEMINI_JSON = JSON.stringify({ reasoning: 'fake', model_choice: 'flash', next_speaker: 'user' });

async function gemini(body: Obj, stream: boolean, res: http.ServerResponse) {
  const wantsJson = (body.generationConfig as Obj | undefined)?.responseMimeType === 'application/json';
  const reply: Reply = wantsJson ? { kind: 'text', text: GEMINI_JSON, slowMs: 0 } : replyFor(lastGemini(body));
  const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };
  const chunk = (parts: Obj[], done: boolean) => ({
    candidates: [{ content: { role: 'model', parts }, ...(done ? { finishReason: 'STOP' } : {}), index: 0 }],
    ...(done ? { usageMetadata } : {}),
    modelVersion: 'gemini-fake',
  });
  const all: Obj[] = reply.kind === 'text' ? [{ text: reply.text }] : [{ functionCall: { name: 'run_shell_command', args: { command: reply.command, description: 'Run the command' } } }];
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(chunk(all, true)));
    return;
  }
  const send = sse(res);
  if (reply.kind === 'text') {
    const words: string[] = [];
    for await (const p of pieces(reply.text, reply.slowMs)) words.push(p);
    for (let i = 0; i < words.length; i++) send(null, chunk([{ text: words[i] }], i === words.length - 1));
  } else send(null, chunk(all, true));
  res.end();
}

export async function startFakeVendor(): Promise<FakeVendor> {
  const requests: FakeVendor['requests'][number][] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      let body: Obj = {};
      try {
        body = raw ? (JSON.parse(raw) as Obj) : {};
      } catch {
        /* not JSON: treated as empty */
      }
      const url = req.url ?? '/';
      const p = url.split('?')[0]!;
      requests.push({ method: req.method ?? 'GET', path: url, body });
      const done = (r: Promise<void>) => r.catch(() => res.destroy());
      if (req.method === 'POST' && /\/v1\/messages$/.test(p)) return done(anthropic(body, res));
      if (req.method === 'POST' && /\/messages\/count_tokens$/.test(p)) return res.end(JSON.stringify({ input_tokens: 10 }));
      if (req.method === 'POST' && /\/responses$/.test(p)) return done(openai(body, res));
      if (req.method === 'POST' && /:streamGenerateContent$/.test(p)) return done(gemini(body, true, res));
      if (req.method === 'POST' && /:generateContent$/.test(p)) return done(gemini(body, false, res));
      if (req.method === 'POST' && /:countTokens$/.test(p)) return res.end(JSON.stringify({ totalTokens: 10 }));
      if (/\/models$/.test(p)) return res.end(JSON.stringify({ data: [], models: [], object: 'list' }));
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake vendor: nothing at ${p}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
