import { attributeDiffs, diffAsPlan, diffResources, diffSummary } from '../../src/core/diff.js';
import { resource, type Resource } from '../../src/core/resource.js';
import { renderDiffJson } from '../../src/render/diff-json.js';
import { renderDiffMarkdown } from '../../src/render/diff-markdown.js';
import { renderDiffTerminal } from '../../src/render/diff-terminal.js';
import type { DiffReport } from '../../src/core/diff.js';
import { testDigests } from '../helpers/digests.js';

const session = (name: string, attrs: Record<string, unknown> = {}, extra: Partial<Resource> = {}): Resource => ({
  ...resource('tmux_session', name, { name, command: 'bash', cwd: '.', env: { GAIA_SESSION: name }, ...(attrs as object) }),
  ...extra,
});
const report = (base: Resource[], head: Resource[]): DiffReport => ({
  manifest: 'orchestration.yaml',
  base: { ref: 'main', revision: '0123456789abcdef' },
  head: { ref: 'working tree' },
  diff: diffResources(base, head, testDigests),
});

describe('diffResources: two manifests → added, removed, changed', () => {
  it('lists a resource only in head as added, only in base as removed, and identical ones as unchanged', () => {
    const d = diffResources([session('a'), session('b')], [session('b'), session('c')], testDigests);
    expect(d.added.map((r) => r.address)).toEqual(['tmux_session.c']);
    expect(d.removed.map((r) => r.address)).toEqual(['tmux_session.a']);
    expect(d.changed).toEqual([]);
    expect(diffSummary(d)).toEqual({ added: 1, removed: 1, changed: 0, unchanged: 1 });
  });

  it('reports each changed attribute by its dotted path, with before and after', () => {
    const d = diffResources([session('a', { command: 'bash', env: { GAIA_SESSION: 'a', PORT: '1' } })], [session('a', { command: 'zsh', env: { GAIA_SESSION: 'a', PORT: '2', NEW: 'x' } })], testDigests);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]!.diffs).toEqual([
      { path: 'command', before: 'bash', after: 'zsh' },
      { path: 'env.NEW', after: 'x' },
      { path: 'env.PORT', before: '1', after: '2' },
    ]);
  });

  it('compares lists whole and ignores object key order', () => {
    expect(attributeDiffs({ cmd: ['a', 'b'], o: { x: 1, y: 2 } }, { cmd: ['a', 'b'], o: { y: 2, x: 1 } })).toEqual([]);
    expect(attributeDiffs({ cmd: ['a', 'b'] }, { cmd: ['b', 'a'] })).toEqual([{ path: 'cmd', before: ['a', 'b'], after: ['b', 'a'] }]);
  });

  it('sees a changed dependency even when no attribute changed', () => {
    const d = diffResources([session('a', {}, { dependsOn: [] })], [session('a', {}, { dependsOn: ['git_worktree.dev1'] })], testDigests);
    expect(d.changed[0]!.dependsOn).toEqual({ before: [], after: ['git_worktree.dev1'] });
  });

  it('never holds a sensitive value: a changed secret is a change between digests', () => {
    const s = { sensitive: ['env.API_KEY'] };
    const d = diffResources([session('a', { env: { API_KEY: 'old-secret' } }, s)], [session('a', { env: { API_KEY: 'new-secret' } }, s)], testDigests);
    const diff = d.changed[0]!.diffs[0]!;
    expect(diff.path).toBe('env.API_KEY');
    expect(String(diff.before)).toMatch(/^sensitive:/);
    expect(diff.before).not.toEqual(diff.after);
    expect(JSON.stringify(d)).not.toMatch(/old-secret|new-secret/);
  });
});

describe('diff renderers', () => {
  const base = [session('kept'), session('gone'), session('edited', { command: 'bash', env: { API_KEY: 'old-secret' } }, { sensitive: ['env.API_KEY'] })];
  const head = [session('kept'), session('edited', { command: 'zsh', env: { API_KEY: 'new-secret' } }, { sensitive: ['env.API_KEY'] }), session('fresh', { env: { API_KEY: 'fresh-secret' } }, { sensitive: ['env.API_KEY'] })];
  const r = report(base, head);

  it('terminal: removed, changed (with attributes) and added, then the counts', () => {
    const text = renderDiffTerminal(r);
    expect(text).toContain('main (0123456) → working tree');
    expect(text).toMatch(/- tmux_session\.gone/);
    expect(text).toMatch(/~ tmux_session\.edited\n.*command: "bash" → "zsh"/);
    expect(text).toMatch(/\+ tmux_session\.fresh/);
    expect(text).toContain('Manifest diff: 1 to add, 1 to change, 1 to remove (1 unchanged).');
  });

  it('markdown: summary first, removals called out before the details, every resource folded', () => {
    const md = renderDiffMarkdown(r);
    const summaryAt = md.indexOf('Manifest diff: 1 to add');
    const warnAt = md.indexOf('review these first');
    const detailsAt = md.indexOf('<details>');
    expect(summaryAt).toBeGreaterThan(0);
    expect(warnAt).toBeGreaterThan(summaryAt);
    expect(detailsAt).toBeGreaterThan(warnAt);
    expect(md.match(/<details>/g)).toHaveLength(3);
  });

  it.each([
    ['terminal', () => renderDiffTerminal(r)],
    ['markdown', () => renderDiffMarkdown(r)],
    ['json', () => renderDiffJson(r)],
  ])('%s output masks sensitive values', (_name, render) => {
    const text = render();
    expect(text).not.toMatch(/old-secret|new-secret|fresh-secret/);
    expect(text).toContain('(sensitive)');
  });

  it('json: sides, counts and per-resource changes for CI scripts', () => {
    const j = JSON.parse(renderDiffJson(r)) as { summary: object; changed: { address: string; diffs: { path: string }[] }[]; base: { revision: string } };
    expect(j.summary).toEqual({ added: 1, removed: 1, changed: 1, unchanged: 1 });
    expect(j.base.revision).toBe('0123456789abcdef');
    expect(j.changed[0]!.diffs.map((d) => d.path)).toEqual(['command', 'env.API_KEY']);
  });

  it('a diff in the shape of a plan: added → create, removed → delete, changed → update', () => {
    const p = diffAsPlan(r.diff, { manifest: { path: 'm', hash: '' }, now: 'now' });
    expect(Object.fromEntries(p.changes.map((c) => [c.address, c.action]))).toEqual({
      'tmux_session.gone': 'delete', 'tmux_session.edited': 'update', 'tmux_session.fresh': 'create',
    });
    expect(p.summary).toMatchObject({ add: 1, change: 1, destroy: 1 });
  });
});
