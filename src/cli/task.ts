/** gaia task add|list|done|export: route work to sessions by the manifest's rules, keep it in the
 *  state store, type it into the session when asked. */
import type { Command } from 'commander';
import { createColors } from 'picocolors';
import { reportTables } from '../ops/export.js';
import { buildStatus } from '../ops/status.js';
import { addTask } from '../ops/tasks.js';
import { renderTablesJson } from '../render/status-json.js';
import { widthOf } from '../render/status-parts.js';
import type { TaskRecord } from '../state/kysely-store.js';
import { UserError } from './errors.js';
import { out, useColor } from './io.js';
import { DEFAULT_FILE, withProject } from './project.js';

interface AddFlags {
  file: string;
  type?: string;
  env?: string;
  deliver?: boolean;
  json?: boolean;
}

export function register(program: Command, setCode: (code: number) => void): void {
  const task = program.command('task').description('route tasks to sessions (routing rules in the manifest) and track them');

  task.command('add <text>')
    .description('route a task to the least-loaded live session of the group its type (or environment) maps to')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--type <type>', 'task type, matched against routing.rules (review, implement, integrate, plan, …)')
    .option('--env <env>', 'the environment the task is about (an `env: true` rule sends it to that environment\'s session)')
    .option('--deliver', 'type the text into the session (literally) and press Enter')
    .option('--json', 'print the recorded task as JSON')
    .action(async (text: string, opts: AddFlags) => withProject(opts.file, async (project) => {
      const result = await addTask(project, {
        text,
        deliver: opts.deliver ?? false,
        ...(opts.type ? { type: opts.type } : {}),
        ...(opts.env ? { env: opts.env } : {}),
      });
      if (result.kind === 'refused') throw new UserError(result.error, result.hint);
      const { task: t, route, delivery } = result;
      if (opts.json) out(JSON.stringify({ task: t, group: route.group, rule: route.rule ?? null, candidates: route.candidates, delivery: delivery ?? null }, null, 2));
      else {
        const rule = route.rule;
        const why = rule
          ? `routing rule ${project.model.routing.rules.indexOf(rule) + 1} (${[rule.type ? `type ${rule.type}` : '', rule.env ? 'by environment' : ''].filter(Boolean).join(', ') || 'any task'})`
          : 'routing.default';
        out(`Task #${t.id} → ${t.session} (group ${route.group}, by ${why}; ${route.candidates.filter((c) => c.live).length} live of ${route.candidates.length}).`);
        if (delivery?.ok) out(`Delivered to ${t.session}.`);
      }
      if (delivery && !delivery.ok) {
        throw new UserError(`task #${t.id} was recorded for ${t.session} but could not be delivered: ${delivery.error}`, 'deliver it by hand; `gaia task list` shows it as not delivered');
      }
    }));

  task.command('list')
    .description('open tasks (with --all, done ones too)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('--all', 'include done tasks')
    .option('--json', 'as JSON')
    .action(async (opts: { file: string; all?: boolean; json?: boolean }) => withProject(opts.file, async (project) => {
      const tasks = await project.store.listTasks(opts.all ? {} : { status: 'open' });
      if (opts.json) out(JSON.stringify(tasks, null, 2));
      else out(renderTasks(tasks, useColor(), opts.all ?? false));
    }));

  task.command('done <id>')
    .description('mark a task done')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action(async (id: string, opts: { file: string }) => withProject(opts.file, async (project) => {
      const n = Number(id.replace(/^#/, ''));
      if (!Number.isInteger(n) || n < 1) throw new UserError(`"${id}" is not a task id`, 'ids are the numbers `gaia task list` shows');
      if (!(await project.store.completeTask(n))) {
        const known = (await project.store.listTasks({})).find((t) => t.id === n);
        throw new UserError(known ? `task #${n} is already done` : `there is no task #${n}`, known ? undefined : 'see `gaia task list --all`');
      }
      out(`Task #${n} done.`);
    }));

  task.command('export')
    .description('the report\'s tables as JSON: directories, environments, pr_groups, task_assignments')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action(async (opts: { file: string }) => withProject(opts.file, async (project) => {
      const [status, tasks] = await Promise.all([buildStatus(project), project.store.listTasks({})]);
      out(renderTablesJson(reportTables(status, tasks)));
    }));
  void setCode;
}

function renderTasks(tasks: readonly TaskRecord[], color: boolean, all: boolean): string {
  const c = createColors(color);
  if (tasks.length === 0) return all ? 'No tasks.' : 'No open tasks.';
  const rows = tasks.map((t) => [`#${t.id}`, t.session ?? '-', t.type ?? '-', t.env ?? '-', t.status === 'done' ? 'done' : t.delivered ? 'delivered' : 'queued', t.text]);
  const head = ['ID', 'SESSION', 'TYPE', 'ENV', 'STATE', 'TEXT'];
  const widths = head.map((h, i) => widthOf([h, ...rows.map((r) => r[i]!)]));
  const line = (r: readonly string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  return [c.bold(line(head)), ...rows.map((r) => (r[4] === 'done' ? c.dim(line(r)) : line(r)))].join('\n');
}
