// Time to create N tmux sessions (`sleep 3600`) through the tmux provider, on a private tmux server
// (`tmux -L gaia-bench-<random>`, killed afterwards). Run `npx tsc -p tsconfig.build.json` first (it
// imports the build output), then `node bench/tmux-create.mjs [sessions] [--no-remain]`. Prints
// figures; the target is 2,500 sessions well under 15 s on 2 cores. `--no-remain` creates them with
// `remainOnExit: false`, leaving out the one set-option per session that tmux 3.3a pays for with a
// scan of every session and window.
//
// The tmux server is single-threaded, so its CPU time is a floor for the wall time; both are printed,
// with the load average, because other work on the machine stretches the wall time.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.GAIA_DIST ?? join(root, 'dist');
const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 2500);
const remainOnExit = !process.argv.includes('--no-remain');

const { localExecutor } = await import(join(dist, 'host/exec.js'));
const { tmuxProvider, sessionSpecHash, tmuxArgs } = await import(join(dist, 'providers/tmux/index.js'));

const socket = `gaia-bench-${randomBytes(6).toString('hex')}`;
const project = realpathSync(mkdtempSync(join(tmpdir(), 'gaia-bench-')));
const exec = localExecutor();
const ctx = { root: project, tmuxSocket: socket, exec, allowDataLoss: false, force: false, backupDir: project, log: () => {} };

const changes = Array.from({ length: count }, (_, i) => {
  const name = `bench_${i}`;
  const after = { name, command: ['sleep', '3600'], cwd: '.', env: {}, group: 'bench', provider: null, agent: false, remainOnExit };
  return {
    kind: 'tmux_session', address: `tmux_session.${name}`, action: 'create', reasons: [], diffs: [],
    dependsOn: [], hazards: [], after, specHash: sessionSpecHash(after),
  };
});

/** CPU time of the tmux server and of its panes' processes so far (their fork-to-exec part is tmux's
 *  cost too), from /proc schedstat in nanoseconds; Linux only. */
const cpuOf = (pid) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const serverCpu = async () => {
  const pid = (await exec.run([...tmuxArgs(ctx), 'display-message', '-p', '#{pid}'])).stdout.trim();
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return { server: cpuOf(pid), panes: children.reduce((n, c) => n + cpuOf(c), 0) };
};

try {
  const t0 = performance.now();
  const outcomes = await tmuxProvider.apply(changes, ctx);
  const createMs = performance.now() - t0;
  const spawns = exec.spawned;
  const failed = outcomes.filter((o) => o.status !== 'done').length;
  const t1 = performance.now();
  const seen = await tmuxProvider.observe({ desired: [], recorded: changes.map((c) => ({ ...c, attributes: c.after, specHash: c.specHash })) }, ctx);
  const observeMs = performance.now() - t1;
  const cpu = await serverCpu();
  console.log(`remainOnExit ${remainOnExit}: created ${count} sessions in ${(createMs / 1000).toFixed(2)} s with ${spawns} tmux invocations (${failed} failed)`);
  console.log(`observed ${seen.observed.length} sessions in ${observeMs.toFixed(0)} ms with one invocation`);
  console.log(`CPU: tmux server ${cpu.server.toFixed(0)} ms, pane processes ${cpu.panes.toFixed(0)} ms; load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`);
} finally {
  const pid = Number((await exec.run([...tmuxArgs(ctx), 'display-message', '-p', '#{pid}'])).stdout.trim());
  await exec.run([...tmuxArgs(ctx), 'kill-server']);
  // The server hangs up on every pane before it exits (its socket goes first): wait for the process,
  // so the next run does not start while this one still holds ~N pseudo-terminals.
  const alive = () => { try { return pid > 0 && readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z'; } catch { return false; } };
  while (alive()) await new Promise((r) => setTimeout(r, 200));
  rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid()}`, socket), { force: true });
  rmSync(project, { recursive: true, force: true });
}
