/** gaia as a worker on a host: one request of the planning machine (worker-protocol.ts) answered by the
 *  same providers that run locally, on this host's own `Host`. */
import os from 'node:os';
import path from 'node:path';
import { keyedDigests } from '../core/digest.js';
import type { Host } from '../host/host.js';
import type { ApplyContext, ConversationRecord, ConversationRecords, ObserveContext } from '../providers/provider.js';
import { providerFor, providers } from '../providers/registry.js';
import { observeAll } from './observe.js';
import { compilePatterns } from '../agents/profile.js';
import { inputRefusal } from '../agents/state.js';
import { deliverText } from '../providers/tmux/deliver.js';
import { readGitFacts } from '../ops/git-facts.js';
import { probeHealth } from '../ops/health-probe.js';
import { agentFactsOn } from '../agents/observe.js';
import { WORKER_PROTOCOL, type ConversationOp, type WorkerContext, type WorkerRequest, type WorkerResponse } from './worker-protocol.js';

/** `~` and `~/x` against a home folder; anything else as it is. */
export function expandHome(file: string, home = os.homedir()): string {
  return file === '~' || file.startsWith('~/') ? path.join(home, file.slice(1)) : file;
}

/** `~/x` against this user's home; an absolute path as it is. */
export function resolveHostRoot(root: string, home = os.homedir()): string {
  const expanded = expandHome(root, home);
  if (path.isAbsolute(expanded)) return path.normalize(expanded);
  throw new Error(`a host's root is absolute or starts with ~/, not ${JSON.stringify(root)}`);
}

/** Conversations read from the snapshot sent along, every change kept for the reply (and applied to the
 *  snapshot, so a provider reading after its own write sees it, as it would locally). */
function recordingConversations(snapshot: readonly ConversationRecord[]): { records: ConversationRecords; ops: ConversationOp[] } {
  const byAddress = new Map(snapshot.map((r) => [r.address, r]));
  const ops: ConversationOp[] = [];
  const records: ConversationRecords = {
    all: async () => [...byAddress.values()],
    started: async (record) => {
      ops.push({ op: 'started', record });
      byAddress.set(record.address, record);
    },
    confirm: async (address, provider, id) => {
      ops.push({ op: 'confirm', address, provider, id });
      const prior = byAddress.get(address);
      byAddress.set(address, { address, provider, id, startedAt: prior?.startedAt ?? new Date().toISOString() });
    },
    forget: async (address) => {
      ops.push({ op: 'forget', address });
      byAddress.delete(address);
    },
  };
  return { records, ops };
}

function contextFor(wire: WorkerContext, host: Host, conversations: ConversationRecords): ObserveContext {
  const root = resolveHostRoot(wire.root);
  return {
    root,
    host,
    ...(wire.project !== undefined ? { project: wire.project } : {}),
    digests: keyedDigests(Buffer.from(wire.digestKey, 'hex')),
    settings: {
      tmux: { ...(wire.tmuxSocket !== undefined ? { socket: wire.tmuxSocket } : {}), conversations },
      sqlite: { cacheDir: path.join(root, '.gaia', 'cache') },
    },
  };
}

/** `rel` under the root when it is a folder there, else the root. */
function folderOr(host: Host, root: string, rel: string): string {
  const abs = path.resolve(root, rel);
  try {
    return host.files.stat(abs)?.kind === 'folder' ? abs : root;
  } catch {
    return root;
  }
}

/** The project's files the resources read, kept at their paths under the host's root (written only when they differ). */
function placeSources(sources: NonNullable<WorkerContext['sources']>, root: string, host: Host): void {
  if (sources.length === 0) return;
  const realRoot = host.files.realRoot(root);
  for (const s of sources) {
    const inside = host.files.resolveInside(root, s.path);
    if (!inside.ok) throw new Error(inside.error);
    if (host.files.readText(inside.abs) === s.text) continue;
    host.files.makeFolder(path.dirname(inside.abs), 0o755);
    host.files.writeInside(realRoot, inside.abs, s.text, 0o644);
  }
}

export async function answerWorkerRequest(request: WorkerRequest, host: Host): Promise<WorkerResponse> {
  if (request.protocol !== WORKER_PROTOCOL) return { ok: false, error: `this worker speaks protocol ${WORKER_PROTOCOL}, not ${request.protocol}` };
  const { records, ops } = recordingConversations(request.ctx.conversations);
  const ctx = contextFor(request.ctx, host, records);
  // The project's place on this host is gaia's own folder: made on first contact, so every path resolves.
  host.files.makeFolder(ctx.root, 0o755);
  placeSources(request.ctx.sources ?? [], ctx.root, host);
  const log: string[] = [];
  const reply = (extra: Omit<Extract<WorkerResponse, { ok: true }>, 'ok' | 'root' | 'log' | 'conversations'>): WorkerResponse =>
    ({ ok: true, root: ctx.root, log, conversations: ops, ...extra });
  switch (request.op) {
    case 'observe': {
      const observation = await observeAll(request.desired, request.recorded, ctx, { includeUnmanaged: request.includeUnmanaged });
      return reply({ observation });
    }
    case 'steps':
      return reply({ steps: await providerFor(request.change.kind).steps(request.change, ctx) });
    case 'apply': {
      const provider = providers.find((p) => p.name === request.provider);
      if (!provider) return { ok: false, error: `no provider ${request.provider} here` };
      const applyCtx: ApplyContext = {
        ...ctx,
        allowDataLoss: request.allowDataLoss,
        force: request.force,
        backupDir: path.join(ctx.root, '.gaia', 'backups'),
        ...(request.parallelism !== undefined ? { parallelism: request.parallelism } : {}),
        log: (line) => log.push(line),
      };
      return reply({ outcomes: await provider.apply(request.changes, applyCtx) });
    }
    case 'deliver': {
      const agent = request.agent;
      const patterns = agent ? compilePatterns(agent.patterns, agent.dialogs) : undefined;
      const refuses = agent && patterns ? (screen: string) => inputRefusal(screen, agent, patterns) : undefined;
      const server = { host, socket: request.ctx.tmuxSocket };
      return reply({ delivery: await deliverText(request.session, request.text, server, { ...request.options, ...(refuses ? { refuses } : {}) }) });
    }
    case 'git-facts':
      return reply({ gitFacts: [...(await readGitFacts(request.environments, request.resources, ctx))] });
    case 'agent-facts': {
      const facts = await agentFactsOn({ host, socket: request.ctx.tmuxSocket }, ctx.root, request.live, request.reporting);
      return reply({ agentFacts: { screens: [...facts.screens], events: [...facts.events] } });
    }
    case 'health-probes': {
      // Here they are this machine's own environments.
      const status = { ...request.status, environments: request.status.environments.map(({ host: _host, ...e }) => e) };
      const environments = request.environments.map(({ host: _host, ...e }) => e);
      const found = probeHealth(host, { root: ctx.root, environments }, status, path.join(ctx.root, '.gaia', 'cache'));
      return reply({ probes: { gitOperations: [...found.gitOperations], quickCheck: [...found.quickCheck] } });
    }
    case 'run': {
      // The paths a hook is told are this host's: its project folder and its environment's.
      const cwd = folderOr(host, ctx.root, request.cwd);
      const env = { ...request.env, GAIA_PROJECT_ROOT: ctx.root, ...(request.env.GAIA_ENV_PATH !== undefined ? { GAIA_ENV_PATH: path.resolve(ctx.root, request.cwd) } : {}),
        GAIA_TMUX_SOCKET: request.ctx.tmuxSocket ?? '' };
      return reply({ result: await host.run(request.argv, { cwd, env, ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}), stoppable: true }) });
    }
  }
}
