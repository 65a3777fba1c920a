/** Reading a saved plan (`gaia plan --out FILE`) back for `gaia apply FILE`: a file that is not a
 *  gaia plan — not JSON, another format, hand-edited — is the user's mistake, said with the place. */
import { readFileSync } from 'node:fs';
import { PLAN_FORMAT_VERSION, type Plan } from '../core/plan.js';
import { validate as validatePlan } from './plan-schema-validator.generated.js';
import { UserError } from './errors.js';

interface SchemaError { readonly instancePath: string; readonly message?: string; readonly params?: { readonly additionalProperty?: string; readonly allowedValues?: readonly unknown[] } }

/** The plan in `path`, checked against schemas/plan.schema.json; `replan` is the command that makes a fresh one. */
export function readPlanFile(path: string, replan: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read plan file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message}`, `make one with \`${replan}\``);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path} is not a gaia plan: not JSON (${(e as Error).message})`, `make one with \`${replan}\``);
  }
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof value === 'object' && value !== null && version !== undefined && version !== PLAN_FORMAT_VERSION) {
    throw new UserError(`${path} is a gaia plan of format ${JSON.stringify(version)}; this gaia reads format ${PLAN_FORMAT_VERSION}`, `make a new one with \`${replan}\``);
  }
  if (!validatePlan(value)) {
    const errors = ((validatePlan as unknown as { errors?: readonly SchemaError[] }).errors ?? []).slice(0, 5).map(describe);
    throw new UserError(`${path} is not a gaia plan (schemas/plan.schema.json):\n    ${errors.join('\n    ')}`, `make one with \`${replan}\``);
  }
  return value as Plan;
}

function describe(e: SchemaError): string {
  const where = e.instancePath === '' ? '(top level)' : e.instancePath.slice(1).replace(/\//g, '.');
  if (e.params?.additionalProperty !== undefined) return `${where}: unknown field "${e.params.additionalProperty}"`;
  if (e.params?.allowedValues) return `${where}: ${e.message ?? 'invalid'} (${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  return `${where}: ${e.message ?? 'invalid'}`;
}
