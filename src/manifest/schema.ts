/** JSON Schema validation (ajv) with errors turned into located, human sentences. */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { PathSegment } from './parse.js';
import { readSchema } from './schema-file.js';
import { SCHEMA_HASH, validate as prebuilt } from './schema-validator.generated.js';
import { didYouMean } from './suggest.js';

export const manifestSchema = readSchema('orchestration.schema.json');

export interface SchemaProblem {
  readonly path: readonly PathSegment[];
  readonly at: 'key' | 'value';
  readonly message: string;
  readonly fix?: string;
}

let validator: ValidateFunction | undefined;
function compiled(): ValidateFunction {
  validator ??= prebuiltValidator() ?? compileValidator();
  return validator;
}

/** The validator `npm run build` generated (scripts/build-validator.mjs), while it was made from
 *  this very schema: compiling the schema is ~100 ms, most of a small plan's own work. */
function prebuiltValidator(): ValidateFunction | undefined {
  const hash = createHash('sha256').update(JSON.stringify(manifestSchema)).digest('hex');
  return hash === SCHEMA_HASH ? (prebuilt as ValidateFunction) : undefined;
}

/** The schema changed since the last build: compile it here (ajv loaded only for this). */
function compileValidator(): ValidateFunction {
  // ajv's CJS default export needs unwrapping under NodeNext.
  const AjvModule = createRequire(import.meta.url)('ajv') as { default?: unknown };
  const Ajv = AjvModule.default ?? AjvModule;
  return new (Ajv as new (o: object) => { compile(s: object): ValidateFunction })({
    // No code optimisation pass: it roughly halves the one-off compile (every CLI run pays it) and a
    // manifest is far too small for the validator's own speed to matter.
    allErrors: true, verbose: true, strict: false, code: { optimize: false },
  }).compile(manifestSchema);
}

export function checkSchema(value: unknown): readonly SchemaProblem[] {
  const validate = compiled();
  if (validate(value)) return [];
  return humanise(validate.errors ?? [], value);
}

function segments(instancePath: string, data: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of instancePath.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: PathSegment = Array.isArray(cur) && /^\d+$/.test(part) ? Number(part) : part;
    out.push(seg);
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[String(part)] : undefined;
  }
  return out;
}

function describe(schema: unknown): string {
  const d = (schema as { description?: string } | undefined)?.description;
  return d ? d.replace(/\.$/, '').replace(/^[A-Z](?![A-Z])/, (c) => c.toLowerCase()) : '';
}

/** How a value reads in a message: `the text "five"`, `the number 0`, `a list`. */
function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return String(v);
}

const TYPE_WORDS: { readonly [t: string]: string } = {
  integer: 'a whole number', number: 'a number', string: 'text', boolean: 'true or false',
  object: 'a mapping (key: value lines)', array: 'a list', null: 'null',
};

/** What a schema `pattern` means, for the patterns the manifest schema uses. */
const PATTERN_WORDS: { readonly [pattern: string]: string } = {
  '^0?[0-7]{3}$': 'an octal file mode such as "0644" or "755"',
  '^[A-Za-z0-9_.-]+$': 'letters, digits, ".", "_" and "-" only',
  '^[A-Za-z0-9][A-Za-z0-9_.-]*$': 'letters, digits, ".", "_" and "-", starting with a letter or digit',
};

/** What the keys of a named map are, by the map's field. */
const NAME_WORDS: { readonly [field: string]: string } = {
  providers: 'provider name', groups: 'group name', files: 'file name', stages: 'stage name', vars: 'variable name', hosts: 'host name',
};

/** Suggested additions for missing fields. */
const REQUIRED_FIX: { readonly [field: string]: string } = {
  version: 'add "version: 1" at the top',
  project: 'add "project: NAME" (letters, digits, "_", "-", ".")',
  command: 'add command: the program sessions run, e.g. command: bash',
  path: 'add path: (relative to the manifest\'s folder)',
  range: 'add range: [LOW, HIGH]',
  group: 'add group: the name of one of the groups',
};

/** `text, a number or true or false, or a mapping`: the types a oneOf accepts, for schemas without a description. */
function formsOf(schema: unknown): string {
  const branches = (schema as { oneOf?: readonly { type?: string | readonly string[] }[] } | undefined)?.oneOf ?? [];
  const forms = branches
    .map((b) => (b.type === undefined ? [] : Array.isArray(b.type) ? b.type : [b.type as string]))
    .filter((types) => types.length > 0)
    .map((types) => types.map((t) => TYPE_WORDS[t] ?? t).join(' or '));
  return forms.join(', or ');
}

interface OneOfFailure {
  readonly instancePath: string;
  readonly schemaPath: string;
  /** Branches whose type fits the value: their own errors say what is wrong. */
  fitting: Set<string>;
}

function under(instancePath: string, parent: string): boolean {
  return instancePath === parent || instancePath.startsWith(`${parent}/`);
}

function humanise(errors: readonly ErrorObject[], data: unknown): SchemaProblem[] {
  // A failed oneOf also reports every branch's failure. When exactly one branch has the value's
  // type (a port given as 70000), that branch's errors are the useful ones; otherwise say which forms fit.
  const oneOfs: OneOfFailure[] = errors
    .filter((e) => e.keyword === 'oneOf')
    .map((e) => ({ instancePath: e.instancePath, schemaPath: e.schemaPath, fitting: new Set<string>() }));
  const branchOf = (e: ErrorObject): { failure: OneOfFailure; branch: string } | undefined => {
    for (const f of oneOfs) {
      if (e.schemaPath.startsWith(`${f.schemaPath}/`) && under(e.instancePath, f.instancePath)) {
        return { failure: f, branch: e.schemaPath.slice(f.schemaPath.length + 1).split('/')[0]! };
      }
    }
    return undefined;
  };
  const mistyped = new Set<string>();
  for (const e of errors) {
    const b = branchOf(e);
    if (b && e.keyword === 'type' && e.instancePath === b.failure.instancePath) mistyped.add(`${b.failure.schemaPath}|${b.failure.instancePath}|${b.branch}`);
  }
  for (const e of errors) {
    const b = branchOf(e);
    if (b && !mistyped.has(`${b.failure.schemaPath}|${b.failure.instancePath}|${b.branch}`)) b.failure.fitting.add(b.branch);
  }

  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of errors) {
    const b = branchOf(e);
    if (b && (b.failure.fitting.size !== 1 || !b.failure.fitting.has(b.branch))) continue;
    if (e.keyword === 'oneOf' && oneOfs.find((f) => f.schemaPath === e.schemaPath && f.instancePath === e.instancePath)?.fitting.size === 1) continue;
    const path = segments(e.instancePath, data);
    const p = problem(e, path);
    if (!p) continue;
    const key = `${p.path.join('/')}|${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

function problem(e: ErrorObject, path: PathSegment[]): SchemaProblem | undefined {
  const params = e.params as Record<string, unknown>;
  const fixOf = (fix: string | undefined) => (fix ? { fix } : {});
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        path: [...path, extra], at: 'key', message: `unknown field "${extra}"${didYouMean(extra, allowed)}`,
        ...fixOf(allowed.length ? `allowed here: ${allowed.join(', ')}` : undefined),
      };
    }
    case 'required': {
      const field = String(params.missingProperty);
      return { path, at: 'value', message: `missing required field "${field}"`, fix: REQUIRED_FIX[field] ?? `add ${field}:` };
    }
    case 'propertyNames':
      return undefined; // reported by the pattern error on the name itself
    case 'pattern': {
      if (e.propertyName !== undefined || e.schemaPath.includes('propertyNames')) {
        const name = String(e.propertyName ?? path[path.length - 1]);
        const variable = /\^\[A-Za-z_\]/.test(String(params.pattern));
        const lowercase = String(params.pattern).startsWith('^[a-z]');
        const what = NAME_WORDS[String(path[path.length - 1])] ?? 'name';
        return {
          path: [...path, name], at: 'key', message: `${what} "${name}" is not allowed`,
          fix: variable ? 'use letters, digits and "_", not starting with a digit'
            : lowercase ? 'use lowercase letters, digits, "_" or "-", starting with a letter, at most 63 characters'
              : 'use letters, digits, "_" or "-", starting with a letter',
        };
      }
      const words = PATTERN_WORDS[String(params.pattern)];
      return {
        path, at: 'value',
        message: words ? `${JSON.stringify(e.data)} is not allowed: use ${words}` : `${JSON.stringify(e.data)} does not have the required form ${String(params.pattern)}`,
      };
    }
    case 'type': {
      const types = Array.isArray(params.type) ? (params.type as string[]) : String(params.type).split(',');
      return { path, at: 'value', message: `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}, not ${typeName(e.data)}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v));
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return { path, at: 'value', message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(e.data)}${hint}` };
    }
    case 'const': {
      const isVersion = path.length === 1 && path[0] === 'version';
      return {
        path, at: 'value', message: `must be ${JSON.stringify(params.allowedValue)}, not ${JSON.stringify(e.data)}`,
        ...fixOf(isVersion ? 'this gaia reads manifest format version 1: write version: 1' : undefined),
      };
    }
    case 'minimum':
    case 'maximum':
      return { path, at: 'value', message: `must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}, not ${JSON.stringify(e.data)}` };
    case 'minItems':
    case 'maxItems': {
      const limit = Number(params.limit);
      if (e.keyword === 'minItems' && limit === 1) return { path, at: 'value', message: 'must not be an empty list' };
      const exact = (e.parentSchema as { minItems?: number; maxItems?: number } | undefined);
      if (exact?.minItems === exact?.maxItems) return { path, at: 'value', message: `must have exactly ${limit} items, not ${Array.isArray(e.data) ? e.data.length : '?'}` };
      return { path, at: 'value', message: `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${limit} items` };
    }
    case 'minLength':
      return { path, at: 'value', message: 'must not be empty' };
    case 'oneOf': {
      const what = describe(e.parentSchema);
      const passing = params.passingSchemas;
      if (Array.isArray(passing)) return { path, at: 'value', message: `is ambiguous: it fits more than one form of ${what || 'this field'}` };
      const expected = what || formsOf(e.parentSchema);
      return { path, at: 'value', message: `${typeName(e.data)} is not allowed here${expected ? `: expected ${expected}` : ''}` };
    }
    default:
      return { path, at: 'value', message: e.message ?? 'is not valid' };
  }
}
