/** The `gaia` command (bin/gaia): node starts without NODE_EXTRA_CA_CERTS — it would read and parse
 *  the whole CA file before running anything — and everything gaia runs gets the variable back.
 *  Real tmux on a private socket; the launcher run as npm installs it, through a symlink. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { GAIA_BIN, testProject } from '../helpers/cli.js';
import { until } from './agents-fixture.js';

const MISSING_CA = '/nonexistent/gaia-test-ca.pem';
/** What node prints when it tried to load NODE_EXTRA_CA_CERTS at start-up. */
const LOADED = /Ignoring extra certs from/;

test('works through a symlink, as npm links it from node_modules/.bin', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-launcher-'));
  try {
    fs.symlinkSync(GAIA_BIN, path.join(dir, 'gaia'));
    const r = await execa(path.join(dir, 'gaia'), ['--version'], { reject: false, stdin: 'ignore' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('node starts without NODE_EXTRA_CA_CERTS, and the sessions gaia starts have it', async () => {
  // The control: run directly, node does load the file at start (and warns, as it is missing).
  const direct = await execa('node', [path.join(path.dirname(GAIA_BIN), 'gaia.js'), '--version'], { env: { NODE_EXTRA_CA_CERTS: MISSING_CA }, reject: false, stdin: 'ignore' });
  expect(direct.stderr).toMatch(LOADED);

  const p = testProject(`
version: 1
project: launcher
groups:
  probe:
    names: [probe1]
    command: 'printf %s "$NODE_EXTRA_CA_CERTS" > ca.txt; exec sleep 600'
`);
  try {
    const applied = await p.gaia(['apply', '--auto-approve'], { NODE_EXTRA_CA_CERTS: MISSING_CA });
    expect(applied.code).toBe(0);
    expect(applied.stderr).not.toMatch(LOADED);
    const file = path.join(p.root, 'ca.txt');
    await until(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== '', 10_000);
    expect(fs.readFileSync(file, 'utf8')).toBe(MISSING_CA);
  } finally {
    p.cleanup();
  }
});

describe('the V8 code cache', () => {
  const root = path.resolve('.');
  const listing = () => ['bin', 'dist'].map((d) => fs.readdirSync(path.join(root, d)).sort().join(',')).join(' | ');
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-cache-'));
    fs.writeFileSync(path.join(dir, 'm.yaml'), 'version: 1\nproject: cached\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const gaia = (args: string[], env: Record<string, string>) => execa(GAIA_BIN, args, { cwd: dir, env, extendEnv: false, reject: false, stdin: 'ignore' });

  test('lives in $XDG_CACHE_HOME/gaia, keyed by gaia and node, lists only commands that ran, keeps one', async () => {
    const cache = path.join(dir, 'xdg');
    const env = { PATH: process.env.PATH!, XDG_CACHE_HOME: cache };
    fs.mkdirSync(path.join(cache, 'gaia'), { recursive: true });
    fs.writeFileSync(path.join(cache, 'gaia', 'v8-0.0.1-node18.0.0-old.cache'), 'stale'); // another gaia's
    fs.writeFileSync(path.join(cache, 'gaia', 'notes.txt'), 'not gaia\'s cache'); // never touched
    const before = listing();
    expect((await gaia(['validate', '-f', 'm.yaml'], env)).exitCode).toBe(0);
    expect((await gaia(['-f', 'm.yaml', 'validate'], env)).exitCode).toBe(1); // not a flag of gaia itself
    expect((await gaia(['--version'], env)).exitCode).toBe(0);
    expect((await gaia(['m.yaml'], env)).exitCode).toBe(1);
    expect((await gaia(['graph', '-f', 'm.yaml'], env)).exitCode).toBe(0);
    const files = fs.readdirSync(path.join(cache, 'gaia')).sort();
    const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const name = new RegExp(`^v8-${version.replace(/\./g, '\\.')}-node${process.versions.node.replace(/\./g, '\\.')}-[0-9a-z]+\\.(cache|json)$`);
    expect(files.filter((f) => f !== 'notes.txt')).toEqual([expect.stringMatching(name), expect.stringMatching(name)]);
    expect(files).toContain('notes.txt');
    const list = files.find((f) => f.endsWith('.json'))!;
    expect(JSON.parse(fs.readFileSync(path.join(cache, 'gaia', list), 'utf8'))).toEqual(['validate', 'graph']);
    expect(listing()).toBe(before); // nothing written into the installation
  });

  test('defaults to ~/.cache/gaia, and with no usable folder runs without one', async () => {
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    expect((await gaia(['validate', '-f', 'm.yaml'], { PATH: process.env.PATH!, HOME: home })).exitCode).toBe(0);
    expect(fs.readdirSync(path.join(home, '.cache', 'gaia')).some((f) => f.endsWith('.cache'))).toBe(true);
    const r = await gaia(['validate', '-f', 'm.yaml'], { PATH: process.env.PATH!, XDG_CACHE_HOME: 'relative/ignored' });
    expect(r.exitCode).toBe(0);
    expect(fs.existsSync(path.join(dir, 'relative'))).toBe(false);
  });
});
