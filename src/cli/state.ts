/** gaia state list|show|unlock|history: what gaia owns and has done. */
import type { Command } from 'commander';
import { UserError } from './errors.js';
import { out } from './io.js';
import { DEFAULT_FILE, withProject } from './project.js';

export function register(program: Command): void {
  const state = program.command('state').description('inspect the state store: what gaia owns and what it did');
  state.command('list')
    .description('every resource gaia owns')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--json', 'as JSON')
    .action(async (opts: { file: string; json?: boolean }) => withProject(opts.file, async ({ store }) => {
      const recorded = await store.recorded();
      if (opts.json) out(JSON.stringify(recorded, null, 2));
      else out(recorded.length ? recorded.map((r) => r.address).sort().join('\n') : 'gaia owns nothing yet.');
    }));
  state.command('show <address>')
    .description('the recorded attributes of one resource')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action(async (address: string, opts: { file: string }) => withProject(opts.file, async ({ store }) => {
      const r = (await store.recorded()).find((x) => x.address === address);
      if (!r) throw new UserError(`gaia owns nothing at ${address}`, 'see `gaia state list`');
      out(JSON.stringify(r, null, 2));
    }));
  state.command('unlock')
    .description('clear a lock left behind by a gaia that died')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action(async (opts: { file: string }) => withProject(opts.file, async ({ store }) => {
      const holder = await store.breakLock();
      out(holder ? `Cleared the lock held by ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.since}).` : 'The state was not locked.');
    }));
  state.command('history')
    .description('recent applies and their steps')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('-n, --limit <n>', 'how many applies', '10')
    .option('--json', 'as JSON')
    .action(async (opts: { file: string; limit: string; json?: boolean }) => withProject(opts.file, async ({ store }) => {
      const applies = await store.applies(Number(opts.limit) || 10);
      const withSteps = await Promise.all(applies.map(async (a) => ({ ...a, steps: await store.steps(a.id) })));
      if (opts.json) return out(JSON.stringify(withSteps, null, 2));
      for (const a of withSteps) {
        out(`#${a.id} ${a.startedAt} ${a.command}: ${a.status}${a.summary ? ` — ${a.summary}` : ''}`);
        for (const s of a.steps.filter((x) => x.status !== 'done')) out(`    ${s.status} ${s.address} (${s.action}): ${s.error ?? ''}`);
      }
    }));
}
