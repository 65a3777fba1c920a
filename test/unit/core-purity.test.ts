/** src/core is the pure heart: plans are computed from arguments, never from the disk, processes or
 *  databases. The guard is ESLint's no-restricted-imports / no-restricted-globals for src/core/**
 *  (eslint.config.js); this test proves the rule bites and that src/core passes it. */
import { ESLint } from 'eslint';

const eslint = new ESLint();
const ruleIds = async (code: string, filePath: string): Promise<string[]> =>
  (await eslint.lintText(code, { filePath }))[0]!.messages.map((m) => m.ruleId ?? m.message);

describe('src/core does no I/O (eslint.config.js)', () => {
  it.each([
    ["import fs from 'node:fs';", 'no-restricted-imports'],
    ["import { readFileSync } from 'fs';", 'no-restricted-imports'],
    ["import { execa } from 'execa';", 'no-restricted-imports'],
    ["import Database from 'better-sqlite3';", 'no-restricted-imports'],
    ["import { Kysely } from 'kysely';", 'no-restricted-imports'],
    ["import { localExecutor } from '../host/exec.js';", 'no-restricted-imports'],
    ["export const home = () => process.env.HOME;", 'no-restricted-globals'],
    ["export const bye = () => process.exit(1);", 'no-restricted-globals'],
  ])('refuses `%s` in src/core', async (code, rule) => {
    expect(await ruleIds(`${code}\nexport {};\n`, 'src/core/example.ts')).toContain(rule);
  });

  it('allows the same import at the edge (src/host/local, this machine behind the Host)', async () => {
    expect(await ruleIds("import fs from 'node:fs';\nexport const exists = (p: string) => fs.existsSync(p);\n", 'src/host/local/example.ts')).toEqual([]);
  });

  it('allows pure imports in src/core (another core module, node:crypto for hashes)', async () => {
    expect(await ruleIds("import { createHash } from 'node:crypto';\nimport type { Resource } from './resource.js';\nexport const h = (r: Resource) => createHash('sha256').update(r.address).digest('hex');\n", 'src/core/example.ts')).toEqual([]);
  });

  it('every file in src/core passes', async () => {
    const results = await eslint.lintFiles(['src/core']);
    expect(results.length).toBeGreaterThan(5);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}: ${m.message}`))).toEqual([]);
  });
});

describe('providers, operations and agents reach the machine only through a Host (eslint.config.js)', () => {
  it.each([
    ["import fs from 'node:fs';", 'src/providers/example.ts'],
    ["import { spawn } from 'node:child_process';", 'src/ops/example.ts'],
    ["import Database from 'better-sqlite3';", 'src/agents/example.ts'],
    ["import { scanProcesses } from '../host/local/process-table.js';", 'src/ops/example.ts'],
    ["import { localExecutor } from '../host/exec.js';", 'src/ops/example.ts'],
  ])('refuses `%s` in %s', async (code, file) => {
    expect(await ruleIds(`${code}\nexport {};\n`, file)).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('refuses signalling a process directly', async () => {
    expect(await ruleIds('export const stop = (pid: number) => process.kill(pid, "SIGTERM");\n', 'src/providers/example.ts')).toContain('no-restricted-properties');
  });

  it('allows the Host\'s types and pure helpers', async () => {
    expect(await ruleIds("import type { ProcessInfo } from '../host/local/process-table.js';\nimport type { Host } from '../host/host.js';\nexport const n = (h: Host, p: ProcessInfo) => h.name + p.pid;\n", 'src/ops/example.ts')).toEqual([]);
  });
});
