/** The manifest validator generated at build time (scripts/build-validator.mjs) is the schema's
 *  own: made from the current schema file, and giving exactly the errors ajv compiling the schema
 *  at run time gives — on every bad-manifest fixture and every example. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import { parseManifestText } from '../../src/manifest/parse.js';
import { manifestSchema } from '../../src/manifest/schema.js';
import { SCHEMA_HASH, validate as prebuilt } from '../../src/manifest/schema-validator.generated.js';

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (o: object) => { compile(s: object): ValidateFunction };
const compiled = new Ajv({ allErrors: true, verbose: true, strict: false, code: { optimize: false } }).compile(manifestSchema);
const generated = prebuilt as unknown as ValidateFunction;

const BAD = 'test/fixtures/bad-manifests';
const documents = [
  ...readdirSync(BAD).filter((f) => f.endsWith('.yaml')).map((f) => join(BAD, f)),
  ...readdirSync('examples').filter((f) => f.endsWith('.yaml')).map((f) => join('examples', f)),
  'orchestration.yaml',
];

describe('the build-time manifest validator', () => {
  it('was generated from the schema file as it is now (else run node scripts/build-validator.mjs)', () => {
    const schema = JSON.parse(readFileSync('schemas/orchestration.schema.json', 'utf8')) as unknown;
    expect(SCHEMA_HASH).toBe(createHash('sha256').update(JSON.stringify(schema)).digest('hex'));
  });

  it.each(documents)('gives the same verdict and errors as ajv compiling the schema: %s', (file) => {
    const parsed = parseManifestText(readFileSync(file, 'utf8'), file);
    const value = parsed.value as unknown;
    const ok = compiled(value);
    expect(generated(value)).toBe(ok);
    expect(generated.errors ?? null).toEqual(compiled.errors ?? null);
  });

  it('refuses wrong values the way the compiled schema does (several errors at once)', () => {
    const value = { version: 2, project: 'bad name!', settings: { parallelism: 0 }, extra: true };
    expect(generated(value)).toBe(false);
    expect(compiled(value)).toBe(false);
    expect(generated.errors!.length).toBeGreaterThanOrEqual(3);
    expect(generated.errors).toEqual(compiled.errors);
  });
});
