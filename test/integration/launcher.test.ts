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
