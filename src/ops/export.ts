/** The report's status tables (services/multi_env_status.py kept directories, environments,
 *  pr_groups and task_assignments) as one JSON document, computed from the live status and the
 *  state store's tasks rather than kept in a second database that can drift. */
import type { TaskRecord } from '../state/store.js';
import type { StatusReport } from './status-model.js';

export interface ReportTables {
  readonly project: string;
  readonly generatedAt: string;
  readonly directories: readonly {
    readonly name: string;
    readonly path: string;
    readonly exists: boolean;
    readonly branch: string;
    readonly head: string | null;
    readonly base: string;
    readonly ahead: number | null;
    readonly behind: number | null;
    readonly dirty: number | null;
  }[];
  readonly environments: readonly {
    readonly env: string;
    readonly stage: string;
    readonly database: string | null;
    readonly databaseExists: boolean;
    readonly rows: number | null;
    readonly migrationsApplied: number | null;
    readonly port: number | null;
    readonly listening: boolean | null;
  }[];
  readonly pr_groups: readonly {
    readonly name: string;
    readonly description: string | null;
    readonly expected: number;
    readonly up: number;
    readonly down: number;
    readonly dead: number;
    readonly providers: readonly string[];
    readonly sessions: readonly { readonly name: string; readonly state: string; readonly provider: string | null; readonly openTasks: number }[];
  }[];
  readonly task_assignments: readonly {
    readonly id: number;
    readonly text: string;
    readonly type: string | null;
    readonly env: string | null;
    readonly session: string | null;
    readonly status: 'open' | 'done';
    readonly delivered: boolean;
    readonly createdAt: string;
    readonly doneAt: string | null;
  }[];
}

/** Groups whose name starts with `pr_` are the report's PR agent groups. */
export function reportTables(status: StatusReport, tasks: readonly TaskRecord[]): ReportTables {
  return {
    project: status.project,
    generatedAt: status.generatedAt,
    directories: status.environments.map((e) => ({
      name: e.name, path: e.path, exists: e.directory, branch: e.branch, head: e.head, base: e.base, ahead: e.ahead, behind: e.behind, dirty: e.dirty,
    })),
    environments: status.environments.flatMap((e) => e.stages.map((s) => ({
      env: e.name,
      stage: s.name,
      database: s.database?.path ?? null,
      databaseExists: s.database?.exists ?? false,
      rows: s.database?.rows ?? null,
      migrationsApplied: s.database ? s.database.migrations.applied : null,
      port: s.port?.port ?? null,
      listening: s.port?.listening ?? null,
    }))),
    pr_groups: status.groups.filter((g) => g.name.startsWith('pr_')).map((g) => ({
      name: g.name,
      description: g.description ?? null,
      expected: g.expected,
      up: g.up,
      down: g.down,
      dead: g.dead,
      providers: g.providers,
      sessions: g.sessions.map((s) => ({ name: s.name, state: s.state, provider: s.provider, openTasks: s.openTasks })),
    })),
    task_assignments: tasks.map((t) => ({
      id: t.id, text: t.text, type: t.type ?? null, env: t.env ?? null, session: t.session ?? null,
      status: t.status, delivered: t.delivered, createdAt: t.createdAt, doneAt: t.doneAt ?? null,
    })),
  };
}
