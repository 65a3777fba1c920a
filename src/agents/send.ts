/** `gaia send`: which sessions a target names, and delivery to each of them, side by side, every
 *  result kept (keep-going): one failed session never stops the others. */
import type { GroupInfo, Model } from '../manifest/model.js';
import { agentSessions } from './observe.js';
import { inputRefusal } from './state.js';
import type { AgentProfile } from './profile.js';
import { deliverText, type DeliverOptions, type Delivery } from '../providers/tmux/deliver.js';
import type { TmuxServer } from '../providers/tmux/settings.js';
import { listed, sessionNamed, suggestion } from './session-name.js';

export interface SendTarget {
  readonly session: string;
  readonly group: string;
  readonly ready?: GroupInfo['ready'];
  /** For an agent: why its pane cannot take text now (a dialog or question on it), if it cannot. */
  readonly refuses?: (screen: string) => string | undefined;
  /** The host it runs on (absent: this machine), and for an agent there its profile, which the host's
   *  worker reads its screen with. */
  readonly host?: string;
  readonly agent?: AgentProfile;
}

/** Delivers to one target, wherever it is. */
export type Deliverer = (target: SendTarget, text: string, options: DeliverOptions) => Promise<Delivery>;

/** Delivery to sessions on this machine's tmux server. */
export const deliverHere = (server: TmuxServer): Deliverer => (target, text, options) => deliverText(target.session, text, server, options);

export type Targets = { readonly ok: true; readonly targets: readonly SendTarget[] } | { readonly ok: false; readonly error: string; readonly hint?: string };

/** A group name (all its sessions), a session's name or address, or every session with `all`. */
export function resolveTargets(model: Pick<Model, 'groups' | 'manifest'>, target: string | undefined, all: boolean): Targets {
  const agents = new Map(agentSessions(model).map((a) => [a.name, a]));
  const refuses = (name: string): Pick<SendTarget, 'refuses' | 'agent'> => {
    const a = agents.get(name);
    return a ? { refuses: (screen) => inputRefusal(screen, a.profile, a.patterns), agent: a.profile } : {};
  };
  const of = (g: GroupInfo) => g.sessions.map((s): SendTarget => ({
    session: s.name, group: g.name, ...(g.ready ? { ready: g.ready } : {}), ...refuses(s.name), ...(s.host !== undefined ? { host: s.host } : {}),
  }));
  if (all) {
    if (target !== undefined) return { ok: false, error: `give either a target or --all, not both (got "${target}")` };
    return { ok: true, targets: model.groups.flatMap(of) };
  }
  if (target === undefined) return { ok: false, error: 'send needs a target: a session, a group, or --all', hint: 'gaia send pr_impl1 "text", gaia send pr_review "text", gaia send --all "text"' };
  const group = model.groups.find((g) => g.name === target);
  if (group) return { ok: true, targets: of(group) };
  const named = sessionNamed(model, target);
  if (named) return { ok: true, targets: of(named.group).filter((t) => t.session === named.session.name) };
  return {
    ok: false,
    error: `"${target}" is neither a session nor a group of the manifest${suggestion(model, target, true)}`,
    hint: `groups: ${listed(model.groups.map((g) => g.name))}`,
  };
}

export interface SendResult {
  readonly session: string;
  readonly group: string;
  readonly delivery: Delivery;
  /** 0 delivered and confirmed, 1 not. */
  readonly exit: 0 | 1;
  /** The last non-empty lines of the pane afterwards (what the program made of it), or the error. */
  readonly tail: readonly string[];
}

export const tailLines = (screen: string | undefined, n = 3): readonly string[] =>
  (screen ?? '').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').slice(-n);

/** Deliver to every target, at most `parallel` at once; results in target order. */
export async function sendAll(
  targets: readonly SendTarget[], text: string, deliverTo: Deliverer,
  options: { readonly parallel?: number; readonly deliver?: Omit<DeliverOptions, 'ready' | 'refuses'>; readonly onResult?: (r: SendResult) => void } = {},
): Promise<readonly SendResult[]> {
  const results: SendResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < targets.length; i = next++) {
      const t = targets[i]!;
      const delivery = await deliverTo(t, text, { ...options.deliver, ...(t.ready ? { ready: t.ready } : {}), ...(t.refuses ? { refuses: t.refuses } : {}) });
      const r: SendResult = { session: t.session, group: t.group, delivery, exit: delivery.ok ? 0 : 1, tail: delivery.ok ? tailLines(delivery.screen) : [delivery.error] };
      results[i] = r;
      options.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 8, targets.length)) }, worker));
  return results;
}
