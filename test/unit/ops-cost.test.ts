/** gaia cost on the reference manifest: the report's $376 against $1,200, and the baseline rules. */
import path from 'node:path';
import { loadManifest } from '../../src/manifest/load.js';
import { loadManifestText } from '../../src/manifest/load.js';
import { computeCost } from '../../src/ops/cost.js';
import { dollars, renderCostTerminal } from '../../src/render/cost-terminal.js';

function reference() {
  const loaded = loadManifest(path.resolve('orchestration.yaml'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.model;
}

const small = (cost: string) => {
  const loaded = loadManifestText(`
version: 1
project: c
providers:
  big: { command: big, costPerMonth: 40 }
  small: { command: small, costPerMonth: 10 }
groups:
  a: { count: 2, name: "a{n}", provider: big }
  b: { count: 3, name: "b{n}", provider: small, costAdjustment: 5 }
${cost}
`, path.resolve('virtual.yaml'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.model;
};

describe('gaia cost', () => {
  it('prices the reference system at $376 against the $1,200 baseline: $824 (69 %) saved', () => {
    const r = computeCost(reference());
    const byGroup = Object.fromEntries(r.groups.map((g) => [g.name, g.monthly]));
    expect(byGroup).toEqual({ high_level: 210, dev_workers: 0, pr_review: 70, pr_impl: 104, pr_integ: 0, existing: -8 });
    expect(r.sessions).toBe(26);
    expect(r.total).toBe(376);
    expect(r.baseline).toMatchObject({ monthly: 1200, basis: 'fixed' });
    expect(r.saving).toBe(824);
    expect(r.savingPercent).toBe(69);
    expect(r.overBudget).toBe(false);
    const text = renderCostTerminal(r);
    expect(text).toMatch(/TOTAL\s+26\s+\$376/);
    expect(text).toContain('Saving:   $824/month (69 %): $376 instead of $1,200');
  });

  it('splits a mixed-provider group by provider', () => {
    const review = computeCost(reference()).groups.find((g) => g.name === 'pr_review')!;
    expect(review.providers).toEqual([
      { provider: 'claude', sessions: 2, perSession: 35, monthly: 70 },
      { provider: 'ollama', sessions: 1, perSession: 0, monthly: 0 },
    ]);
  });

  it('prices every session at the baseline provider when one is named', () => {
    const r = computeCost(small('cost: { baseline: { provider: big } }'));
    expect(r.total).toBe(2 * 40 + 3 * 10 + 5);
    expect(r.baseline).toMatchObject({ monthly: 5 * 40, basis: 'provider', provider: 'big' });
    expect(r.saving).toBe(200 - 115);
  });

  it('defaults the baseline to the most expensive provider', () => {
    expect(computeCost(small('')).baseline).toMatchObject({ provider: 'big', monthly: 200 });
  });

  it('warns when the total exceeds cost.budget', () => {
    const r = computeCost(small('cost: { budget: 100 }'));
    expect(r.overBudget).toBe(true);
    expect(r.warnings).toEqual(['the monthly total $115 exceeds the budget of $100 by $15']);
    expect(renderCostTerminal(r)).toContain('Warning: the monthly total $115 exceeds the budget of $100 by $15');
  });

  it('formats money the way the report wrote it', () => {
    expect([dollars(1200), dollars(-8), dollars(12.5)]).toEqual(['$1,200', '-$8', '$12.50']);
  });
});
