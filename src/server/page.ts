/** The dashboard page: one HTML document, one stylesheet, one script (src/server/page/, typed and
 *  bundled for the browser by scripts/build-page.mjs), held as strings so they travel inside the
 *  bundled CLI. The script fills the page from the JSON API. */
export { PAGE_JS } from './page-script.generated.js';

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gaia</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <h1><span class="logo">gaia</span> <span id="project"></span></h1>
  <span id="verdict" class="badge verdict quiet">…</span>
  <span id="totals"></span>
  <span id="sync"></span>
  <span id="updated" class="muted" aria-live="polite">connecting…</span>
</header>
<div id="problem" class="problem" role="alert" hidden></div>
<main>
  <section class="wide">
    <h2>Environments</h2>
    <div id="environments" class="cards"><p class="muted">Loading…</p></div>
    <div id="warnings"></div>
  </section>
  <section class="wide">
    <h2>Sessions</h2>
    <div id="groups"><p class="muted">Loading…</p></div>
  </section>
  <section>
    <h2>Health</h2>
    <div id="health"><p class="muted">Loading…</p></div>
  </section>
  <section>
    <h2>Pending plan</h2>
    <div id="plan"><p class="muted">Loading…</p></div>
  </section>
</main>
<footer class="muted">Read-only. The same data as JSON: <a href="/api">/api</a>. Refreshed every 2 s while this tab is visible.</footer>
</body>
</html>
`;

export const PAGE_CSS = `:root {
  --bg: #f6f7f9; --panel: #fff; --text: #1d2330; --muted: #687083; --line: #e1e4ea;
  --ok: #1a7f37; --ok-bg: #dafbe1; --warn: #9a6700; --warn-bg: #fff3c4; --fail: #c62828; --fail-bg: #ffe2e0;
  --info: #0b5cad; --info-bg: #ddf0ff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171c; --panel: #1d2128; --text: #e3e6eb; --muted: #98a0ae; --line: #2f3540;
    --ok: #56d364; --ok-bg: #12361d; --warn: #e3b341; --warn-bg: #3a2d0b; --fail: #ff7b72; --fail-bg: #42171a;
    --info: #79c0ff; --info-bg: #0f2d4a; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
body.stale main { opacity: .55; }
header { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem;
  padding: .6rem 1.2rem; background: var(--panel); border-bottom: 1px solid var(--line); }
h1 { font-size: 1.15rem; margin: 0; }
.logo { font-weight: 800; letter-spacing: .02em; color: var(--info); }
#updated { margin-left: auto; font-size: .85em; }
main { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; padding: 1rem 1.2rem; max-width: 110rem; }
@media (max-width: 60rem) { main { grid-template-columns: 1fr; } }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .4rem 1rem 1rem; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 1rem; margin: .6rem 0; }
h3 { font-size: .95rem; margin: .9rem 0 .4rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(24rem, 1fr)); gap: .8rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0 .8rem .6rem; overflow-x: auto; }
.group { overflow-x: auto; }
.card h3 { margin-top: .6rem; }
.branch { margin: .2rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25rem .5rem .25rem 0; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-weight: 600; color: var(--muted); font-size: .85em; }
tbody th { font-weight: 600; }
th.num, td.num { text-align: right; }
code { font: .92em/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.muted { color: var(--muted); }
.small { font-size: .85em; }
.badge { display: inline-block; padding: 0 .45em; border-radius: 999px; font-size: .85em; font-weight: 600; white-space: nowrap;
  background: var(--line); color: var(--text); }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.badge.fail { background: var(--fail-bg); color: var(--fail); }
.badge.info { background: var(--info-bg); color: var(--info); }
.badge.quiet { background: transparent; color: var(--muted); font-weight: 400; }
.badge.verdict { font-size: .95em; padding: .1em .7em; text-transform: uppercase; letter-spacing: .04em; }
.problem { margin: 1rem 1.2rem 0; padding: .6rem 1rem; border-radius: 6px; background: var(--fail-bg); color: var(--fail); font-weight: 600; }
ul { margin: .3rem 0; padding-left: 1.2rem; }
ul.checks, ul.changes { list-style: none; padding-left: 0; }
ul.checks li, ul.changes li { padding: .2rem 0; border-bottom: 1px solid var(--line); }
.sym { display: inline-block; min-width: 2.2em; font-weight: 700; }
.change.create .sym { color: var(--ok); }
.change.update .sym, .change.adopt .sym { color: var(--warn); }
.change.replace .sym, .change.delete .sym, .change.conflict .sym { color: var(--fail); }
.reasons { color: var(--muted); }
ul.hazards { list-style: none; padding-left: 2.4em; }
.nochange { color: var(--ok); font-weight: 600; }
.warnings { color: var(--warn); }
details.unmanaged { margin-top: .8rem; }
td.agent { min-width: 12rem; max-width: 30rem; }
details.evidence { font-size: .85em; margin-top: .15rem; }
details.evidence summary { color: var(--muted); cursor: pointer; overflow-wrap: anywhere; }
details.evidence ul { list-style: none; padding-left: .9rem; margin: .2rem 0; }
details.evidence code { overflow-wrap: anywhere; }
footer { padding: 0 1.2rem 1.2rem; font-size: .85em; }
a { color: var(--info); }
`;
