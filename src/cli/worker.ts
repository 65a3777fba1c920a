/** `gaia worker`: not for people. gaia on another machine starts it over ssh (src/host/ssh/worker-client.ts)
 *  and writes requests to its stdin, one JSON line each (`{ id, request }`); each answer is one line on
 *  stdout (`{ id, response }`), in the order they finish. It ends when its stdin does, once every
 *  request is answered. With `--serve SOCKET` it answers the same lines on every connection to that
 *  unix socket instead, until idle (host/local/worker-daemon.ts). */
import type { Command } from 'commander';
import { localHost } from '../host/local/local-host.js';
import { ensureDaemon, serveWorker } from '../host/local/worker-daemon.js';
import { answerWorkerRequest } from '../engine/worker.js';
import { WORKER_PROTOCOL, workerTuning, type ServeRequest, type ServeResponse, type WorkerRequest, type WorkerResponse } from '../engine/worker-protocol.js';

/** The launcher this worker was started by (set by it: worker-client.ts), which a kept worker runs too. */
const launcher = (): string | undefined => (globalThis as { __gaiaWorkerLauncher?: string }).__gaiaWorkerLauncher;

async function serve(request: ServeRequest): Promise<ServeResponse> {
  if (request.protocol !== WORKER_PROTOCOL) return { ok: false, error: `this worker speaks protocol ${WORKER_PROTOCOL}, not ${request.protocol}` };
  const by = launcher();
  if (by === undefined) return { ok: false, error: 'this worker was not started by its launcher' };
  const found = await ensureDaemon(by, workerTuning(process.env));
  return 'socket' in found ? { ok: true, socket: found.socket } : { ok: false, error: found.problem };
}

async function answer(line: string): Promise<string | undefined> {
  let id: unknown;
  let response: WorkerResponse | ServeResponse;
  try {
    const message = JSON.parse(line) as { id?: unknown; request?: WorkerRequest | ServeRequest };
    id = message.id;
    if (typeof id !== 'number' || !message.request) return undefined;
    response = message.request.op === 'serve' ? await serve(message.request) : await answerWorkerRequest(message.request, localHost());
  } catch (e) {
    response = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  return typeof id === 'number' ? `${JSON.stringify({ id, response })}\n` : undefined;
}

export function register(program: Command): void {
  program
    .command('worker', { hidden: true })
    .description('answer the requests of gaia on another machine (stdin → stdout, a JSON line each)')
    .option('--serve <socket>', 'answer them on each connection to this unix socket, until idle')
    .action(async (options: { serve?: string }) => {
      if (options.serve !== undefined) return serveWorker(options.serve, answer);
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
