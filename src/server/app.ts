/** The dashboard's HTTP surface: read-only JSON under /api and the live page at /. Every answer,
 *  errors included, is JSON with a fitting status code (the page's own files aside); no stack
 *  trace ever leaves the process. */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { hostOf, isLoopback, presentedToken, tokenMatches } from './auth.js';
import { RequestProblem, type DashboardData } from './data.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './page.js';
import { API_ROUTES, type ApiPath } from './routes.js';

export interface AppOptions {
  readonly data: DashboardData;
  /** When set, every API request must present it as `Authorization: Bearer`. */
  readonly token?: string;
  /** Where unexpected failures are told (the CLI prints them); the client gets only the message. */
  readonly logError?: (message: string) => void;
}

type Serve = (data: DashboardData, c: Context) => Promise<string>;

/** How each route in routes.ts is answered. */
const SERVE: Readonly<Record<ApiPath, Serve>> = {
  '/api/multi-env/status': (d, c) => d.status(filterOf(c)),
  '/api/multi-env/directories': (d) => d.table('directories'),
  '/api/multi-env/environments': (d) => d.table('environments'),
  '/api/multi-env/pr-groups': (d) => d.table('pr_groups'),
  '/api/multi-env/health': (d) => d.health(),
  '/api/plan': (d) => d.plan(),
  '/api/tasks': (d, c) => d.tasks(isYes(c.req.query('all'))),
};

const PAGE_FILES: readonly { readonly path: string; readonly type: string; readonly body: string }[] = [
  { path: '/', type: 'text/html; charset=utf-8', body: PAGE_HTML },
  { path: '/app.js', type: 'text/javascript; charset=utf-8', body: PAGE_JS },
  { path: '/app.css', type: 'text/css; charset=utf-8', body: PAGE_CSS },
];

const PAGE_PATHS = new Set(PAGE_FILES.map((f) => f.path));
const KNOWN = new Set(['/api', ...API_ROUTES.map((r) => r.path), ...PAGE_FILES.map((f) => f.path)]);
const JSON_TYPE = 'application/json; charset=utf-8';

const isYes = (v: string | undefined): boolean => v !== undefined && ['1', 'true', 'yes', ''].includes(v.toLowerCase());

function filterOf(c: Context): { group?: string; env?: string } {
  const group = c.req.query('group');
  const env = c.req.query('env');
  return { ...(group ? { group } : {}), ...(env ? { env } : {}) };
}

/** Which part of a URL has a `%` that is not a UTF-8 percent-encoding (`%zz`, `%E0%A4%A`), if any. */
export function malformedPart(url: string): 'path' | 'query' | undefined {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const rest = start < 0 ? '' : url.slice(start);
  const hash = rest.indexOf('#');
  const target = hash < 0 ? rest : rest.slice(0, hash);
  const q = target.indexOf('?');
  const decodes = (text: string) => {
    try {
      decodeURIComponent(text.replace(/\+/g, ' '));
      return true;
    } catch {
      return false;
    }
  };
  if (!decodes(q < 0 ? target : target.slice(0, q))) return 'path';
  if (q >= 0 && !target.slice(q + 1).split('&').every(decodes)) return 'query';
  return undefined;
}

function problem(c: Context, status: ContentfulStatusCode, error: string, extra: Record<string, unknown> = {}) {
  return c.json({ error, status, ...extra }, status);
}

export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const { data, token } = options;

  app.use('*', async (c, next) => {
    await next();
    // Live data is never cached; the page may load scripts, styles and data from this server only.
    c.res.headers.set('Cache-Control', 'no-store');
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
    c.res.headers.set('X-Frame-Options', 'DENY');
    c.res.headers.set('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  });

  app.use('*', async (c, next) => {
    // A path or query that does not decode is refused as such, not read raw (a filter that matches
    // nothing) or left to fail deeper. Cookies are never read (see below), so one that does not
    // decode changes nothing: cookies are the host's, and another port's app may set any.
    const bad = malformedPart(c.req.url);
    if (bad !== undefined) return problem(c, 400, `malformed percent-encoding in the request's ${bad}`);
    return next();
  });

  app.use('*', async (c, next) => {
    if (token === undefined) {
      // Loopback only: refuse a foreign Host, which is what a DNS-rebinding page would send.
      const host = hostOf(c.req.header('host'));
      if (host !== undefined && !isLoopback(host)) return problem(c, 403, `host "${host}" is not allowed: without a token gaia serve answers only loopback names`);
      return next();
    }
    // The page's own files hold no project data: they load without the token, and the page's script
    // sends it (taken from `/#token=…`, kept in sessionStorage, which is per port) on every API call.
    // No cookie: a browser sends a cookie to every port of the host, stage apps included.
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && PAGE_PATHS.has(c.req.path)) return next();
    if (tokenMatches(presentedToken(c.req.header('authorization')), token)) return next();
    c.header('WWW-Authenticate', 'Bearer realm="gaia"');
    return problem(c, 401, 'a valid token is required: send "Authorization: Bearer <token>" (in a browser, open /#token=<token>)');
  });

  app.use('*', async (c, next) => {
    // Hono answers HEAD with the GET route's response, without the body.
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && KNOWN.has(c.req.path)) {
      c.header('Allow', 'GET, HEAD');
      return problem(c, 405, `${c.req.method} is not allowed: the dashboard is read-only`);
    }
    return next();
  });

  for (const f of PAGE_FILES) app.get(f.path, (c) => c.body(f.body, 200, { 'Content-Type': f.type }));

  app.get('/api', (c) => c.json({ routes: API_ROUTES.map((r) => ({ path: r.path, about: r.about })) }));

  for (const route of API_ROUTES) {
    app.get(route.path, async (c) => c.body(await SERVE[route.path](data, c), 200, { 'Content-Type': JSON_TYPE }));
  }

  app.notFound((c) => problem(c, 404, `no such route: ${c.req.method} ${c.req.path}`, { routes: API_ROUTES.map((r) => r.path) }));

  app.onError((e, c) => {
    if (e instanceof RequestProblem) {
      if (e.status === 500) options.logError?.(`${c.req.path}: ${e.message}${e.details.length ? `\n  ${e.details.join('\n  ')}` : ''}`);
      return problem(c, e.status, e.message, e.details.length ? { details: e.details } : {});
    }
    const message = e instanceof Error ? e.message : String(e);
    options.logError?.(`${c.req.path}: ${message}`);
    return problem(c, 500, message);
  });

  return app;
}
