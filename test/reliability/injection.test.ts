/** Hostile names and texts are data. Session names, branch names, paths, variable values, values
 *  substituted into a string command and task texts typed with send-keys carry shell metacharacters,
 *  quotes, `;`, `$(touch MARKER)`, backticks and a leading `-`; each would create a marker file if any
 *  shell ran it. After a real apply and a real task delivery no marker exists, and every value arrived
 *  verbatim. Values the validator refuses are refused with a located message. Paths that leave the
 *  project root through `..`, an absolute path or a symlink are refused, and nothing outside is touched. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '../helpers/poll.js';
import { project, removeTree, report, type Project } from './support.js';

/** Where markers would appear: an absolute folder without "." or ":" (tmux session names refuse those). */
const markers = mkdtempSync(path.join(os.tmpdir(), 'gaia-inj-'));
let attempts = 0;
const marker = (name: string) => {
  attempts++;
  return path.join(markers, name);
};

// Each runs `touch MARKER` if a shell ever evaluates it. $IFS$9 is a space to a shell, so values that
// may not hold a space (branch names) can still carry a working command.
const sub = (m: string) => `$(touch ${marker(m)})`;
const tick = (m: string) => `\`touch ${marker(m)}\``;
const semi = (m: string) => `;touch ${marker(m)};`;
const quoteBreak = (m: string) => `'; touch ${marker(m)}; '`;
// tmux runs #(command) wherever it expands a format (new-session -s and -c are expanded).
const tmuxRun = (m: string) => `#(touch ${marker(m)})`;
const dquoteBreak = (m: string) => `"; touch ${marker(m)}; "`;

// tmux keeps all of these as written ("$" and "\\" it would escape: the validator refuses those, below).
const SESSION_NAMES = [
  `s1 ${tick('name-tick')}`,
  `s2${semi('name-semi')}`,
  `s3${quoteBreak('name-quote')}`,
  `s4${dquoteBreak('name-dquote')}`,
  `-s5 && touch ${marker('name-dash')} | cat`,
  `s6 > ${marker('name-redirect')}`,
  `s7 (touch ${marker('name-paren')}) & wait`,
  `s8 ${tmuxRun('name-tmux-run')} #{session_id}`,
];
const VAR_VALUE = `${sub('var-sub')} ${tick('var-tick')}${semi('var-semi')}'"\\ ${tmuxRun('var-tmux-run')}`;
const ENV_PATH = `envs/{env} ${sub('path-sub')} ${tmuxRun('path-tmux-run')}${semi('path-semi')}`;
const BRANCH = `env/{env}-$(touch$IFS$9${marker('branch-sub')})-\`touch$IFS$9${marker('branch-tick')}\`;touch$IFS$9${marker('branch-semi')}`;
const FILE_PATH = `out/${sub('file-sub')} ${tick('file-tick')}.txt`;
const DB_PATH = `data/${sub('db-sub')}.db`;
const TASK = `-x ${sub('task-sub')} ${tick('task-tick')} ${tmuxRun('task-tmux-run')}${semi('task-semi')}${quoteBreak('task-quote')}${dquoteBreak('task-dquote')}\\`;

const yamlString = (s: string) => JSON.stringify(s);

const manifest = `
version: 1
project: injection
repository: { path: ., base: main }
environments:
  names: [dev1]
  path: ${yamlString(ENV_PATH)}
  branch: ${yamlString(BRANCH)}
  stages:
    dev: { database: { path: ${yamlString(DB_PATH)}, migrations: db } }
groups:
  named:
    names: ${JSON.stringify(SESSION_NAMES)}
    # A string command: {session} is substituted quoted; the shell prints it and the variable as data.
    command: "printf '%s|%s\\\\n' {session} \\"$HOSTILE\\" >> received.txt; exec sleep 3600"
    vars: { HOSTILE: ${yamlString(VAR_VALUE)} }
  workers:
    perEnvironment: true
    name: "{env}_worker"
    # {path} is the hostile environment path, substituted quoted into a string command.
    command: "printf '%s\\\\n' {path} > received-path.txt; exec sleep 3600"
  argv:
    count: 1
    name: "argv{n}"
    # argv form: no shell at all; the hostile element is sh's $1, printed as data.
    command: ["sh", "-c", "printf '%s\\\\n' \\"$1\\" > received-argv.txt; exec sleep 3600", "sh", ${yamlString(sub('argv-sub'))}]
  lonely:
    count: 1
    name: "lonely{n}"
    # One argv element is a program name, never a shell line: this names no program, so nothing runs.
    command: [${yamlString(`true${semi('argv-one')}`)}]
  inbox:
    count: 1
    name: inbox
    command: ["tee", "-a", "tasks.txt"]
files:
  hostile: { path: ${yamlString(FILE_PATH)}, content: ${yamlString(`${VAR_VALUE}\n`)} }
routing:
  rules: [{ type: review, group: inbox }]
  default: inbox
`;

describe('hostile names, paths and texts are passed as data', () => {
  let p: Project;
  beforeAll(() => {
    p = project(manifest, { 'db/001.sql': 'CREATE TABLE t (x TEXT);\n' });
  });
  afterAll(() => {
    const executed = readdirSync(markers).length;
    report({ area: 'hostile input', measure: 'injection attempts', tried: attempts, okLabel: 'executed', ok: executed, notes: 'session/branch names, paths, variable values, {session}/{path} in string commands, argv, task texts, refused names' });
    p.cleanup();
    removeTree(markers);
  });

  it('validates the hostile manifest, then applies it for real: every session, branch, worktree, database and file exists with its exact name, and no marker appears', async () => {
    const valid = await p.run(['validate']);
    expect(valid.stdout + valid.stderr).toMatch(/is valid/);
    const applied = await p.run(['apply', '--auto-approve']);
    expect(applied.stderr).toBe('');
    // The one-element argv names no program: its pane dies at once (remain-on-exit keeps it), nothing
    // ran, and the apply says so; everything else is created.
    expect(applied.code).toBe(1);
    expect(applied.stdout).toMatch(/tmux_session\.lonely1: failed: its program did not start: exited 127/);
    expect(applied.stdout.split('\n').filter((l) => /: failed:/.test(l) && !/lonely1/.test(l))).toEqual([]);
    expect(p.sessions()).toEqual([...SESSION_NAMES, 'argv1', 'dev1_worker', 'inbox', 'lonely1'].sort());
    const envDir = ENV_PATH.replace('{env}', 'dev1');
    expect(p.git(['branch', '--list', '--format=%(refname:short)']).split('\n')).toContain(BRANCH.replace('{env}', 'dev1'));
    expect(p.git(['worktree', 'list', '--porcelain'])).toContain(`worktree ${path.join(p.root, envDir)}\n`);
    expect(existsSync(path.join(p.root, envDir, DB_PATH))).toBe(true);
    expect(readFileSync(path.join(p.root, FILE_PATH), 'utf8')).toBe(`${VAR_VALUE}\n`);
    // The sessions' programs write what they were given, each when it has started.
    const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
    await until(() => lines(path.join(p.root, 'received.txt')).length >= SESSION_NAMES.length
      && lines(path.join(p.root, envDir, 'received-path.txt')).length > 0 && lines(path.join(p.root, 'received-argv.txt')).length > 0);
    const received = lines(path.join(p.root, 'received.txt')).sort();
    expect(received).toEqual(SESSION_NAMES.map((n) => `${n}|${VAR_VALUE}`).sort());
    expect(readFileSync(path.join(p.root, envDir, 'received-path.txt'), 'utf8')).toBe(`${envDir}\n`);
    expect(readFileSync(path.join(p.root, 'received-argv.txt'), 'utf8')).toBe(`${sub('argv-sub')}\n`);
    expect(readdirSync(markers)).toEqual([]);
    // And the next plan agrees with what exists (hostile names round-trip through tmux and git).
    const again = await p.run(['plan', '--detailed-exitcode']);
    expect(again.stdout.split('\n').filter((l) => /^\s+# /.test(l) && !/lonely1/.test(l))).toEqual([]);
  });

  it('delivers hostile task texts (one line, and several) as data through a paste buffer: they arrive verbatim and run nothing', async () => {
    const r = await p.run(['task', 'add', '--type', 'review', '--deliver', '--', TASK]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Delivered to inbox/);
    const multiline = `first ${sub('task-ml-sub')}\n${tick('task-ml-tick')}${semi('task-ml-semi')}`;
    const m = await p.run(['task', 'add', '--type', 'review', '--deliver', '--', multiline]);
    expect(m.stdout).toMatch(/Delivered to inbox/);
    const tasks = () => (existsSync(path.join(p.root, 'tasks.txt')) ? readFileSync(path.join(p.root, 'tasks.txt'), 'utf8') : '');
    await until(() => tasks().length >= `${TASK}\n${multiline}\n`.length);
    expect(tasks()).toBe(`${TASK}\n${multiline}\n`);
    // An escape sequence is a key press, not text: refused, with a message, and nothing sent.
    const esc = await p.run(['task', 'add', '--type', 'review', '--deliver', '--', `\x1b[2J${sub('task-esc')}`]);
    expect(esc.code).toBe(1);
    expect(esc.stderr).toMatch(/control character U\+001B/);
    expect(readdirSync(markers)).toEqual([]);
  });

  it('refuses names the tools would misread, each with a located message, before anything runs', async () => {
    const refused: [string, RegExp][] = [
      [`environments: { names: [${yamlString(`dev${sub('env-sub')}`)}] }`, /environment name .* is not allowed/],
      ['environments: { names: ["-rf"] }', /environment name "-rf" is not allowed/],
      [`environments: { names: [dev1], branch: ${yamlString(`-b${semi('branch-dash')}`)} }`, /starts with "-"/],
      [`environments: { names: [dev1], branch: ${yamlString(`env/{env} ${sub('branch-space')}`)} }`, /contains a space/],
      [`groups: { g: { names: [${yamlString(`a\n${sub('name-newline')}`)}], command: bash } }`, /control characters/],
      [`groups: { g: { names: [${yamlString(`a.b${sub('name-dot')}`)}], command: bash } }`, /tmux would rename/],
      [`groups: { g: { names: [${yamlString(`s8 ${sub('name-sub')}`)}], command: bash } }`, /tmux would rename .* escapes "\$"/],
      [`groups: { g: { names: [${yamlString(`s9 \\${tick('name-backslash')}`)}], command: bash } }`, /tmux would rename/],
      [`files: { f: { path: ${yamlString(`../${sub('file-up')}`)}, content: x } }`, /leads outside the project root/],
      [`files: { f: { path: ${yamlString(`/tmp/${sub('file-abs')}`)}, content: x } }`, /leads outside the project root/],
      [`groups: { g: { count: 1, cwd: ${yamlString(`../../${sub('cwd-up')}`)}, command: bash } }`, /leads outside the project root/],
      [`settings: { state: ${yamlString(`../${sub('state-up')}.db`)} }`, /leads outside the project root/],
    ];
    for (const [body, message] of refused) {
      p.write('refused.yaml', `version: 1\nproject: refused\n${body}\n`);
      const r = await p.run(['plan', '-f', 'refused.yaml']);
      expect({ body, code: r.code }).toEqual({ body, code: 1 });
      expect(r.stderr).toMatch(/refused\.yaml:\d+:\d+ {2}/);
      expect(r.stderr).toMatch(message);
    }
    expect(readdirSync(markers)).toEqual([]);
  });
});

describe('paths that leave the project root through a symlink are refused at the edge', () => {
  let p: Project;
  let outside: string;
  const manifest = `
version: 1
project: symlinks
repository: { path: ., base: main }
environments:
  names: [dev1]
  path: "linked/{env}"
  stages:
    dev: { database: { path: data/dev.db, migrations: db } }
files:
  through_link: { path: "out/secret.txt", content: "written by gaia\\n" }
  inside: { path: "kept/ok.txt", content: "ok\\n" }
`;
  beforeAll(() => {
    p = project(manifest, { 'db/001.sql': 'CREATE TABLE t (x TEXT);\n' });
    outside = mkdtempSync(path.join(os.tmpdir(), 'gaia-outside-'));
    // The environments folder and the file's folder are symlinks to a folder outside the project.
    symlinkSync(outside, path.join(p.root, 'linked'));
    mkdirSync(path.join(outside, 'out'));
    writeFileSync(path.join(outside, 'out', 'secret.txt'), 'not gaia\'s\n');
    symlinkSync(path.join(outside, 'out'), path.join(p.root, 'out'));
  });
  afterAll(() => {
    p.cleanup();
    removeTree(outside);
  });

  it('plans with a warning instead of reading outside, refuses the worktree, database and file, writes nothing outside, and still makes what is inside', async () => {
    const planned = await p.run(['plan']);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toMatch(/out\/secret\.txt leads outside the project root through the symlink out/);
    // The outside file's content never reaches the plan.
    expect(planned.stdout).not.toContain("not gaia's");
    const applied = await p.run(['apply', '--auto-approve']);
    expect(applied.code).toBe(1);
    expect(applied.stdout).toMatch(/FAILED git_worktree\.dev1 \(create\): linked\/dev1 leads outside the project root through the symlink linked/);
    expect(applied.stdout).toMatch(/FAILED file\.through_link \(create\): out\/secret\.txt leads outside the project root through the symlink out/);
    expect(applied.stdout).toMatch(/SKIPPED sqlite_database\.dev1\.dev/);
    expect(readFileSync(path.join(p.root, 'kept/ok.txt'), 'utf8')).toBe('ok\n');
    // Outside: exactly what was there before.
    expect(readdirSync(outside).sort()).toEqual(['out']);
    expect(readdirSync(path.join(outside, 'out'))).toEqual(['secret.txt']);
    expect(readFileSync(path.join(outside, 'out', 'secret.txt'), 'utf8')).toBe("not gaia's\n");
    expect(p.git(['worktree', 'list'])).not.toContain('dev1');
  });
});
