/** gaia task add|list|done|export: route work to sessions by the manifest's rules, keep it in the
 *  state store, type it into the session when asked. */
import type { Command } from 'commander';
import { reportTables } from '../ops/export.js';
import { buildStatus } from '../ops/status.js';
import { addTask } from '../ops/tasks.js';
import { UserError } from './errors.js';
import { formatOptions, printReport, rendered, type FormatFlags } from './format.js';
import { out } from './io.js';
import { DEFAULT_FILE, gaiaCommand, withProject } from './project.js';

interface AddFlags extends FormatFlags {
  file: string;
  type?: string;
  env?: string;
  deliver?: boolean;
}

export function register(program: Command, setCode: (code: number) => void): void {
  const task = program.command('task').description('route tasks to sessions (routing rules in the manifest) and track them');

  const add = task.command('add <text>')
    .description('route a task to the least-loaded live session of the group its type (or environment) maps to')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--type <type>', 'task type, matched against routing.rules (review, implement, integrate, plan, …)')
    .option('--env <env>', 'the environment the task is about (an `env: true` rule sends it to that environment\'s session)')
    .option('--deliver', 'type the text into the session (literally) and press Enter');
  formatOptions(add, 'taskAdded', 'the recorded task')
    .action(async (text: string, opts: AddFlags) => withProject(opts.file, async (project) => {
      const result = await addTask(project, {
        text,
        deliver: opts.deliver ?? false,
        ...(opts.type ? { type: opts.type } : {}),
        ...(opts.env ? { env: opts.env } : {}),
      });
      if (result.kind === 'refused') throw new UserError(result.error, result.hint);
      const { task: t, route, delivery } = result;
      printReport(opts, 'taskAdded', { added: result, ...(route.rule ? { ruleNumber: project.model.routing.rules.indexOf(route.rule) + 1 } : {}) });
      if (delivery && !delivery.ok) {
        throw new UserError(`task #${t.id} was recorded for ${t.session} but could not be delivered: ${delivery.error}`, `deliver it by hand; \`${gaiaCommand(opts.file, 'task list')}\` shows it as not delivered`);
      }
    }));

  const list = task.command('list')
    .description('open tasks (with --all, done ones too)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--all', 'include done tasks');
  formatOptions(list, 'tasks', 'the tasks', { json: 'as JSON' })
    .action(async (opts: FormatFlags & { file: string; all?: boolean }) => withProject(opts.file, async (project) => {
      const tasks = await project.store.listTasks(opts.all ? {} : { status: 'open' });
      printReport(opts, 'tasks', { tasks, all: opts.all ?? false });
    }));

  task.command('done <id>')
    .description('mark a task done')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action(async (id: string, opts: { file: string }) => withProject(opts.file, async (project) => {
      const n = Number(id.replace(/^#/, ''));
      if (!Number.isInteger(n) || n < 1) throw new UserError(`"${id}" is not a task id`, `ids are the numbers \`${gaiaCommand(opts.file, 'task list')}\` shows`);
      if (!(await project.store.completeTask(n))) {
        const known = (await project.store.listTasks({})).find((t) => t.id === n);
        throw new UserError(known ? `task #${n} is already done` : `there is no task #${n}`, known ? undefined : `see \`${gaiaCommand(opts.file, 'task list', ['--all'])}\``);
      }
      out(`Task #${n} done.`);
    }));

  task.command('export')
    .description('the report\'s tables as JSON: directories, environments, pr_groups, task_assignments')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action(async (opts: { file: string }) => withProject(opts.file, async (project) => {
      const [status, tasks] = await Promise.all([buildStatus(project), project.store.listTasks({})]);
      out(rendered('json', 'tables', reportTables(status, tasks)));
    }));
  void setCode;
}
