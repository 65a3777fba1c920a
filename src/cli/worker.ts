/** `gaia worker`: not for people. gaia on another machine starts it over ssh (src/host/ssh/worker-client.ts),
 *  writes one request (JSON) to its stdin and reads one response (JSON) from its stdout. */
import type { Command } from 'commander';
import { localHost } from '../host/local/local-host.js';
import { answerWorkerRequest } from '../engine/worker.js';
import type { WorkerRequest, WorkerResponse } from '../engine/worker-protocol.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function register(program: Command, setCode: (code: number) => void): void {
  program
    .command('worker', { hidden: true })
    .description('answer one request of gaia on another machine (stdin → stdout, JSON)')
    .action(async () => {
      let response: WorkerResponse;
      try {
        response = await answerWorkerRequest(JSON.parse(await readStdin()) as WorkerRequest, localHost());
      } catch (e) {
        response = { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      process.stdout.write(`${JSON.stringify(response)}\n`);
      if (!response.ok) setCode(1);
    });
}
