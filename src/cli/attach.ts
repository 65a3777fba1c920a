/** gaia attach NAME: put this terminal on one of the project's sessions, on the project's tmux server
 *  (settings.tmux.socket or GAIA_TMUX_SOCKET), so nobody needs to know which socket that is. Outside
 *  tmux it becomes `tmux attach-session` until the user detaches; in a pane of the same server it
 *  switches that client (`switch-client`) and returns; in a pane of another tmux server it refuses to
 *  nest, as tmux does, and says how to do it on purpose (src/providers/tmux/attach.ts). */
import type { Command } from 'commander';
import type { Project } from '../engine/project.js';
import { quoteForDisplay, describeFailure } from '../host/exec.js';
import { runInForeground } from '../host/foreground.js';
import { listed, sessionNamed, suggestion } from '../agents/session-name.js';
import { attachAction } from '../providers/tmux/attach.js';
import { paneTarget, serverArgs, sessionTarget } from '../providers/tmux/commands.js';
import { remoteSideOf } from '../engine/hosts.js';
import { HostUnreachable, WorkerFailed } from '../host/ssh/worker-client.js';
import type { SessionInfo } from '../manifest/model.js';
import { listSessions } from '../providers/tmux/list.js';
import { tmuxServer, type TmuxServer } from '../providers/tmux/settings.js';
import { completes } from './completion/spec.js';
import { UserError } from './errors.js';
import { err, isInteractive } from './io.js';
import { DEFAULT_FILE, gaiaCommand, withProject } from './project.js';

interface AttachFlags {
  file: string;
}

const HELP = `
NAME is a session of the manifest (review1) or its address (tmux_session.review1). Outside tmux,
gaia runs \`tmux attach-session\` on the project's server and exits with its code when you detach
(the prefix key, then d). In a pane of that same server it switches your client to the session
instead. In a pane of another tmux server it refuses: one tmux inside another sends the prefix key
to the outer one. To nest on purpose, clear TMUX: \`TMUX= gaia attach NAME\`.

Examples:
  gaia attach review1
  gaia attach tmux_session.dev1_worker`;

const TMUX_MISSING = 127;

const serverName = (server: TmuxServer) => (server.socket === undefined ? 'the default tmux server' : `tmux server -L ${server.socket}`);

/** What to run, decided with the project open; the project is closed before the terminal is handed over
 *  (an attach can last all day, and a shared state store's connection with it). */
async function decide(project: Project, name: string, file: string): Promise<{ readonly run: 'attach' | 'done'; readonly argv: readonly string[] }> {
  const { model } = project;
  const named = sessionNamed(model, name);
  if (!named) {
    const group = model.groups.find((g) => g.name === name);
    if (group) throw new UserError(`"${name}" is a group, not a session: attach to one of its sessions`, `sessions of ${name}: ${listed(group.sessions.map((s) => s.name))}`);
    throw new UserError(`"${name}" is not a session of the manifest${suggestion(model, name, false)}`,
      `sessions: ${listed(model.groups.flatMap((g) => g.sessions.map((s) => s.name)))}`);
  }
  if (named.session.host !== undefined) return decideOnHost(project, named.session, named.session.host, file);
  const session = named.session.name;
  const server = tmuxServer(project.ctx);
  const sessions = await listSessions(server);
  if (!sessions.ok) {
    if (sessions.exitCode === TMUX_MISSING) throw new UserError('tmux is not installed (no `tmux` on PATH): gaia attach runs tmux');
    throw new UserError(`cannot list the sessions of ${serverName(server)}: ${sessions.error}`);
  }
  const row = sessions.rows.get(session);
  if (!row) throw new UserError(`session "${session}" is in the manifest but not running on ${serverName(server)}`, `\`${gaiaCommand(file, 'apply')}\` creates it`);
  const action = attachAction(server, session, process.env.TMUX, row.serverPid);
  if (action.kind === 'nested') {
    throw new UserError(`this terminal is inside another tmux server (${action.outer}); session "${session}" is on ${serverName(server)}`,
      `run it from a terminal outside tmux, or nest one tmux in the other on purpose: TMUX= ${gaiaCommand(file, 'attach', [session])}`);
  }
  // Said before the screen is taken over, so it is there after detaching.
  if (row.project !== undefined && project.ctx.project !== undefined && row.project !== project.ctx.project) err(`note: session "${session}" was started by another project (${row.project}), not this one`);
  else if (row.spec === undefined) err(`note: session "${session}" was not started by gaia (\`${gaiaCommand(file, 'plan')}\` shows it as a conflict)`);
  if (action.kind === 'switch') {
    const result = await project.ctx.host.run(action.argv);
    if (result.failed) throw new UserError(`cannot switch this tmux client to "${session}": ${describeFailure(result)}`);
    return { run: 'done', argv: action.argv };
  }
  if (!isInteractive()) {
    const peek = [...serverArgs(server), 'capture-pane', '-p', '-t', paneTarget(session)].map(quoteForDisplay).join(' ');
    throw new UserError('gaia attach needs a terminal: its stdin and stdout are not one', `run it in a terminal; to read the pane without one: ${peek}`);
  }
  return { run: 'attach', argv: action.argv };
}

/** A session on another host: attached to through ssh with a terminal of its own there (`ssh -t … tmux
 *  attach-session`), once the host's worker has seen it running. */
async function decideOnHost(project: Project, session: SessionInfo, host: string, file: string): Promise<{ readonly run: 'attach'; readonly argv: readonly string[] }> {
  const side = remoteSideOf(project.sides, host);
  const resource = project.model.resources.find((r) => r.address === session.address);
  if (!side || !resource) throw new UserError(`session "${session.name}" is on host ${host}, which the manifest does not define`);
  let running: boolean;
  try {
    running = (await side.observe([resource], [], {})).observed.some((o) => o.address === session.address);
  } catch (e) {
    if (e instanceof HostUnreachable || e instanceof WorkerFailed) throw new UserError(`session "${session.name}" is on host ${host}: ${e.message}`);
    throw e;
  }
  if (!running) throw new UserError(`session "${session.name}" is in the manifest but not running on host ${host}`, `\`${gaiaCommand(file, 'apply')}\` creates it`);
  const server = { socket: side.tmuxSocket };
  if (process.env.TMUX) {
    throw new UserError(`this terminal is inside a tmux server; session "${session.name}" is on host ${host}`,
      `run it from a terminal outside tmux, or nest one tmux in the other on purpose: TMUX= ${gaiaCommand(file, 'attach', [session.name])}`);
  }
  if (!isInteractive()) {
    const peek = side.terminalArgv([...serverArgs(server), 'capture-pane', '-p', '-t', paneTarget(session.name)]).map(quoteForDisplay).join(' ');
    throw new UserError('gaia attach needs a terminal: its stdin and stdout are not one', `run it in a terminal; to read the pane without one: ${peek}`);
  }
  return { run: 'attach', argv: side.terminalArgv([...serverArgs(server), 'attach-session', '-t', sessionTarget(session.name)]) };
}

export function register(program: Command, setCode: (code: number) => void): void {
  completes(program.command('attach <name>'), 'name', { kind: 'project', of: 'session-names' })
    .description('put this terminal on a session of the project, on the project\'s tmux server (switch-client inside tmux)')
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .addHelpText('after', HELP)
    .action(async (name: string, opts: AttachFlags) => {
      const decided = await withProject(opts.file, (project) => decide(project, name, opts.file));
      if (decided.run === 'done') return;
      const ran = await runInForeground(decided.argv);
      if (!ran.ok) {
        if (ran.code === 'ENOENT') throw new UserError('tmux is not installed (no `tmux` on PATH): gaia attach runs tmux');
        throw new UserError(`cannot run ${decided.argv.map(quoteForDisplay).join(' ')}: ${ran.message}`);
      }
      setCode(ran.exitCode);
    });
}
