/** gaia serve: the read-only dashboard (JSON API and a live page) until SIGINT or SIGTERM. */
import path from 'node:path';
import type { Command } from 'commander';
import { openProject } from '../engine/project.js';
import { isLoopback, TOKEN_ENV } from '../server/auth.js';
import { API_ROUTES } from '../server/routes.js';
import { ManifestInvalid, UserError } from './errors.js';
import { err, out } from './io.js';
import { DEFAULT_FILE } from './project.js';

interface ServeFlags {
  file: string;
  port: string;
  host: string;
  token?: string;
}

export const DEFAULT_PORT = 7700;

const HELP = `
Routes (all GET, JSON):
${API_ROUTES.map((r) => `  ${r.path.padEnd(28)} ${r.about}`).join('\n')}
  /                            the live page (refreshes every 2 s)

Each answer observes afresh; one observation is shared by the requests of the same second.
Binding anything but a loopback address needs a token (--token or ${TOKEN_ENV}, at least 16
characters), checked on every API request: "Authorization: Bearer <token>", or open
/#token=<token> in a browser (kept in that tab's sessionStorage, never in a cookie). Prefer ${TOKEN_ENV}: a --token argument is visible to other users in ps.`;

export function register(program: Command, setCode: (code: number) => void): void {
  program
    .command('serve')
    .description('serve the dashboard: a read-only JSON API (/api/multi-env/*, /api/plan, /api/tasks) and a live page')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
    .option('--host <host>', 'address to bind (non-loopback needs a token)', '127.0.0.1')
    .option('--token <token>', `require this bearer token (default: $${TOKEN_ENV})`)
    .addHelpText('after', HELP)
    .action(async (opts: ServeFlags) => {
      const port = Number(opts.port);
      if (!/^\d+$/.test(opts.port) || port > 65535) throw new UserError(`--port must be a whole number from 0 to 65535, not "${opts.port}"`);
      const token = opts.token ?? (process.env[TOKEN_ENV] || undefined);
      const file = path.resolve(opts.file);

      // A broken manifest is reported now, located, instead of as every request's 500.
      const opened = await openProject(file);
      if (!opened.ok) throw new ManifestInvalid(opened.errors);
      const project = opened.project.model.manifest.project;
      await opened.project.close();

      // The HTTP stack (hono, node's fetch classes) loads only for this command.
      const { ServeRefused, startServer } = await import('../server/server.js');
      const server = await startServer({ file, host: opts.host, port, ...(token !== undefined ? { token } : {}), logError: (m) => err(`gaia serve: ${m}`) })
        .catch((e: unknown) => {
          throw e instanceof ServeRefused ? new UserError(e.message, e.hint) : e;
        });
      out(`Serving ${project} (${path.relative(process.cwd(), file) || file}) at ${server.url}`);
      if (!isLoopback(opts.host)) out(`Listening on ${opts.host}; every request needs the token (open ${server.url}#token=… in a browser).`);
      else if (token !== undefined) out(`Every request needs the token (open ${server.url}#token=… in a browser).`);
      out(`JSON under ${server.url}api. Ctrl-C to stop.`);

      const signal = await stopSignal();
      await server.close();
      out(`${signal}: stopped.`);
      setCode(0);
    });
}

/** Resolves with the first SIGINT or SIGTERM; a second one exits at once. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (name: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(name);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}
