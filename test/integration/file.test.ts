import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { plan } from '../../src/core/planner.js';
import type { Change, Plan } from '../../src/core/plan.js';
import type { Recorded, Resource } from '../../src/core/resource.js';
import { fileProvider } from '../../src/providers/file/index.js';
import type { ApplyContext } from '../../src/providers/provider.js';
import { testDigests } from '../helpers/digests.js';
import { testHost, testSettings } from '../helpers/context.js';

const KIND = 'file';
let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'gaia-file-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function ctx(): ApplyContext {
  return { root, host: testHost(), settings: testSettings(), digests: testDigests, allowDataLoss: false, force: false, backupDir: path.join(root, 'backups'), log: () => {} };
}

const CONTENT = 'PORT=8081\nENV=dev1\nSTAGE=qa\n';
const file = (content = CONTENT, mode = '0644', rel = 'envs/dev1/.env.qa'): Resource => ({
  kind: KIND,
  address: 'file.dev1.qa.env',
  attributes: { path: rel, content, mode },
  dependsOn: [],
});
const recordOf = (r: Resource): Recorded => ({ ...r, specHash: 'h' });
const abs = (rel = 'envs/dev1/.env.qa') => path.join(root, rel);

async function planFor(desired: readonly Resource[], recorded: readonly Recorded[]): Promise<Plan> {
  const { observed } = await fileProvider.observe({ desired, recorded }, ctx());
  return plan({
    digests: testDigests,
    desired,
    observed,
    recorded,
    specs: fileProvider.kinds,
    manifest: { path: 'orchestration.yaml', hash: 'x' },
    now: '2025-01-01T00:00:00.000Z',
  });
}

function only(p: Plan): Change {
  expect(p.changes).toHaveLength(1);
  return p.changes[0]!;
}

async function apply(change: Change) {
  const [outcome] = await fileProvider.apply([change], ctx());
  return outcome!;
}

describe('file provider on real files', () => {
  test('create writes the content with its mode, through a temp file that does not survive', async () => {
    const r = file(CONTENT, '0600');
    const change = only(await planFor([r], []));
    expect(change.action).toBe('create');
    expect(fileProvider.steps(change, ctx())).toEqual([{ address: r.address, description: `write envs/dev1/.env.qa (${CONTENT.length} bytes)` }]);
    expect(await apply(change)).toEqual({ status: 'done', attributes: r.attributes });
    expect(readFileSync(abs(), 'utf8')).toBe(CONTENT);
    expect(statSync(abs()).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(abs()))).toEqual(['.env.qa']);
    expect(only(await planFor([r], [recordOf(r)])).action).toBe('noop');
  });

  test('a hand edit plans an update with edited_outside and a unified diff showing the changed line', async () => {
    const r = file();
    await apply(only(await planFor([r], [])));
    writeFileSync(abs(), CONTENT.replace('PORT=8081', 'PORT=9999'));

    const change = only(await planFor([r], [recordOf(r)]));
    expect(change.action).toBe('update');
    expect(change.reasons).toEqual([{ code: 'edited_outside', text: 'file was edited outside gaia (drift)' }]);
    const diff = change.diffs.find((d) => d.path === 'content');
    expect(diff?.unified).toMatch(/^-PORT=9999$/m);
    expect(diff?.unified).toMatch(/^\+PORT=8081$/m);
    expect(diff?.unified).not.toMatch(/^[-+]ENV=dev1$/m);

    expect(await apply(change)).toMatchObject({ status: 'done' });
    expect(readFileSync(abs(), 'utf8')).toBe(CONTENT);
  });

  test('a manifest change plans content_changed; a mode change plans mode_changed and is applied', async () => {
    const r = file();
    await apply(only(await planFor([r], [])));
    const changed = file(`${CONTENT}EXTRA=1\n`, '0640');
    const change = only(await planFor([changed], [recordOf(r)]));
    expect(change.reasons.map((x) => x.code)).toEqual(['content_changed', 'mode_changed']);
    expect(change.diffs.find((d) => d.path === 'content')?.unified).toMatch(/^\+EXTRA=1$/m);
    await apply(change);
    expect(readFileSync(abs(), 'utf8')).toBe(`${CONTENT}EXTRA=1\n`);
    expect(statSync(abs()).mode & 0o777).toBe(0o640);
  });

  test('an unowned file with the same content is adopted; a different one is a conflict and is left alone', async () => {
    mkdirSync(path.dirname(abs()), { recursive: true });
    writeFileSync(abs(), CONTENT);
    expect(only(await planFor([file()], [])).action).toBe('adopt');

    writeFileSync(abs(), 'mine\n');
    const p = await planFor([file()], []);
    expect(p.changes).toEqual([]);
    expect(p.conflicts).toEqual([expect.objectContaining({ text: 'file exists and differs; gaia did not write it' })]);
  });

  test('deleting a hand-edited file carries a data_loss hazard; delete removes the file', async () => {
    const r = file();
    await apply(only(await planFor([r], [])));
    writeFileSync(abs(), `${CONTENT}# my note\n`);
    const change = only(await planFor([], [recordOf(r)]));
    expect(change).toMatchObject({ action: 'delete', hazards: [{ code: 'data_loss', text: 'file has hand edits that would be lost' }] });
    expect(fileProvider.steps(change, ctx())).toEqual([{ address: r.address, description: 'delete envs/dev1/.env.qa' }]);
    expect(await apply(change)).toEqual({ status: 'done' });
    expect(existsSync(abs())).toBe(false);
  });

  test('a write that fails at the rename leaves no temp file and reports the error', async () => {
    // A non-empty directory where the file should go: rename cannot replace it.
    mkdirSync(path.join(abs(), 'inside'), { recursive: true });
    const r = file();
    const change: Change = { kind: KIND, address: r.address, action: 'update', reasons: [], diffs: [], dependsOn: [], hazards: [], after: r.attributes };
    const outcome = await apply(change);
    expect(outcome.status).toBe('failed');
    expect(readdirSync(path.dirname(abs()))).toEqual(['.env.qa']);
  });
});
