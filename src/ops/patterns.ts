/** Recognising sessions the manifest does not name: by the manifest's own name patterns
 *  (`pr_impl{n}`, `{env}_worker`) and by the report's script patterns (`dev\d+_worker`, …).
 *  Pure: a name in, a match (or none) out. */
import type { Model } from '../manifest/model.js';

export interface SessionPattern {
  /** The group it points at: the manifest's group, or the report's name for the kind of session. */
  readonly group: string;
  /** As written: `pr_impl{n}` (manifest) or `pr_impl\d*` (report). */
  readonly pattern: string;
  readonly source: 'manifest' | 'report';
  readonly regex: RegExp;
}

/** The naming patterns the report's scripts used (gaia.py's session detection). */
export const REPORT_PATTERNS: readonly SessionPattern[] = [
  { group: 'dev_workers', pattern: 'dev\\d+_worker', source: 'report', regex: /^dev\d+_worker$/ },
  { group: 'pr_impl', pattern: 'pr_impl\\d*', source: 'report', regex: /^pr_impl\d*$/ },
  { group: 'pr_review', pattern: 'pr_review\\d*', source: 'report', regex: /^pr_review\d*$/ },
  { group: 'pr_integ', pattern: 'pr_integ\\d*', source: 'report', regex: /^pr_integ\d*$/ },
];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A manifest name template as an anchored regular expression: `{n}` is a number, `{env}` any
 *  environment's name, `{group}`/`{project}` themselves; anything else matches some text. */
export function templateRegex(template: string, facts: { readonly envs: readonly string[]; readonly group: string; readonly project: string }): RegExp {
  const envAlt = facts.envs.length ? `(?:${facts.envs.map(escape).join('|')})` : '[A-Za-z0-9_-]+';
  let source = '';
  const re = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_.]*)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    source += escape(template.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0] === '{{') source += '\\{';
    else if (m[0] === '}}') source += '\\}';
    else {
      const name = m[1]!;
      source += name === 'n' || name === 'env.index' ? '\\d+'
        : name === 'env' || name === 'env.name' ? envAlt
        : name === 'group' ? escape(facts.group)
        : name === 'project' ? escape(facts.project)
        : '.+?';
    }
  }
  source += escape(template.slice(last));
  return new RegExp(`^${source}$`);
}

/** The manifest's patterns first (they name a real group), then the report's. */
export function sessionPatterns(model: Pick<Model, 'groups' | 'environments' | 'manifest'>): readonly SessionPattern[] {
  const envs = model.environments.map((e) => e.name);
  const own = model.groups.flatMap((g): SessionPattern[] => g.pattern === undefined ? [] : [{
    group: g.name,
    pattern: g.pattern,
    source: 'manifest',
    regex: templateRegex(g.pattern, { envs, group: g.name, project: model.manifest.project }),
  }]);
  return [...own, ...REPORT_PATTERNS];
}

export function recognise(name: string, patterns: readonly SessionPattern[]): SessionPattern | undefined {
  return patterns.find((p) => p.regex.test(name));
}
