/** gaia task: routing to the least-loaded live session on real tmux, delivery that types text
 *  literally (never runs it), and the report's tables as JSON. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ReportTables } from '../../src/ops/export.js';
import { openProject, type Project } from '../../src/engine/project.js';
import { addTask } from '../../src/ops/tasks.js';
import type { TaskRecord } from '../../src/state/kysely-store.js';
import { testProject, type TestProject } from '../helpers/cli.js';
import { opsManifest } from './ops-fixture.js';
import {  } from '../helpers/context.js';

describe('gaia task on real tmux sessions', () => {
  let p: TestProject;
  let project: Project;
  beforeAll(async () => {
    p = testProject(opsManifest([28480, 28489]), { 'db/001.sql': 'CREATE TABLE t (x INTEGER);\n' });
    expect((await p.gaia(['apply', '--auto-approve'])).code).toBe(0);
    // In-process for the routing decisions (no CLI start-up per task), on the test's own tmux server.
    const opened = await openProject(path.join(p.root, 'orchestration.yaml'));
    if (!opened.ok) throw new Error(JSON.stringify(opened.errors));
    project = { ...opened.project, ctx: { ...opened.project.ctx, settings: { ...opened.project.ctx.settings, tmux: { ...opened.project.ctx.settings.tmux, socket: p.socket } } } };
  });
  afterAll(async () => {
    await project.close();
    p.cleanup();
  });

  const add = async (text: string, route: { type?: string; env?: string }, deliver = false) => {
    const r = await addTask(project, { text, deliver, ...route });
    return r.kind === 'added' ? r.task.session : `refused: ${r.error}`;
  };

  it('routes by type to the least-loaded live session and never to one that is down', async () => {
    expect(await add('review A', { type: 'review' })).toBe('pr_review1');
    expect(await add('review B', { type: 'review' })).toBe('pr_review2');
    expect(await project.store.completeTask(1)).toBe(true);
    expect(await add('review C', { type: 'review' })).toBe('pr_review1'); // 0 open vs 1

    p.tmux(['kill-session', '-t', '=pr_review1']);
    expect(await add('review D', { type: 'review' })).toBe('pr_review2'); // busier, but alive
    p.tmux(['kill-session', '-t', '=pr_review2']);
    expect(await add('review E', { type: 'review' })).toBe('refused: no live session in group pr_review (pr_review1, pr_review2 are down or dead)');

    const list = await project.store.listTasks({ status: 'open' });
    expect(list.map((t) => [t.text, t.session])).toEqual([['review B', 'pr_review2'], ['review C', 'pr_review1'], ['review D', 'pr_review2']]);
    const again = await p.gaia(['task', 'done', '1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('task #1 is already done');
  });

  it('sends an environment task to that environment\'s worker and types the text literally, running nothing', async () => {
    const marker = path.join(os.tmpdir(), `gaia-deliver-${randomBytes(4).toString('hex')}`);
    const text = `fix "quotes" and 'single'; echo $(touch ${marker}) \`touch ${marker}\` $HOME;`;
    const r = await p.gaia(['task', 'add', text, '--env', 'dev2', '--deliver']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('→ dev2_worker');
    expect(r.stdout).toContain('Delivered to dev2_worker.');

    // `cat` echoes what the terminal typed and then the line it read: the exact text, twice.
    let pane = '';
    for (let i = 0; i < 40 && pane.split(text).length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      pane = p.tmux(['capture-pane', '-p', '-J', '-t', '=dev2_worker:']);
    }
    expect(pane.split(text).length - 1).toBe(2);
    expect(fs.existsSync(marker)).toBe(false);

    const list = JSON.parse((await p.gaia(['task', 'list', '--json'])).stdout) as TaskRecord[];
    expect(list.find((t) => t.text === text)).toMatchObject({ session: 'dev2_worker', env: 'dev2', delivered: true });
  });

  it('refuses to deliver text with an escape sequence, recording nothing', async () => {
    const before = (await project.store.listTasks()).length;
    expect(await add('line one\x1b[A', { env: 'dev1' }, true)).toMatch(/^refused: .*control character/);
    expect((await project.store.listTasks()).length).toBe(before);
  });

  it('exports the report\'s tables: directories, environments, pr_groups, task_assignments', async () => {
    const r = await p.gaia(['task', 'export']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as ReportTables;
    expect(t.directories.map((d) => [d.name, d.exists, d.branch])).toEqual([['dev1', true, 'env/dev1'], ['dev2', true, 'env/dev2']]);
    expect(t.environments.map((e) => [e.env, e.stage, e.databaseExists])).toEqual([['dev1', 'dev', true], ['dev2', 'dev', true]]);
    expect(t.pr_groups.map((g) => [g.name, g.expected, g.up])).toEqual([['pr_review', 2, 0]]);
    expect(t.task_assignments.map((a) => [a.id, a.session, a.status])).toEqual([
      [1, 'pr_review1', 'done'], [2, 'pr_review2', 'open'], [3, 'pr_review1', 'open'], [4, 'pr_review2', 'open'], [5, 'dev2_worker', 'open'],
    ]);
  });
});
