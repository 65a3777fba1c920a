/** `gaia worker`: not for people. gaia on another machine starts it over ssh (src/host/ssh/worker-client.ts)
 *  and writes requests to its stdin, one JSON line each (`{ id, request }`); each answer is one line on
 *  stdout (`{ id, response }`), in the order they finish. It ends when its stdin does, once every
 *  request is answered. */
import type { Command } from 'commander';
import { localHost } from '../host/local/local-host.js';
import { answerWorkerRequest } from '../engine/worker.js';
import type { WorkerRequest, WorkerResponse } from '../engine/worker-protocol.js';

async function answer(line: string): Promise<string | undefined> {
  let id: unknown;
  let response: WorkerResponse;
  try {
    const message = JSON.parse(line) as { id?: unknown; request?: WorkerRequest };
    id = message.id;
    if (typeof id !== 'number' || !message.request) return undefined;
    response = await answerWorkerRequest(message.request, localHost());
  } catch (e) {
    response = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  return typeof id === 'number' ? `${JSON.stringify({ id, response })}\n` : undefined;
}

export function register(program: Command): void {
  program
    .command('worker', { hidden: true })
    .description('answer the requests of gaia on another machine (stdin → stdout, a JSON line each)')
    .action(async () => {
      // Loaded here, not with every command (as the prompt's readline is).
      const { createInterface } = await import('node:readline');
      const answering: Promise<void>[] = [];
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        if (line.trim() === '') continue;
        answering.push(answer(line).then((out) => {
          if (out !== undefined) process.stdout.write(out);
        }));
      }
      await Promise.all(answering);
    });
}
