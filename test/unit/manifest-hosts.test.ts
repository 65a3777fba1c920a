/** Hosts in the manifest: environments spread over hosts in order, `host:` on exactly the resources
 *  that live elsewhere, local manifests exactly as before, and every mistake located. */
import { loadManifest, loadManifestText } from '../../src/manifest/load.js';
import { parseSshTarget } from '../../src/manifest/hosts.js';
import type { Model } from '../../src/manifest/model.js';
import type { Resource } from '../../src/core/resource.js';

const HOSTS = `
hosts:
  gpu1: { ssh: dev@gpu1.internal, root: ~/gaia/app, tmux: { socket: gaia }, channels: 6 }
  vm2: { ssh: vm2, root: /srv/gaia/app }
`;

const manifest = (body: string, repository = 'repository: { path: ., url: git@github.com:team/app.git, base: main }') => `version: 1
project: t
${repository}
${HOSTS}
${body}`;

const load = (text: string) => loadManifestText(text, 'orchestration.yaml', { environ: {} });
const ok = (text: string): Model => {
  const r = load(text);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.path}: ${e.message}`).join('\n'));
  return r.model;
};
/** `line:col path: message | fix`, as the CLI prints them. */
const errors = (text: string): string[] => {
  const r = load(text);
  return r.ok ? [] : r.errors.map((e) => `${e.line}:${e.col} ${e.path}: ${e.message}${e.fix ? ` | ${e.fix}` : ''}`);
};
const byAddress = (m: Model, address: string): Resource => {
  const r = m.resources.find((x) => x.address === address);
  if (!r) throw new Error(`no ${address} among ${m.resources.map((x) => x.address).join(', ')}`);
  return r;
};
const hostOf = (r: Resource) => r.attributes.host;

const SPREAD = manifest(`
environments:
  count: 6
  name: dev{n}
  hosts: [gpu1, vm2]
  stages:
    qa:
      database: { path: data/qa.db }
      port: { range: [8081, 8089] }
groups:
  workers: { perEnvironment: true, command: bash }
  reviewers: { count: 3, host: vm2, command: bash }
  local_shells: { count: 1, command: bash }
files:
  stage_env: { perStage: true, path: "{env.path}/.env", content: "PORT={stage.port}" }
  summary: { path: summary.json, json: "{environments}" }
`);

describe('environments spread over hosts', () => {
  const model = ok(SPREAD);

  it('go to the hosts in order, round and round', () => {
    expect(model.environments.map((e) => [e.name, e.host])).toEqual([
      ['dev1', 'gpu1'], ['dev2', 'vm2'], ['dev3', 'gpu1'], ['dev4', 'vm2'], ['dev5', 'gpu1'], ['dev6', 'vm2'],
    ]);
  });

  it('are clones of repository.url, their paths relative to the host root', () => {
    expect(model.environments.every((e) => e.source === 'clone')).toBe(true);
    expect(byAddress(model, 'git_worktree.dev2').attributes).toEqual({
      source: 'clone', url: 'git@github.com:team/app.git', path: 'envs/dev2', branch: 'env/dev2', base: 'main', host: 'vm2',
    });
    expect(model.resources.some((r) => r.kind === 'git_branch')).toBe(false);
  });

  it('take local to mean this machine: worktrees as ever, with no host', () => {
    const m = ok(manifest('environments: { count: 3, name: "dev{n}", hosts: [local, gpu1] }'));
    expect(m.environments.map((e) => [e.name, e.host, e.source])).toEqual([['dev1', undefined, 'worktree'], ['dev2', 'gpu1', 'clone'], ['dev3', undefined, 'worktree']]);
    expect('host' in m.environments[0]!).toBe(false);
    expect(byAddress(m, 'git_worktree.dev1').attributes).toEqual({ source: 'worktree', repo: '.', path: 'envs/dev1', branch: 'env/dev1' });
    expect(byAddress(m, 'git_branch.dev1').attributes).not.toHaveProperty('host');
    expect(byAddress(m, 'git_worktree.dev2').attributes).toEqual(expect.objectContaining({ source: 'clone', host: 'gpu1' }));
  });
});

describe('the host attribute', () => {
  const model = ok(SPREAD);

  it('is on every resource of an environment on a remote host', () => {
    const dev3 = ['git_worktree.dev3', 'port.dev3.qa', 'sqlite_database.dev3.qa', 'tmux_session.dev3_workers', 'file.dev3.qa.stage_env'];
    expect(dev3.map((a) => hostOf(byAddress(model, a)))).toEqual(['gpu1', 'gpu1', 'gpu1', 'gpu1', 'gpu1']);
    expect(model.resources.filter((r) => r.address.includes('dev4')).map((r) => [r.address, hostOf(r)])).toEqual([
      ['git_worktree.dev4', 'vm2'], ['port.dev4.qa', 'vm2'], ['sqlite_database.dev4.qa', 'vm2'], ['tmux_session.dev4_workers', 'vm2'], ['file.dev4.qa.stage_env', 'vm2'],
    ]);
    // Paths stay relative, now to the host's root.
    expect(byAddress(model, 'sqlite_database.dev4.qa').attributes.path).toBe('envs/dev4/data/qa.db');
  });

  it('is on the sessions of a group given a host, which run in its root', () => {
    const r = byAddress(model, 'tmux_session.reviewers2');
    expect([r.attributes.host, r.attributes.cwd]).toEqual(['vm2', '.']);
    expect(model.groups.find((g) => g.name === 'reviewers')!.sessions.map((s) => s.host)).toEqual(['vm2', 'vm2', 'vm2']);
    expect(model.groups.find((g) => g.name === 'workers')!.sessions.map((s) => s.host)).toEqual(['gpu1', 'vm2', 'gpu1', 'vm2', 'gpu1', 'vm2']);
  });

  it('is absent (not null, not "local") from everything on this machine', () => {
    expect(byAddress(model, 'tmux_session.local_shells').attributes).not.toHaveProperty('host');
    expect(byAddress(model, 'file.summary').attributes).not.toHaveProperty('host');
    const session = model.groups.find((g) => g.name === 'local_shells')!.sessions[0]!;
    expect('host' in session).toBe(false);
    const onLocal = ok(manifest('groups:\n  g: { count: 1, host: local, command: bash }')).resources[0]!;
    expect(onLocal.attributes).not.toHaveProperty('host');
  });

  it('is always a string naming a defined host', () => {
    const names = new Set(model.hosts.map((h) => h.name));
    for (const r of model.resources) if ('host' in r.attributes) expect(names.has(r.attributes.host as string)).toBe(true);
  });

  it('sends a group in one environment to that environment\'s host, waiting for its clone there', () => {
    const m = ok(manifest(`
environments: { count: 2, name: "dev{n}", hosts: [gpu1, vm2] }
groups:
  pinned: { count: 1, env: dev2, command: bash }
  same: { count: 1, env: dev2, host: vm2, command: bash }
files:
  here: { path: envs/dev2/notes.txt, content: "local, beside nothing" }
`));
    expect(byAddress(m, 'tmux_session.pinned')).toEqual(expect.objectContaining({ attributes: expect.objectContaining({ host: 'vm2', cwd: 'envs/dev2' }), dependsOn: ['git_worktree.dev2'] }));
    expect(hostOf(byAddress(m, 'tmux_session.same'))).toBe('vm2');
    // envs/dev2 is on vm2: a file of this machine at that path waits for nothing.
    expect(byAddress(m, 'file.here').dependsOn).toEqual([]);
  });
});

describe('the model', () => {
  it('lists the remote hosts in manifest order with their parsed ssh targets, and the ssh config', () => {
    const model = ok(SPREAD.replace('version: 1', 'version: 1\nsettings: { ssh: { config: ~/.ssh/config } }'));
    expect(model.hosts).toEqual([
      { name: 'gpu1', target: { host: 'gpu1.internal', user: 'dev' }, root: '~/gaia/app', tmuxSocket: 'gaia', channels: 6 },
      { name: 'vm2', target: { host: 'vm2' }, root: '/srv/gaia/app' },
    ]);
    expect(model.sshConfig).toBe('~/.ssh/config');
  });

  it('lists defined hosts even when nothing runs on them', () => {
    const model = ok(manifest('groups:\n  g: { count: 1, command: bash }'));
    expect(model.hosts.map((h) => h.name)).toEqual(['gpu1', 'vm2']);
    expect(model.resources[0]!.attributes).not.toHaveProperty('host');
  });
});

describe('ports', () => {
  const ports = (m: Model) => m.environments.map((e) => `${e.name}@${e.host ?? 'local'}:${e.stages[0]!.port}`);

  it('are allocated per host: two hosts may use one port, one host never twice', () => {
    expect(ports(ok(SPREAD))).toEqual(['dev1@gpu1:8081', 'dev2@vm2:8081', 'dev3@gpu1:8082', 'dev4@vm2:8082', 'dev5@gpu1:8083', 'dev6@vm2:8083']);
  });

  it('let a fixed port serve one environment per host', () => {
    const m = ok(manifest('environments: { count: 2, name: "dev{n}", hosts: [gpu1, vm2], stages: { web: { port: 3000 } } }'));
    expect(ports(m)).toEqual(['dev1@gpu1:3000', 'dev2@vm2:3000']);
  });

  it('refuse a fixed port two environments on one host would need, naming the host', () => {
    expect(errors(manifest('environments: { count: 3, name: "dev{n}", hosts: [gpu1, vm2], stages: { web: { port: 3000 } } }'))).toEqual([
      '9:86 environments.stages.web.port: port 3000 is fixed, but each of the 2 environments on host gpu1 needs its own web port | use a range, e.g. port: { range: [3000, 3001] }',
    ]);
  });

  it('run out per host', () => {
    expect(errors(manifest('environments: { count: 3, name: "dev{n}", hosts: [gpu1, vm2], stages: { web: { port: { range: [3000, 3000] } } } }')).join('\n'))
      .toMatch(/environments\.stages\.web\.port: range 3000-3000 is exhausted on host gpu1: no free port left for dev3\.web \(taken: 3000 by dev1\.web\)/);
  });

  it('keep the allocation of earlier applies', () => {
    const r = loadManifestText(SPREAD, 'orchestration.yaml', { environ: {}, previousPorts: { 'dev1.qa': 8085 } });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(ports(r.model).slice(0, 3)).toEqual(['dev1@gpu1:8085', 'dev2@vm2:8081', 'dev3@gpu1:8081']);
  });
});

describe('paths per host', () => {
  it('let environments on different hosts use one directory', () => {
    const m = ok(manifest('environments: { count: 2, name: "dev{n}", hosts: [gpu1, vm2], path: app, stages: { s: { database: { path: db.sqlite } } } }'));
    expect(m.environments.map((e) => `${e.host}:${e.path}`)).toEqual(['gpu1:app', 'vm2:app']);
  });

  it('refuse two environments in one directory of one host', () => {
    expect(errors(manifest('environments: { count: 3, name: "dev{n}", hosts: [gpu1, vm2], path: app }'))).toEqual([
      '9:69 environments.path: environments dev1 and dev3 would share the directory app on host gpu1 | put {env} in the path, e.g. envs/{env}',
    ]);
  });
});

describe('local manifests', () => {
  it('quickstart: no host anywhere, no hosts in the model', () => {
    const r = loadManifest('examples/quickstart.yaml', { environ: {} });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.model.hosts).toEqual([]);
    expect(r.model.sshConfig).toBeUndefined();
    for (const x of r.model.resources) expect(x.attributes).not.toHaveProperty('host');
    for (const e of r.model.environments) expect('host' in e).toBe(false);
    for (const g of r.model.groups) for (const s of g.sessions) expect('host' in s).toBe(false);
  });

  it('expand exactly as before when hosts are defined but nothing is put on them', () => {
    const body = `
environments:
  count: 2
  name: dev{n}
  stages: { qa: { database: { path: data/qa.db }, port: { range: [8081, 8089] } } }
groups:
  workers: { perEnvironment: true, command: bash }
  reviewers: { count: 2, command: bash }
files:
  stage_env: { perStage: true, path: "{env.path}/.env", content: "PORT={stage.port}" }
`;
    const plain = ok(`version: 1\nproject: t\n${body}`);
    const withHosts = ok(`version: 1\nproject: t\n${HOSTS}${body}`);
    expect(withHosts.resources).toEqual(plain.resources);
    expect(withHosts.environments).toEqual(plain.environments);
    expect(withHosts.groups).toEqual(plain.groups);
    expect(JSON.stringify(withHosts.resources)).toBe(JSON.stringify(plain.resources));
  });
});

describe('hosts examples', () => {
  it('examples/hosts.yaml: 5 environments over 3 hosts, reviewers on vm2', () => {
    const r = loadManifest('examples/hosts.yaml', { environ: {} });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.model.hosts.map((h) => h.name)).toEqual(['gpu1', 'gpu2', 'vm2']);
    expect(r.model.hosts[1]!.target).toEqual({ host: 'gpu2.internal', user: 'dev', port: 2222 });
    expect(r.model.environments.map((e) => `${e.name}@${e.host}:${e.stages[0]!.port}`)).toEqual([
      'dev1@gpu1:18081', 'dev2@gpu2:18081', 'dev3@vm2:18081', 'dev4@gpu1:18082', 'dev5@gpu2:18082',
    ]);
    expect(r.model.resources.filter((x) => x.kind === 'sqlite_database').map(hostOf)).toEqual(['gpu1', 'gpu2', 'vm2', 'gpu1', 'gpu2']);
    expect(r.model.groups.find((g) => g.name === 'reviewers')!.sessions.map((s) => s.host)).toEqual(['vm2', 'vm2', 'vm2']);
    expect(r.model.resources.filter((x) => !('host' in x.attributes))).toEqual([]);
  });
});

describe('ssh targets', () => {
  it.each([
    ['gpu1', { host: 'gpu1' }],
    ['dev@gpu1.internal', { host: 'gpu1.internal', user: 'dev' }],
    ['dev@gpu1.internal:2222', { host: 'gpu1.internal', user: 'dev', port: 2222 }],
    ['10.0.0.7:22', { host: '10.0.0.7', port: 22 }],
    ['me@corp@bastion', { host: 'bastion', user: 'me@corp' }], // ssh splits at the last "@"
    ['root@[fe80::1]:2200', { host: 'fe80::1', user: 'root', port: 2200 }],
    ['[::1]', { host: '::1' }],
  ])('%s', (text, target) => {
    expect(parseSshTarget(text)).toEqual({ target });
  });

  it.each([
    ['dev@', 'the host is empty'],
    ['@gpu1', 'the user before "@" is empty'],
    ['-oProxyCommand=sh', 'the host must not start with "-"'],
    ['-x@gpu1', 'the user must not start with "-"'],
    ['gpu1:0', 'the port "0" is not a number from 1 to 65535'],
    ['gpu1:65536', 'the port "65536" is not a number from 1 to 65535'],
    ['gpu1:ssh', 'the port "ssh" is not a number from 1 to 65535'],
    ['gpu1:', 'the port "" is not a number from 1 to 65535'],
    ['dev@gpu 1', 'it must not contain spaces'],
    ['gpu1\n', 'it must not contain spaces'],
    ['fe80::1', 'an IPv6 address goes in brackets, e.g. [::1]:22'],
  ])('refuses %j: %s', (text, problem) => {
    expect(parseSshTarget(text)).toEqual({ problem });
  });
});

describe('mistakes, located', () => {
  const define = (hosts: string, body = '') => `version: 1\nproject: t\nrepository: { url: git@github.com:team/app.git }\nhosts:\n${hosts}\n${body}`;

  it('a malformed ssh target, with what is wrong in it', () => {
    expect(errors(define('  gpu1: { ssh: "dev@gpu1:99999", root: /srv/app }'))).toEqual([
      '5:16 hosts.gpu1.ssh: "dev@gpu1:99999" is not [user@]host[:port]: the port "99999" is not a number from 1 to 65535 | e.g. ssh: dev@gpu1.internal, ssh: gpu1:2222, or a Host alias from your ssh config',
    ]);
  });

  it.each(['gaia/app', './app', '~other/app', '~'])('a root that is neither absolute nor ~/…: %s', (root) => {
    expect(errors(define(`  gpu1: { ssh: gpu1, root: "${root}" }`))).toEqual([
      `5:28 hosts.gpu1.root: root "${root}" is neither an absolute path nor one in the remote user's home | write an absolute path (/srv/gaia/app) or one starting with ~/ (~/gaia/app)`,
    ]);
  });

  it('a host named local, at its name', () => {
    expect(errors(define('  local: { ssh: me@localhost, root: /srv/app }'))).toEqual([
      '5:3 hosts.local: the host name "local" is reserved: it means this machine | give the host another name; environments.hosts and groups.NAME.host take local to mean this machine',
    ]);
  });

  it('schema mistakes: a host name, a missing root, channels, a tmux socket', () => {
    const got = errors(define('  GPU1: { ssh: gpu1, root: /a }\n  vm2: { ssh: vm2 }\n  vm3: { ssh: vm3, root: /a, channels: 65, tmux: { socket: "a b" } }'));
    expect(got).toEqual([
      '5:3 hosts.GPU1: host name "GPU1" is not allowed | use lowercase letters, digits, "_" or "-", starting with a letter, at most 63 characters',
      '6:8 hosts.vm2: missing required field "root" | add root:',
      '7:40 hosts.vm3.channels: must be at most 64, not 65',
      expect.stringMatching(/^7:60 hosts\.vm3\.tmux\.socket: "a b" is not allowed: use letters, digits/),
    ]);
  });

  it('an unknown host in environments.hosts, with a suggestion', () => {
    expect(errors(manifest('environments: { count: 2, name: "dev{n}", hosts: [gpu1, vmm2] }'))).toEqual([
      '9:57 environments.hosts[1]: unknown host "vmm2" (did you mean "vm2"?) | hosts: gpu1, vm2; local means this machine',
    ]);
    expect(errors(`version: 1\nproject: t\nenvironments: { count: 1, hosts: [lcoal] }`)).toEqual([
      '3:35 environments.hosts[0]: unknown host "lcoal" (did you mean "local"?) | hosts: none defined (add a hosts: section); local means this machine',
    ]);
  });

  it('remote environments without repository.url', () => {
    expect(errors(manifest('environments: { count: 2, name: "dev{n}", hosts: [local, gpu1] }', 'repository: { path: . }'))).toEqual([
      '9:50 environments.hosts: environments on host gpu1 are clones of repository.url on that host: set repository.url | add repository: { url: git@github.com:team/app.git }, a URL every host can clone from',
    ]);
    // Only local in the list: nothing is cloned anywhere, nothing is missing.
    expect(errors(manifest('environments: { count: 2, name: "dev{n}", hosts: [local] }', 'repository: { path: . }'))).toEqual([]);
  });

  it('remote environments with a url relative to this machine', () => {
    expect(errors(manifest('environments: { count: 1, hosts: [vm2] }', 'repository: { url: ../app }'))).toEqual([
      '3:20 repository.url: "../app" is a path relative to this machine\'s project, which host vm2 cannot clone from | use a URL the hosts can reach (git@github.com:team/app.git, https://…), or an absolute path that exists on each host',
    ]);
    for (const url of ['https://github.com/team/app.git', 'ssh://git@host/app.git', 'git@github.com:team/app', '/srv/git/app.git', 'file:///srv/git/app.git']) {
      expect([url, errors(manifest('environments: { count: 1, hosts: [vm2] }', `repository: { url: "${url}" }`))]).toEqual([url, []]);
    }
  });

  it('source: worktree with remote hosts', () => {
    expect(errors(manifest('environments: { count: 2, name: "dev{n}", source: worktree, hosts: [gpu1] }'))).toEqual([
      '9:51 environments.source: environments on host gpu1 cannot be worktrees: the local repository is not there, so they are clones of repository.url | remove source: (environments on this machine stay worktrees), or list only local in environments.hosts',
    ]);
    expect(errors(manifest('environments: { count: 2, name: "dev{n}", source: worktree, hosts: [local] }'))).toEqual([]);
  });

  it('a group host that is unknown, on a perEnvironment group, or not its environment\'s', () => {
    expect(errors(manifest(`
environments: { count: 2, name: "dev{n}", hosts: [gpu1, vm2] }
groups:
  a: { count: 1, host: gpu, command: bash }
  b: { perEnvironment: true, host: gpu1, command: bash }
  c: { count: 1, env: dev1, host: vm2, command: bash }
  d: { count: 1, env: dev1, host: local, command: bash }
`))).toEqual([
      '12:24 groups.a.host: unknown host "gpu" (did you mean "gpu1"?) | hosts: gpu1, vm2; local means this machine',
      '13:36 groups.b.host: a perEnvironment group\'s sessions run on their environment\'s host | remove host, or spread the environments with environments.hosts',
      '14:35 groups.c.host: the group works in environment dev1, which is on host gpu1 | remove host: the sessions run where their environment is',
      '15:35 groups.d.host: the group works in environment dev1, which is on host gpu1 | remove host: the sessions run where their environment is',
    ]);
  });

  it('an empty environments.hosts, through the schema', () => {
    expect(errors(manifest('environments: { count: 1, hosts: [] }'))).toEqual(['9:34 environments.hosts: must not be an empty list']);
  });
});
