/** The dashboard page's script, served as /app.js: poll the JSON API every 2 s while the tab is
 *  visible and redraw. Bundled for the browser at build time (scripts/build-page.mjs). */
import type { HealthReport } from '../../ops/health.js';
import type { Plan } from '../../core/plan.js';
import { $ } from './dom.js';
import { renderHealth } from './health.js';
import { renderPlan } from './plan.js';
import { renderStatus, type StatusJson } from './status.js';

const POLL_MS = 2000;

interface Source<T> {
  readonly path: string;
  readonly render: (body: T) => void;
}

const source = <T>(path: string, render: (body: T) => void): Source<unknown> => ({ path, render: render as (body: unknown) => void });

const SOURCES: readonly Source<unknown>[] = [
  source<StatusJson>('/api/multi-env/status', renderStatus),
  source<HealthReport>('/api/multi-env/health', renderHealth),
  source<Plan>('/api/plan', renderPlan),
];

/* The token, when the server needs one: from /#token=T (or ?token=T) into sessionStorage, which belongs
   to this origin only (scheme, host and port), then out of the address bar. Never a cookie: cookies
   reach every port of the host, the stage apps included. */
const TOKEN_KEY = 'gaia-token';

function takeToken(): void {
  const m = /(?:^|[#?&])token=([^&#]*)/.exec(location.hash) ?? /(?:^|[?&])token=([^&#]*)/.exec(location.search);
  if (!m) return;
  try {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1] ?? ''));
  } catch {
    // Malformed, or no storage: the API answers 401 and the page says so.
  }
  history.replaceState(null, '', location.pathname);
}
takeToken();

function token(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

async function getJson(path: string): Promise<unknown> {
  const t = token();
  const headers: Record<string, string> = { Accept: 'application/json', ...(t ? { Authorization: `Bearer ${t}` } : {}) };
  const res = await fetch(path, { headers, cache: 'no-store', credentials: 'omit' });
  const body = (await res.json().catch(() => null)) as { readonly error?: string } | null;
  if (!res.ok) throw new Error(`${path}: ${body?.error || `${res.status} ${res.statusText}`}`);
  return body;
}

let timer: ReturnType<typeof setTimeout> | null = null;
let running = false;

/** One round: every source fetched and drawn; a failed one leaves its section as it was. */
async function refresh(): Promise<void> {
  timer = null;
  if (document.hidden) return; // resumed by visibilitychange
  running = true;
  const errors = await Promise.all(SOURCES.map(async (s) => {
    try {
      s.render(await getJson(s.path));
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }));
  const failed = errors.filter((e): e is string => Boolean(e));
  const problem = $('problem');
  problem.hidden = failed.length === 0;
  problem.textContent = failed.length ? `Could not refresh: ${failed.join(' \u00b7 ')} (retrying)` : '';
  document.body.classList.toggle('stale', failed.length === SOURCES.length);
  $('updated').textContent = `${failed.length ? 'last try ' : 'live \u00b7 updated '}${new Date().toLocaleTimeString()}`;
  document.body.dataset.refreshed = String(Date.now());
  running = false;
  timer = setTimeout(() => void refresh(), POLL_MS);
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && timer === null && !running) void refresh();
});
void refresh();
