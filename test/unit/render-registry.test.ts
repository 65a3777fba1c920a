import { Command } from 'commander';
import { chosenFormat, formatOptions } from '../../src/cli/format.js';
import { UserError } from '../../src/cli/errors.js';
import { FORMATS, FORMAT_NAMES, formatsFor, render, splitFormatsFor } from '../../src/render/registry.js';
import type { Format } from '../../src/render/reports.js';

describe('the format registry', () => {
  test('each report is rendered by the formats that claim it, and for a terminal by default', () => {
    expect(formatsFor('plan')).toEqual(['terminal', 'json', 'markdown']);
    expect(formatsFor('diff')).toEqual(['terminal', 'json', 'markdown']);
    for (const r of ['drift', 'health', 'status', 'cost', 'tasks'] as const) expect(formatsFor(r)).toEqual(['terminal', 'json']);
    expect(formatsFor('table')).toEqual(['json']);
    expect(splitFormatsFor('plan')).toEqual(['markdown']);
  });

  test('a format not in the registry offers nothing; one added is offered as a flag by every command it renders', () => {
    const cmd = formatOptions(new Command('cost'), 'cost', 'the figures');
    expect(cmd.options.map((o) => o.long)).toEqual(['--json']);
    const yaml: Format = { describe: (n) => `print ${n} as YAML`, reports: { cost: (r) => `total: ${r.total}\n` } };
    (FORMATS as Record<string, Format>).yaml = yaml;
    (FORMAT_NAMES as string[]).push('yaml');
    try {
      const withYaml = formatOptions(new Command('cost'), 'cost', 'the figures');
      expect(withYaml.options.map((o) => [o.long, o.description])).toEqual([['--json', 'print the figures as JSON'], ['--yaml', 'print the figures as YAML']]);
      expect(formatOptions(new Command('plan'), 'plan', 'the plan').options.map((o) => o.long)).toEqual(['--json', '--markdown']);
    } finally {
      delete (FORMATS as Record<string, Format>).yaml;
      (FORMAT_NAMES as string[]).pop();
    }
  });

  test('the flags choose one format; two are a user error', () => {
    expect(chosenFormat({}, 'plan')).toBe('terminal');
    expect(chosenFormat({ markdown: true }, 'plan')).toBe('markdown');
    expect(chosenFormat({ markdown: true }, 'drift')).toBe('terminal'); // plan --refresh-only --markdown: drift has no markdown
    expect(() => chosenFormat({ json: true, markdown: true }, 'plan')).toThrow(UserError);
    expect(() => chosenFormat({ json: true, markdown: true }, 'plan')).toThrow('choose one of --json and --markdown');
  });

  test('JSON is pretty with a final newline, or one line for a stream', () => {
    const health = { verdict: 'healthy', checks: [] } as never;
    expect(render('json', 'health', health, { color: false })).toBe('{\n  "verdict": "healthy",\n  "checks": []\n}\n');
    expect(render('json', 'health', health, { color: false, oneLine: true })).toBe('{"verdict":"healthy","checks":[]}');
    expect(render('markdown', 'health', health, { color: false })).toBeUndefined();
  });

  test('task add and send render through the registry as the commands printed them', () => {
    const task = { id: 7, text: 'review it', type: 'review', env: null, session: 'pr_review1', status: 'open', delivered: true, createdAt: 't', doneAt: null } as never;
    const route = { ok: true, group: 'pr_review', rule: { type: 'review', group: 'pr_review' }, session: 'pr_review1', candidates: [{ session: 'pr_review1', live: true, open: 0 }, { session: 'pr_review2', live: false, open: 0 }] } as never;
    const added = { added: { kind: 'added', task, route, delivery: { ok: true } }, ruleNumber: 1 } as never;
    expect(render('terminal', 'taskAdded', added, { color: false })).toBe('Task #7 → pr_review1 (group pr_review, by routing rule 1 (type review); 1 live of 2).\nDelivered to pr_review1.');
    expect(JSON.parse(render('json', 'taskAdded', added, { color: false })!)).toMatchObject({ task: { id: 7 }, group: 'pr_review', rule: { type: 'review' }, delivery: { ok: true } });

    const result = { session: 's1', group: 'g', exit: 0, delivery: { ok: true, ms: 100, confirmed: 'text', screen: 'secret pane' }, tail: ['ok'] } as never;
    expect(render('terminal', 'send', { results: [result] }, { color: false })).toBe('');
    const sent = render('json', 'send', { results: [result] }, { color: false })!;
    expect(sent).not.toContain('secret pane');
    expect(JSON.parse(sent)).toEqual([{ session: 's1', group: 'g', exit: 0, delivery: { ok: true, ms: 100, confirmed: 'text' }, tail: ['ok'] }]);
  });
});

