/** gaia state list|show|unlock|rebuild|history: what gaia owns and has done. */
import type { Command } from 'commander';
import { rebuildState } from '../engine/rebuild.js';
import { setAsideDamagedStore } from '../engine/project.js';
import { holderText } from '../render/lock-holder.js';
import { UserError } from './errors.js';
import { chosenFormat, formatOptions, printReport, rendered, type FormatFlags } from './format.js';
import { out } from './io.js';
import { DEFAULT_FILE, gaiaCommand, withProject } from './project.js';
import { wholeNumberText } from './flags.js';
import { completes } from './completion/spec.js';

export function register(program: Command): void {
  const state = program.command('state').description('inspect the state store: what gaia owns and what it did');
  const list = state.command('list')
    .description('every resource gaia owns')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE);
  formatOptions(list, 'stateList', 'them', { json: 'as JSON' })
    .action(async (opts: FormatFlags & { file: string }) => withProject(opts.file, async ({ store }) => {
      printReport(opts, 'stateList', { recorded: await store.recorded() });
    }));
  completes(state.command('show <address>'), 'address', { kind: 'project', of: 'owned' })
    .description('the recorded attributes of one resource')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action(async (address: string, opts: { file: string }) => withProject(opts.file, async ({ store }) => {
      const r = (await store.recorded()).find((x) => x.address === address);
      if (!r) throw new UserError(`gaia owns nothing at ${address}`, `see \`${gaiaCommand(opts.file, 'state list')}\``);
      out(rendered('json', 'stateResource', r)); // the attributes as recorded, on a terminal too
    }));
  state.command('unlock')
    .description('clear a lock left behind by a gaia that died (apply, destroy and reconcile take such a lock over by themselves)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--force', 'remove the lock record even though its holder is still running')
    .action(async (opts: { file: string; force?: boolean }) => withProject(opts.file, async ({ store }) => {
      const result = await store.unlock(opts.force ?? false);
      if (result.kind === 'live') {
        throw new UserError(
          `the lock is held by ${holderText(result.holder)}, which is still running`,
          `wait for it to finish (or stop it: kill ${result.holder.pid}); --force removes only its record, and a second apply still waits for it`,
        );
      }
      if (result.kind === 'live-unnamed') throw new UserError('another gaia is taking the lock right now', 'run `gaia state unlock` again in a moment');
      // A kind added to UnlockResult fails to compile here until it is refused above or rendered.
      printReport({}, 'stateUnlocked', result);
    }));
  state.command('rebuild')
    .description('re-derive what gaia owns from the marks on what it made and from the world (after the state store was lost or damaged)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action(async (opts: { file: string }) => {
      const moved = setAsideDamagedStore(opts.file);
      if (moved) printReport({}, 'stateSetAside', { path: moved });
      await withProject(opts.file, async (project) => {
        const lock = await project.store.acquireLock('gaia state rebuild', 0);
        if (lock.kind === 'held') throw new UserError(`the state is locked by ${holderText(lock.holder)}, which is still running`, 'run `gaia state rebuild` when it has finished');
        try {
          printReport({}, 'stateRebuilt', await rebuildState(project));
        } finally {
          await lock.release();
        }
      });
    });
  const history = state.command('history')
    .description('recent applies and their steps')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('-n, --limit <n>', 'how many applies', wholeNumberText(1), '10');
  formatOptions(history, 'stateHistory', 'them', { json: 'as JSON' })
    .action(async (opts: FormatFlags & { file: string; limit: string }) => withProject(opts.file, async ({ store }) => {
      const applies = await store.applies(Number(opts.limit) || 10);
      const text = rendered(chosenFormat(opts, 'stateHistory'), 'stateHistory', { applies: await Promise.all(applies.map(async (a) => ({ ...a, steps: await store.steps(a.id) }))) });
      if (text !== '') out(text); // no applies yet: nothing on a terminal
    }));
}
