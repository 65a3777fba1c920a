/** The dashboard's JSON routes and what each answers: the report's dashboard (app.py's
 *  /api/multi-env/*) plus the plan and the tasks. Kept apart from the HTTP code so `gaia serve
 *  --help` can list them without loading the server. */
export const API_ROUTES = [
  { path: '/api/multi-env/status', about: 'environments, session groups, sync (gaia status --json); ?group= ?env=' },
  { path: '/api/multi-env/directories', about: 'directories, branches, ahead/behind, dirty files (gaia task export)' },
  { path: '/api/multi-env/environments', about: 'stages: databases, rows, migrations, ports (gaia task export)' },
  { path: '/api/multi-env/pr-groups', about: 'the pr_* session groups and their sessions (gaia task export)' },
  { path: '/api/multi-env/health', about: 'checks and the verdict (gaia health --json)' },
  { path: '/api/plan', about: 'the pending plan (gaia plan --json)' },
  { path: '/api/tasks', about: 'open tasks; ?all=1 for all (gaia task list --json)' },
] as const;

export type ApiPath = (typeof API_ROUTES)[number]['path'];
