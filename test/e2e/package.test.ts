/** The package as people get it: `npm pack`'s tarball installed into a fresh folder and run with
 *  npx, and a checkout built by `prepare` (what an install from git runs). Real npm, real
 *  better-sqlite3 install (its prebuild-install, here given this machine's own build as the local
 *  prebuild so it neither downloads nor compiles), a private tmux socket, nothing written to the
 *  user's home: npm's cache is a temporary folder when the registry answers. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

const ROOT = path.resolve('.');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string; version: string; dependencies: Record<string, string>; files: string[]; scripts: Record<string, string>;
};
const MANIFEST = `version: 1
project: packaged
groups:
  probe:
    names: [probe1]
    command: [sleep, "600"]
`;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-package-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Packed { filename: string; unpackedSize: number; files: { path: string }[] }

/** npm's own settings for this test: no writes to the user's home, offline when the registry is away. */
async function npmEnv(): Promise<Record<string, string>> {
  const ping = await execa('npm', ['ping'], { reject: false, timeout: 15_000, stdin: 'ignore', env: { npm_config_cache: path.join(tmp, 'npm-cache') } });
  const online = ping.exitCode === 0;
  return {
    ...(online ? { npm_config_cache: path.join(tmp, 'npm-cache') } : { npm_config_offline: 'true' }),
    npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
    XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'),
  };
}

test('the packed tarball ships only what runs, and installs and runs from a fresh folder', async () => {
  const env = await npmEnv();
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, env, stdin: 'ignore' });
  const info = (JSON.parse(packed.stdout) as Packed[])[0]!;
  const files = info.files.map((f) => f.path).sort();
  expect(files).toEqual(['LICENSE', 'README.md', 'bin/gaia', 'bin/gaia-agent-event.js', 'bin/gaia.js', 'bin/package.json', 'dist/gaia.cjs', 'package.json', 'schemas/orchestration.schema.json', 'schemas/plan.schema.json']);
  expect(info.unpackedSize).toBeLessThan(4 * 1024 * 1024);
  expect(Object.keys(pkg.dependencies)).toEqual(['better-sqlite3']); // everything else is inside dist/gaia.cjs
  expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);

  // better-sqlite3's install (prebuild-install) finds this machine's build as a local prebuild.
  const sqliteRoot = path.join(ROOT, 'node_modules', 'better-sqlite3');
  const sqliteVersion = (JSON.parse(fs.readFileSync(path.join(sqliteRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const prebuilds = path.join(tmp, 'prebuilds');
  fs.mkdirSync(prebuilds);
  execFileSync('tar', ['czf', path.join(prebuilds, `better-sqlite3-v${sqliteVersion}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`), '-C', sqliteRoot, 'build/Release/better_sqlite3.node']);

  const project = path.join(tmp, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "uses-gaia", "version": "1.0.0", "private": true }\n');
  fs.writeFileSync(path.join(project, 'orchestration.yaml'), MANIFEST);
  await execa('npm', ['install', path.join(tmp, info.filename), `better-sqlite3@${sqliteVersion}`], {
    cwd: project, stdin: 'ignore', env: { ...env, npm_config_better_sqlite3_local_prebuilds: prebuilds },
  });
  const installed = path.join(project, 'node_modules', pkg.name);
  expect(fs.existsSync(path.join(installed, 'dist', 'gaia.cjs'))).toBe(true);

  const socket = `gaia-test-${randomBytes(5).toString('hex')}`;
  const run = (args: string[]) => execa('npx', ['--no-install', 'gaia', ...args], { cwd: project, reject: false, stdin: 'ignore', env: { ...env, GAIA_TMUX_SOCKET: socket, NO_COLOR: '1' } });
  const version = await run(['--version']);
  expect(version.stderr).toBe('');
  expect(version.stdout).toBe(pkg.version);
  const plan = await run(['plan']);
  expect(plan.stderr).toBe('');
  expect(plan.exitCode).toBe(0);
  expect(plan.stdout).toMatch(/Plan: 1 to add/);
  expect(fs.existsSync(path.join(project, '.gaia', 'state.db'))).toBe(true); // better-sqlite3's addon loaded
  // Running it left the installed package as it was: the code cache is in the user's cache folder.
  expect(fs.readdirSync(path.join(installed, 'dist'))).toEqual(['gaia.cjs']);
  expect(fs.readdirSync(path.join(env.XDG_CACHE_HOME!, 'gaia')).some((f) => f.endsWith('.cache'))).toBe(true);
}, 240_000);

test('a checkout is built by `prepare`, as an install from git runs it', async () => {
  // The tracked files, as a clone has them, with this checkout's node_modules (dev dependencies).
  const checkout = path.join(tmp, 'checkout');
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of tracked) {
    if (!fs.existsSync(path.join(ROOT, f))) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(checkout, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(checkout, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
  expect(fs.existsSync(path.join(checkout, 'dist'))).toBe(false);
  const unbuilt = await execa(path.join(checkout, 'bin', 'gaia'), ['--version'], { reject: false, stdin: 'ignore' });
  expect(unbuilt.exitCode).toBe(1);
  expect(unbuilt.stderr).toBe(`gaia: ${path.join(checkout, 'dist', 'gaia.cjs')} is missing: this copy of gaia is not built; run \`npm install\` (its prepare builds it) in ${checkout}`);
  await execa('npm', ['run', 'prepare'], { cwd: checkout, stdin: 'ignore' });
  const version = await execa(path.join(checkout, 'bin', 'gaia'), ['--version'], { reject: false, stdin: 'ignore', env: { XDG_CACHE_HOME: path.join(tmp, 'xdg-cache') } });
  expect(version.stderr).toBe('');
  expect(version.stdout).toBe(pkg.version);
}, 120_000);
