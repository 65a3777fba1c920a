/** `gaia completion bash|zsh|fish` in the real shells: the script is sourced, its completion function
 *  called as the shell would call it on a tab press, in a real project (a real apply recorded what
 *  gaia owns), and the values the project knows come from the hidden `gaia __complete KIND`.
 *  zsh and fish are used where installed (GAIA_TEST_ZSH / GAIA_TEST_FISH name one elsewhere);
 *  their tests say so in their names and are skipped otherwise. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { GAIA_BIN, testProject, type TestProject } from '../helpers/cli.js';

const MANIFEST = `version: 1
project: completing
repository: { base: main }
environments:
  names: [dev1, dev2]
  path: envs/{env}
  branch: env/{env}
groups:
  reviewers: { count: 2, name: "review{n}", command: [sleep, "600"] }
files:
  one: { path: out/one.txt, content: "1" }
  two: { path: out/two.txt, content: "2" }
`;

const OTHER = `version: 1
project: other
files:
  three: { path: out/three.txt, content: "3" }
`;

/** A program on the PATH (the tests' own, test/helpers/global-setup.mjs) or named by `override`. */
function program(name: string, override: string | undefined): string | undefined {
  if (override) return override;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
const ZSH = program('zsh', process.env.GAIA_TEST_ZSH);
const FISH = program('fish', process.env.GAIA_TEST_FISH);

/** Every address of MANIFEST, sorted. */
const ADDRESSES = ['file.one', 'file.two', 'git_branch.dev1', 'git_branch.dev2', 'git_worktree.dev1', 'git_worktree.dev2', 'tmux_session.review1', 'tmux_session.review2'];

let p: TestProject;
let scripts: string;
/** A folder whose `gaia` is the built CLI, for shells that run `gaia` by name. */
let binDir: string;
const env = () => ({ GAIA_TMUX_SOCKET: p.socket, NO_COLOR: '1', PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` });

beforeAll(async () => {
  p = testProject(MANIFEST, { 'other/other.yaml': OTHER });
  expect((await p.gaia(['apply', '--auto-approve', '--target', 'file.one'])).code).toBe(0);
  scripts = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-completion-'));
  binDir = path.join(scripts, 'bin');
  fs.mkdirSync(binDir);
  fs.symlinkSync(GAIA_BIN, path.join(binDir, 'gaia'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await p.gaia(['completion', shell]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    fs.writeFileSync(path.join(scripts, `gaia.${shell}`), r.stdout);
  }
}, 60_000);
afterAll(() => {
  p.cleanup();
  fs.rmSync(scripts, { recursive: true, force: true });
});

/** What bash offers for the words, the last one being the word under the cursor. */
async function bash(words: readonly string[], cwd = p.root): Promise<string[]> {
  const driver = `source '${path.join(scripts, 'gaia.bash')}'
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
_gaia
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['-c', driver, 'bash', GAIA_BIN, ...words], { cwd, env: env(), reject: false, stdin: 'ignore' });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe('bash', () => {
  it('completes subcommands, and those of a command with subcommands', async () => {
    expect(await bash([''])).toEqual(expect.arrayContaining(['validate', 'plan', 'apply', 'state', 'send', 'completion']));
    expect(await bash(['st'])).toEqual(['state', 'status']);
    expect(await bash(['state', ''])).toEqual(['list', 'show', 'unlock', 'rebuild', 'history']);
    expect(await bash(['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it('completes every flag a command parses, as its --help lists them', async () => {
    expect(await bash(['apply', '--ta'])).toEqual(['--target']);
    const help = (await p.gaia(['plan', '--help'])).stdout;
    const listed = [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);
    expect(listed).toEqual(expect.arrayContaining(['--file', '--target', '--out', '--json', '--markdown', '--help']));
    expect((await bash(['plan', '--'])).sort()).toEqual(listed.sort());
  });

  it('completes --target with the manifest\'s addresses and what gaia owns, state show with what it owns', async () => {
    expect(await bash(['apply', '--target', ''])).toEqual(ADDRESSES);
    expect(await bash(['plan', '--target', 'file.'])).toEqual(['file.one', 'file.two']);
    expect(await bash(['plan', '--target', '=', 'file.'])).toEqual(['file.one', 'file.two']); // --target=file. as bash splits it
    expect(await bash(['state', 'show', ''])).toEqual(['file.one']);
    expect(await bash(['send', ''])).toEqual(['review1', 'review2', 'reviewers']);
    expect(await bash(['send', 'review1', ''])).toEqual([]); // the text
    expect(await bash(['attach', ''])).toEqual(['review1', 'review2']); // a session, never a group
    expect(await bash(['git', 'status', ''])).toEqual(['dev1', 'dev2']);
    expect(await bash(['status', '--group', ''])).toEqual(['reviewers']);
    expect(await bash(['status', '--env', 'd'])).toEqual(['dev1', 'dev2']);
  });

  it('reads the manifest -f names, and finds the project from a subfolder', async () => {
    expect(await bash(['plan', '-f', 'other/other.yaml', '--target', ''])).toEqual(['file.three']);
    fs.mkdirSync(path.join(p.root, 'src', 'deep'), { recursive: true });
    expect(await bash(['state', 'show', ''], path.join(p.root, 'src', 'deep'))).toEqual(['file.one']);
  });

  it('completes file names for -f', async () => {
    expect(await bash(['plan', '-f', 'orch'])).toEqual(['orchestration.yaml']);
  });

  it('offers nothing, and says nothing, where there is no project', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-completion-empty-'));
    try {
      expect(await bash(['apply', '--target', ''], empty)).toEqual([]);
      for (const kind of ['addresses', 'owned', 'sessions', 'session-names', 'groups', 'environments']) {
        const r = await execa(GAIA_BIN, ['__complete', kind], { cwd: empty, env: env(), reject: false, stdin: 'ignore' });
        expect({ kind, code: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ kind, code: 0, stdout: '', stderr: '' });
      }
      expect(fs.readdirSync(empty)).toEqual([]); // no .gaia/, no state made by a tab press
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('gaia __complete (what the zsh and fish scripts run too)', () => {
  it('prints each kind\'s values one a line', async () => {
    const lines = async (kind: string) => (await p.gaia(['__complete', kind])).stdout.split('\n');
    expect(await lines('addresses')).toEqual(ADDRESSES);
    expect(await lines('owned')).toEqual(['file.one']);
    expect(await lines('sessions')).toEqual(['review1', 'review2', 'reviewers']);
    expect(await lines('session-names')).toEqual(['review1', 'review2']);
    expect(await lines('groups')).toEqual(['reviewers']);
    expect(await lines('environments')).toEqual(['dev1', 'dev2']);
    expect((await p.gaia(['__complete', 'owned', '-f', 'other/other.yaml'])).stdout).toBe('');
  });

  it('is not in --help', async () => {
    expect((await p.gaia(['--help'])).stdout).not.toContain('__complete');
  });
});

describe('gaia completion SHELL', () => {
  it('refuses a shell it does not know, naming those it does', async () => {
    const r = await p.gaia(['completion', 'tcsh']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tcsh.*bash, zsh, fish/s);
    expect(r.stderr).not.toContain('internal error');
  });
});

(ZSH ? describe : describe.skip)(`zsh${ZSH ? '' : ' (skipped: zsh is not installed)'}`, () => {
  /** What _gaia offers, with zsh's completion builtins replaced by stand-ins that print their words. */
  async function zsh(words: readonly string[]): Promise<string[]> {
    const driver = `compdef() { :; }
_describe() { local -a a; a=("\${(@P)\${@[-1]}}"); print -rl -- "\${a[@]%%:*}"; }
compadd() { shift; print -rl -- "$@"; }
_files() { print -r -- '<files>'; }
source '${path.join(scripts, 'gaia.zsh')}'
words=("$@"); CURRENT=$#
_gaia`;
    const r = await execa(ZSH!, ['-f', '-c', driver, 'zsh', 'gaia', ...words], { cwd: p.root, env: env(), reject: false, stdin: 'ignore' });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  }

  it('parses', async () => {
    expect((await execa(ZSH!, ['-n', path.join(scripts, 'gaia.zsh')], { reject: false })).exitCode).toBe(0);
  });

  it('completes subcommands, flags, --target addresses and state show', async () => {
    expect(await zsh(['state', ''])).toEqual(['list', 'show', 'unlock', 'rebuild', 'history']);
    expect(await zsh(['apply', '--'])).toContain('--target');
    expect(await zsh(['apply', '--target', ''])).toEqual(ADDRESSES);
    expect(await zsh(['state', 'show', ''])).toEqual(['file.one']);
    expect(await zsh(['plan', '-f', ''])).toEqual(['<files>']);
  });
});

(FISH ? describe : describe.skip)(`fish${FISH ? '' : ' (skipped: fish is not installed)'}`, () => {
  /** What fish offers for the command line (its own `complete -C`), without descriptions. */
  async function fish(line: string): Promise<string[]> {
    const r = await execa(FISH!, ['--no-config', '-c', `source '${path.join(scripts, 'gaia.fish')}'; complete -C '${line}'`], { cwd: p.root, env: env(), reject: false, stdin: 'ignore' });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
  }

  it('parses', async () => {
    expect((await execa(FISH!, ['-n', path.join(scripts, 'gaia.fish')], { reject: false })).exitCode).toBe(0);
  });

  it('completes subcommands, flags, --target addresses and state show', async () => {
    expect(await fish('gaia state ')).toEqual(['history', 'list', 'rebuild', 'show', 'unlock']);
    expect(await fish('gaia apply --ta')).toEqual(['--target']);
    expect(await fish('gaia apply --target ')).toEqual(ADDRESSES);
    expect(await fish('gaia state show ')).toEqual(['file.one']);
    expect(await fish('gaia send ')).toEqual(['review1', 'review2', 'reviewers']);
  });
});
