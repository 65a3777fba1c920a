/** The tmux provider's apply with what agent sessions need around it: conversations chosen and put
 *  into the commands (and recorded once the sessions are up), the agent CLIs' per-session event
 *  setup written before they start, one wait for agents that give up on start, a resume that fails
 *  at once retried as a fresh start, conversations forgotten with their sessions, and staggered
 *  rounds of starts. The batching itself is `applyTmux`'s. */
import { randomUUID } from 'node:crypto';
import { eventRuntime, latestAgentEvent, writeEventSetup } from '../../agents/event-files.js';
import { runsProgram, setupOf, type EventRuntime } from '../../agents/event-setup.js';
import type { Change } from '../../core/plan.js';
import type { HostFiles } from '../../host/host.js';
import type { ApplyContext, ChangeOutcome, ConversationRecord, ObserveContext } from '../provider.js';
import { applyTmux, failExited } from './apply.js';
import { cachedFiles, codexThreads, hostReader, storedConversation, type FileReader, type SessionPlace } from './conversation-store.js';
import {
  conversationNote, conversationSpec, freshStart, resolveConversations, withConversation, type Conversation, type ConversationLookups, type Learned, type Resolved,
} from './conversation.js';
import { nameOf, readSessionSpec } from './session.js';
import { startRounds } from './stagger.js';
import path from 'node:path';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A source of conversation identifiers the agents report themselves (hook or notify events: codex's
 *  turn-complete carries its thread id), asked before the CLI's files when an identifier must be
 *  learned: the conversation the session at `address` last used, reported since `since` (ISO). It
 *  plugs in as `applyTmuxSessions(changes, ctx, { ...DEFAULT_CONVERSATION_DEPS, events })`. */
export interface ConversationEvents {
  latestId(address: string, since: string): string | undefined;
}

export interface ConversationDeps {
  /** The CLIs' files; the host's own when not given. */
  readonly files?: FileReader;
  readonly events?: ConversationEvents;
  readonly newId: () => string;
}

export const DEFAULT_CONVERSATION_DEPS: ConversationDeps = { newId: randomUUID };

/** The agents' own event logs (src/agents/event-files.ts) as a source of identifiers: the newest
 *  event's conversation, when it was reported since the session's start. */
function eventLogs(changes: readonly Change[], root: string, files: HostFiles): ConversationEvents {
  const names = new Map(changes.map((c) => [c.address, nameOf(c.address, c.after ?? c.before)]));
  return {
    latestId: (address, since) => {
      const name = names.get(address);
      const e = name === undefined ? undefined : latestAgentEvent(files, root, name);
      return e?.sessionId !== undefined && e.at >= Date.parse(since) ? e.sessionId : undefined;
    },
  };
}

/** Each starting session's agent event setup written (src/agents/event-setup.ts): why not, by index. */
function writeEventSetups(changes: readonly Change[], root: string, files: HostFiles): ReadonlyMap<number, string> {
  const failed = new Map<number, string>();
  let runtime: EventRuntime | undefined;
  let realRoot: string | undefined;
  for (const [i, c] of changes.entries()) {
    if (c.action !== 'create' && c.action !== 'replace') continue;
    const setup = setupOf(c.after, nameOf(c.address, c.after), root);
    if (!setup || !runsProgram(c.after?.command, setup)) continue;
    try {
      runtime ??= eventRuntime(files);
      realRoot ??= files.realRoot(root);
      writeEventSetup(files, setup, runtime, realRoot);
    } catch (e) {
      failed.set(i, `could not write its agent's event setup in ${setup.dir}: ${(e as Error).message}`);
    }
  }
  return failed;
}

/** An agent CLI may take seconds to fail on start: claude 2.1 without network prints "Unable to
 *  connect to Anthropic services" and exits 1 after 3.1 s (measured here, on a loaded machine). So
 *  an agent counts as started only once it has run this long (`GAIA_AGENT_START_GRACE`, ms), twice
 *  that; other programs keep apply.ts's short grace. */
const AGENT_START_GRACE_MS = 6000;

function agentStartGraceMs(): number {
  const ms = Number(process.env.GAIA_AGENT_START_GRACE);
  return process.env.GAIA_AGENT_START_GRACE && Number.isFinite(ms) && ms >= 0 ? ms : AGENT_START_GRACE_MS;
}

/** One wait for the agents among `indices` (until the last started has had the grace), then one
 *  look: those whose program ended are failed with its exit status and last screen lines. Returns
 *  the indices it failed. */
async function failAgentsThatExited(slots: readonly Slot[], indices: readonly number[], lastStart: number, ctx: ApplyContext): Promise<number[]> {
  const grace = agentStartGraceMs();
  const agents = indices
    .map((index) => ({ index, c: slots[index]!.resolved.change }))
    .filter(({ c, index }) => (c.action === 'create' || c.action === 'replace') && c.after?.agent === true && slots[index]!.outcome.status === 'done')
    .map(({ c, index }) => ({ index, name: nameOf(c.address, c.after) }));
  if (agents.length === 0 || grace === 0) return [];
  const left = lastStart + grace - Date.now();
  if (left > 0) {
    ctx.log(`waiting ${(left / 1000).toFixed(1)} s for ${agents.length} agent${agents.length === 1 ? '' : 's'} to stay up (an agent that exits on start is a failure)`);
    await sleep(left);
  }
  const outcomes: Array<ChangeOutcome | undefined> = slots.map((s) => s.outcome);
  await failExited(agents, ctx, outcomes, grace);
  const failed = agents.filter((a) => outcomes[a.index] !== slots[a.index]!.outcome).map((a) => a.index);
  for (const i of failed) slots[i]!.outcome = outcomes[i]!;
  return failed;
}

/** Where the session's CLI runs: its variables over gaia's own environment (tmux's server has it). */
function placeOf(change: Change, root: string): SessionPlace {
  const spec = readSessionSpec(change.address, change.after ?? {});
  return { env: { ...process.env, ...spec.env }, cwd: path.resolve(root, spec.cwd) };
}

/** Lookups for each change. Identifiers on record for other addresses are never learned again.
 *  Sessions of a CLI that picks its own identifier which share a folder are told apart by when gaia
 *  started them: each one's conversation started before the next one's start; started together,
 *  they cannot be told apart. */
export function lookupsFor(
  changes: readonly Change[], records: readonly ConversationRecord[], ctx: Pick<ApplyContext, 'root'>, deps: ConversationDeps & { readonly files: FileReader },
): (change: Change) => ConversationLookups {
  const byAddress = new Map(records.map((r) => [r.address, r]));
  const sharing = new Map<string, string[]>();
  const keyOf = (c: Change): string | undefined => {
    const spec = c.after ? conversationSpec(c.after) : undefined;
    const rec = byAddress.get(c.address);
    return spec?.store && !spec.takesId && rec && rec.id === undefined ? `${spec.store}\0${placeOf(c, ctx.root).cwd}` : undefined;
  };
  for (const c of changes) {
    const key = keyOf(c);
    if (key) sharing.set(key, [...(sharing.get(key) ?? []), byAddress.get(c.address)!.startedAt]);
  }
  const claimed = new Set(records.flatMap((r) => (r.id !== undefined ? [r.id] : [])));
  return (change) => {
    const place = placeOf(change, ctx.root);
    const spec = conversationSpec(change.after ?? {});
    return {
      stored: (id) => storedConversation(deps.files, spec.store!, id, place),
      learn: (since): Learned => {
        const reported = deps.events?.latestId(change.address, since);
        if (reported !== undefined && !claimed.has(reported)) {
          claimed.add(reported);
          return { kind: 'found', id: reported, from: 'events' };
        }
        const starts = sharing.get(keyOf(change) ?? '') ?? [];
        if (starts.filter((t) => t === since).length > 1) return { kind: 'ambiguous', sessions: starts.length };
        const next = starts.filter((t) => t > since).sort()[0];
        // The newest: a person who began another conversation in the session (codex /new) left off there.
        const thread = codexThreads(deps.files, place, since, next).filter((t) => !claimed.has(t.id)).at(-1);
        if (!thread) return { kind: 'none' };
        claimed.add(thread.id);
        return { kind: 'found', id: thread.id, from: 'files' };
      },
    };
  };
}

async function recordConversation(ctx: ApplyContext, change: Change, c: Conversation, startedAt: string): Promise<void> {
  const records = ctx.settings.tmux.conversations;
  if (!records) return;
  const { provider } = conversationSpec(change.after ?? {});
  if (c.mode === 'start') await records.started({ address: change.address, provider, ...(c.id !== undefined ? { id: c.id } : {}), startedAt });
  else if (c.confirm) await records.confirm(change.address, provider, c.id);
}

/** One change on its way: the conversation chosen, when it was started, what its notes must add. */
interface Slot {
  resolved: Resolved;
  outcome: ChangeOutcome;
  startedAt: string;
  notes: readonly string[];
}

/** The lookups apply uses (the agents' event logs, then the CLIs' files, read once), for the dry run
 *  to choose each conversation exactly as apply will. */
export function conversationLookups(changes: readonly Change[], records: readonly ConversationRecord[], ctx: Pick<ObserveContext, 'root' | 'host'>): (change: Change) => ConversationLookups {
  const { root, host } = ctx;
  return lookupsFor(changes, records, { root }, { ...DEFAULT_CONVERSATION_DEPS, events: eventLogs(changes, root, host.files), files: cachedFiles(hostReader(host.files)) });
}

export async function applyTmuxSessions(changes: readonly Change[], ctx: ApplyContext, given: ConversationDeps = DEFAULT_CONVERSATION_DEPS): Promise<readonly ChangeOutcome[]> {
  const files = given.files ?? hostReader(ctx.host.files);
  const deps = { events: eventLogs(changes, ctx.root, ctx.host.files), ...given, files };
  const records = (await ctx.settings.tmux.conversations?.all()) ?? [];
  const look = lookupsFor(changes, records, ctx, { ...deps, files: cachedFiles(files) });
  const slots: Slot[] = resolveConversations(changes, records, look, deps.newId)
    .map((resolved) => ({ resolved, outcome: { status: 'failed', error: 'not applied' }, startedAt: '', notes: [] }));
  // Before the sessions start: the CLI reads its settings file when it starts.
  const unset = writeEventSetups(slots.map((s) => s.resolved.change), ctx.root, ctx.host.files);
  for (const [i, error] of unset) slots[i]!.outcome = { status: 'failed', error };
  const started: number[] = [];
  let lastStart = 0;
  for (const round of startRounds(slots.map((s) => s.resolved.change))) {
    const indices = round.indices.filter((i) => !unset.has(i));
    if (indices.length === 0) continue;
    if (round.delayMs > 0) {
      ctx.log(`waiting ${round.delayMs} ms before starting ${indices.length} more session${indices.length === 1 ? '' : 's'} (policy.maxConcurrentStarts)`);
      await sleep(round.delayMs);
    }
    const inRound = indices.map((i) => slots[i]!);
    lastStart = Date.now();
    await run(inRound, ctx);
    lastStart = (await startFreshWhereResumeFailed(inRound, changes, indices, ctx, deps)) ?? lastStart;
    started.push(...indices);
  }
  // An agent that gave up during the longer agent grace: a failed resume is started fresh once
  // (if it was not already), and that fresh start gets the grace too.
  const late = await failAgentsThatExited(slots, started, lastStart, ctx);
  if (late.length > 0) {
    const retriedAt = await startFreshWhereResumeFailed(late.map((i) => slots[i]!), changes, late, ctx, deps);
    if (retriedAt !== undefined) await failAgentsThatExited(slots, late, retriedAt, ctx);
  }
  const outcomes: ChangeOutcome[] = [];
  for (const { resolved: r, outcome: o, startedAt, notes } of slots) {
    if (o.status === 'done' && r.change.action === 'delete') await ctx.settings.tmux.conversations?.forget(r.change.address);
    if (o.status !== 'done' || !r.conversation) {
      outcomes.push(o);
      continue;
    }
    await recordConversation(ctx, r.change, r.conversation, startedAt);
    outcomes.push({ ...o, notes: [...(o.notes ?? []), ...notes, conversationNote(r.conversation)] });
  }
  return outcomes;
}

async function run(slots: readonly Slot[], ctx: ApplyContext): Promise<void> {
  const at = new Date().toISOString();
  const results = await applyTmux(slots.map((s) => s.resolved.change), ctx);
  slots.forEach((s, j) => {
    s.outcome = results[j] ?? { status: 'failed', error: 'not applied' };
    s.startedAt = at;
  });
}

/** A resume whose program exited within the start grace (the CLI could not resume it) is started
 *  fresh, once: its dead session is replaced by one running the start template. */
async function startFreshWhereResumeFailed(slots: readonly Slot[], changes: readonly Change[], indices: readonly number[], ctx: ApplyContext, deps: ConversationDeps): Promise<number | undefined> {
  const retries: { readonly slot: Slot; readonly failure: string; readonly change: Change }[] = [];
  slots.forEach((slot, j) => {
    const c = slot.resolved.conversation;
    const o = slot.outcome;
    if (c?.mode !== 'resume' || o.status !== 'failed' || o.exitedAtStart === undefined) return;
    const template = changes[indices[j]!]!;
    const conversation = freshStart(conversationSpec(template.after!), { kind: 'none-recorded' }, deps.newId);
    const fresh = withConversation(template, conversation);
    slot.resolved = { change: fresh, conversation };
    // The dead pane's session is still there (remain-on-exit): a replace kills it first (and only
    // creates when it is gone already).
    retries.push({ slot, failure: `resume of conversation ${c.id} failed (${o.error})`, change: { ...fresh, action: 'replace', before: template.before ?? template.after } });
  });
  if (retries.length === 0) return undefined;
  const startedMs = Date.now();
  const at = new Date(startedMs).toISOString();
  const results = await applyTmux(retries.map((r) => r.change), ctx);
  retries.forEach(({ slot, failure }, j) => {
    const o = results[j] ?? { status: 'failed', error: 'not applied' };
    slot.startedAt = at;
    if (o.status === 'done') {
      slot.outcome = o;
      slot.notes = [...slot.notes, `${failure}; started fresh instead`];
    } else slot.outcome = { ...o, error: `${failure}; the fresh start failed too: ${o.error}` };
  });
  return startedMs;
}
