/** Monthly cost per group and in total, against a baseline and a budget. Pure.
 *  A group costs the sum of its sessions' prices (the provider's `costPerMonth`, or the group's
 *  `costPerSession`) plus its `costAdjustment`. The baseline is `cost.baseline.monthly` as
 *  written, or every session priced at `cost.baseline.provider`; without one, every session on
 *  the most expensive provider (how the report priced "all on Claude"). */
import type { Model } from '../manifest/model.js';

export interface ProviderShare {
  /** Null for sessions without a provider (a plain command). */
  readonly provider: string | null;
  readonly sessions: number;
  readonly perSession: number;
  readonly monthly: number;
}

export interface GroupCost {
  readonly name: string;
  readonly description?: string;
  readonly sessions: number;
  readonly providers: readonly ProviderShare[];
  readonly sessionsMonthly: number;
  readonly adjustment: number;
  readonly monthly: number;
}

export interface Baseline {
  readonly label: string;
  readonly monthly: number;
  readonly basis: 'fixed' | 'provider';
  readonly provider?: string;
}

export interface CostReport {
  readonly project: string;
  readonly currency: 'USD';
  readonly groups: readonly GroupCost[];
  readonly sessions: number;
  readonly total: number;
  readonly baseline: Baseline | null;
  /** Baseline minus total (negative: dearer than the baseline). */
  readonly saving: number | null;
  /** Saving as a whole percentage of the baseline. */
  readonly savingPercent: number | null;
  readonly budget: number | null;
  readonly overBudget: boolean;
  readonly warnings: readonly string[];
}

/** Money sums of cents stay exact: prices like 0.1 would otherwise drift. */
const money = (n: number): number => Math.round(n * 100) / 100;

export function computeCost(model: Pick<Model, 'groups' | 'manifest'>): CostReport {
  const warnings: string[] = [];
  const groups = model.groups.map((g): GroupCost => {
    const shares = new Map<string, { provider: string | null; sessions: number; perSession: number }>();
    for (const s of g.sessions) {
      const key = `${s.provider ?? ''}\u0000${s.costPerMonth}`;
      const share = shares.get(key) ?? { provider: s.provider, sessions: 0, perSession: s.costPerMonth };
      share.sessions++;
      shares.set(key, share);
    }
    const providers = [...shares.values()].map((p) => ({ ...p, monthly: money(p.sessions * p.perSession) }));
    const sessionsMonthly = money(providers.reduce((n, p) => n + p.monthly, 0));
    return {
      name: g.name,
      ...(g.description ? { description: g.description } : {}),
      sessions: g.sessions.length,
      providers,
      sessionsMonthly,
      adjustment: g.costAdjustment,
      monthly: money(sessionsMonthly + g.costAdjustment),
    };
  });
  const sessions = groups.reduce((n, g) => n + g.sessions, 0);
  const total = money(groups.reduce((n, g) => n + g.monthly, 0));
  const baseline = baselineOf(model, sessions, warnings);
  const saving = baseline ? money(baseline.monthly - total) : null;
  const budget = model.manifest.cost?.budget ?? null;
  const overBudget = budget !== null && total > budget;
  if (overBudget) warnings.push(`the monthly total $${total} exceeds the budget of $${budget} by $${money(total - budget!)}`);
  return {
    project: model.manifest.project,
    currency: 'USD',
    groups,
    sessions,
    total,
    baseline,
    saving,
    savingPercent: baseline && baseline.monthly > 0 && saving !== null ? Math.round((saving / baseline.monthly) * 100) : null,
    budget,
    overBudget,
    warnings,
  };
}

function baselineOf(model: Pick<Model, 'manifest'>, sessions: number, warnings: string[]): Baseline | null {
  const written = model.manifest.cost?.baseline;
  const providers = model.manifest.providers ?? {};
  if (written?.monthly !== undefined) {
    return { label: written.label ?? 'baseline', monthly: written.monthly, basis: 'fixed' };
  }
  const priced = (name: string, label: string): Baseline => ({
    label,
    monthly: money(sessions * (providers[name]?.costPerMonth ?? 0)),
    basis: 'provider',
    provider: name,
  });
  if (written?.provider !== undefined) {
    if (!(written.provider in providers)) {
      warnings.push(`cost.baseline.provider "${written.provider}" is not a defined provider; no baseline to compare with`);
      return null;
    }
    return priced(written.provider, written.label ?? `all ${sessions} sessions on ${written.provider}`);
  }
  const dearest = Object.entries(providers)
    .filter(([, p]) => (p.costPerMonth ?? 0) > 0)
    .sort(([a, p], [b, q]) => (q.costPerMonth ?? 0) - (p.costPerMonth ?? 0) || (a < b ? -1 : 1))[0];
  return dearest ? priced(dearest[0], `all ${sessions} sessions on ${dearest[0]} (the most expensive provider)`) : null;
}
