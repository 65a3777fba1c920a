/** JSON Schema validation (ajv) with errors turned into located, human sentences. */
import { createRequire } from 'node:module';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { PathSegment } from './parse.js';

const require = createRequire(import.meta.url);
export const manifestSchema = require('../../schemas/orchestration.schema.json') as Record<string, unknown>;

export interface SchemaProblem {
  readonly path: readonly PathSegment[];
  readonly at: 'key' | 'value';
  readonly message: string;
  readonly fix?: string;
}

let validator: ValidateFunction | undefined;
function compiled(): ValidateFunction {
  // ajv's CJS default export needs unwrapping under NodeNext.
  const Ajv = (AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule;
  validator ??= new (Ajv as unknown as new (o: object) => { compile(s: object): ValidateFunction })({
    allErrors: true, verbose: true, strict: false,
  }).compile(manifestSchema);
  return validator;
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
  return d ? d.replace(/\.$/, '') : '';
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function humanise(errors: readonly ErrorObject[], data: unknown): SchemaProblem[] {
  // A failed oneOf also reports every branch's own failure; keep only the oneOf itself.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of errors) {
    if (e.schemaPath.includes('/oneOf/') && [...oneOfPaths].some((p) => e.instancePath.startsWith(p))) continue;
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
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return { path: [...path, extra], at: 'key', message: `unknown field "${extra}"`, fix: allowed.length ? `allowed here: ${allowed.join(', ')}` : undefined };
    }
    case 'required':
      return { path, at: 'value', message: `missing required field "${String(params.missingProperty)}"` };
    case 'propertyNames':
      return undefined; // reported by the pattern error on the name itself
    case 'pattern':
      if (e.propertyName !== undefined || e.schemaPath.includes('propertyNames')) {
        const name = String(e.propertyName ?? path[path.length - 1]);
        return { path: [...path, name], at: 'key', message: `name "${name}" is not allowed`, fix: `use letters, digits, "_" or "-", starting with a letter` };
      }
      return { path, at: 'value', message: `${JSON.stringify(e.data)} does not match the required form ${String(params.pattern)}` };
    case 'type':
      return { path, at: 'value', message: `must be ${String(params.type).replace(',', ' or ')}, not ${typeName(e.data)}` };
    case 'enum':
      return { path, at: 'value', message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(e.data)}` };
    case 'const':
      return { path, at: 'value', message: `must be ${JSON.stringify(params.allowedValue)}, not ${JSON.stringify(e.data)}` };
    case 'minimum':
    case 'maximum':
      return { path, at: 'value', message: `must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}, not ${JSON.stringify(e.data)}` };
    case 'minItems':
    case 'maxItems':
      return { path, at: 'value', message: `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} item(s)` };
    case 'minLength':
      return { path, at: 'value', message: 'must not be empty' };
    case 'oneOf':
      return { path, at: 'value', message: `is not valid: expected ${describe(e.parentSchema) || 'one of the allowed forms'}` };
    default:
      return { path, at: 'value', message: e.message ?? 'is not valid' };
  }
}
