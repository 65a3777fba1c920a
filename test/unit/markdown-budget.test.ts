import { diffResources, type DiffReport } from '../../src/core/diff.js';
import { plan } from '../../src/core/planner.js';
import type { KindSpecs } from '../../src/core/kind.js';
import type { Recorded } from '../../src/core/resource.js';
import { loadManifestText } from '../../src/manifest/load.js';
import type { Model } from '../../src/manifest/model.js';
import { renderDiffMarkdown, renderDiffMarkdownParts } from '../../src/render/diff-markdown.js';
import { DEFAULT_MAX_CHARS, renderPlanMarkdown, renderPlanMarkdownParts } from '../../src/render/plan-markdown.js';
import { testDigests } from '../helpers/digests.js';

/** 500 environments, 3 stages each (database + port), 5 sessions per environment. */
function manifest(opts: { envs: number; command: string; secret: string }): string {
  const group = (name: string) => `  ${name}:\n    perEnvironment: true\n    name: "{env}_${name}"\n    command: "${opts.command} ${name}"\n    vars:\n      API_KEY: { value: "${opts.secret}", sensitive: true }\n`;
  return [
    'version: 1',
    'project: big',
    'environments:',
    `  count: ${opts.envs}`,
    '  name: dev{n}',
    '  stages:',
    ...['dev', 'qa', 'staging'].map((s, i) => `    ${s}:\n      database: { path: data/${s}.db }\n      port: { range: [${10000 + i * 1000}, ${10000 + i * 1000 + 999}] }`),
    'groups:',
    ...['worker', 'reviewer', 'tester', 'docs', 'ops'].map(group),
  ].join('\n');
}

function load(text: string): Model {
  const r = loadManifestText(text, '/nonexistent/big/orchestration.yaml', { environ: {} });
  if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
  return r.model;
}

const base = load(manifest({ envs: 500, command: 'run', secret: 'base-secret-value' }));
// The pull request: a new command for every session, a rotated secret, and 20 environments fewer.
const head = load(manifest({ envs: 480, command: 'run --fast', secret: 'head-secret-value' }));
const report: DiffReport = { manifest: 'orchestration.yaml', base: { ref: 'main', revision: 'a'.repeat(40) }, head: { ref: 'working tree' }, diff: diffResources(base.resources, head.resources, testDigests) };

describe('pull-request markdown of a 500-environment manifest stays within the comment budget', () => {
  it('the manifest really is that big', () => {
    expect(base.environments).toHaveLength(500);
    expect(base.resources.filter((r) => r.kind === 'tmux_session')).toHaveLength(2500);
    expect(report.diff.removed.length).toBeGreaterThan(200);
    expect(report.diff.changed.length).toBeGreaterThan(2000);
  });

  it.each([DEFAULT_MAX_CHARS, 20_000])('gaia diff --markdown fits in %i characters, summary first, with the "N more" line', (max) => {
    const md = renderDiffMarkdown(report, max);
    expect(md.length).toBeLessThanOrEqual(max);
    expect(md.indexOf('Manifest diff:')).toBeLessThan(300);
    expect(md).toMatch(/… and \d+ more changes? not shown \(size limit\); run `gaia diff` or use `--split`/);
    expect(md).not.toMatch(/base-secret-value|head-secret-value/);
    // Removals are the most important: the list after the call-out starts with them.
    const body = md.slice(md.lastIndexOf('> - '));
    expect(body.split('\n').find((l) => l.startsWith('- `') || l.startsWith('<details>'))).toMatch(/^(- `- |<details><summary><code>- )/);
  });

  it('gaia diff --markdown --split: every part fits, and every resource is in some part', () => {
    const max = DEFAULT_MAX_CHARS;
    const parts = renderDiffMarkdownParts(report, max);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(max);
    const all = parts.join('\n');
    const addresses = [...report.diff.removed, ...report.diff.added].map((r) => r.address).concat(report.diff.changed.map((c) => c.address));
    const missing = addresses.filter((a) => !all.includes(`${a}</code>`));
    expect(missing).toEqual([]);
    expect(all).not.toMatch(/base-secret-value|head-secret-value/);
  });

  it('gaia plan --markdown of the same 500 environments (creates and deletes) fits too', () => {
    const specs: KindSpecs = Object.fromEntries([...new Set(head.resources.map((r) => r.kind))].map((k) => [k, { kind: k, compare: () => ({ kind: 'same' as const }) }]));
    const recorded: Recorded[] = base.resources.filter((r) => !head.resources.some((h) => h.address === r.address)).map((r) => ({ kind: r.kind, address: r.address, attributes: {}, specHash: 'x', dependsOn: [] }));
    const p = plan({ digests: testDigests, desired: head.resources, observed: [], recorded, specs, manifest: { path: 'm', hash: 'h' }, now: 'now' });
    const md = renderPlanMarkdown(p);
    expect(md.length).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
    expect(md).toMatch(/\*\*Plan: \d+ to add, 0 to change, \d+ to destroy\.\*\*/);
    expect(md).toMatch(/… and \d+ more changes not shown/);
    for (const part of renderPlanMarkdownParts(p)) expect(part.length).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
  });
});
