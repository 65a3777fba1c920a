/** A change turned into the tmux commands that carry it out: shared by dry-run steps and apply, so
 *  what is shown is what runs. Pure. */
import path from 'node:path';
import { setupOf, withEventArgs } from '../../agents/event-setup.js';
import { maskSensitive } from '../../core/mask.js';
import { assertNever, type Change } from '../../core/plan.js';
import type { Attributes } from '../../core/resource.js';
import { createCommands, killCommands, updateCommands, type TmuxCommand } from './commands.js';
import { nameOf, readSessionSpec, sessionNameProblem, type SessionMark, type SessionSpec } from './session.js';
import { sessionSpecHash } from './spec.js';

export interface Work {
  /** Position in the batch handed to apply. */
  readonly index: number;
  readonly change: Change;
  readonly name: string;
  /** Everything this change runs, in order. */
  readonly commands: readonly TmuxCommand[];
  /** The marks the session carries afterwards (not for delete). */
  readonly mark?: SessionMark;
  /** Just the create part (create and replace): a replace whose kill already happened only needs this. */
  readonly create?: readonly TmuxCommand[];
  /** Absolute working directory a created session starts in. */
  readonly cwd?: string;
}

export type Prepared = { readonly ok: true; readonly work: Work } | { readonly ok: false; readonly error: string };

/** The marker is the planner's spec hash of the change. A change that did not come from the planner has
 *  none: its hash is of the spec with sensitive values left out (a later plan sees the mark differ). */
export function markOf(change: Change, spec: SessionSpec, project?: string): SessionMark {
  const after: Attributes = change.after ?? {};
  const hashed = change.sensitive?.length ? maskSensitive(after, change.sensitive, () => 'sensitive') : after;
  return {
    spec: change.specHash ?? sessionSpecHash(hashed),
    ...(project ? { project } : {}),
    address: change.address,
    group: spec.group,
    provider: spec.provider,
    agent: spec.agent,
  };
}

/** For display: sensitive environment values replaced, so dry-run never prints a secret. */
function displaySpec(spec: SessionSpec, sensitive: readonly string[]): SessionSpec {
  const hidden = new Set(sensitive.filter((p) => p.startsWith('env.')).map((p) => p.slice(4)));
  if (hidden.size === 0) return spec;
  const env = Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, hidden.has(k) || hidden.has('*') ? '(sensitive)' : v]));
  return { ...spec, env };
}

/** The session as it starts: with the flags that make its agent CLI report its own state
 *  (src/agents/event-setup.ts), when it is one that can. */
function withAgentEvents(spec: SessionSpec, after: Attributes | undefined, root: string): SessionSpec {
  const setup = setupOf(after, spec.name, root);
  return setup ? { ...spec, command: withEventArgs(spec.command, setup) } : spec;
}

export function prepare(change: Change, index: number, root: string, forDisplay = false, project?: string): Prepared {
  const name = nameOf(change.address, change.after ?? change.before);
  const problem = sessionNameProblem(name);
  if (problem) return { ok: false, error: problem };
  const base = { index, change, name };
  const withCreate = (): Work => {
    const real = withAgentEvents(readSessionSpec(change.address, change.after ?? {}), change.after, root);
    const spec = forDisplay ? displaySpec(real, change.sensitive ?? []) : real;
    const mark = markOf(change, real, project);
    const cwd = path.resolve(root, spec.cwd);
    const create = createCommands(spec, mark, cwd);
    return { ...base, mark, create, cwd, commands: change.action === 'replace' ? [...killCommands(name), ...create] : create };
  };
  switch (change.action) {
    case 'create':
    case 'replace':
      return { ok: true, work: withCreate() };
    case 'delete':
      return { ok: true, work: { ...base, commands: killCommands(name) } };
    case 'update': {
      const spec = readSessionSpec(change.address, change.after ?? {});
      const mark = markOf(change, spec, project);
      return { ok: true, work: { ...base, mark, commands: updateCommands(spec, mark) } };
    }
    case 'adopt':
    case 'noop':
      return { ok: true, work: { ...base, commands: [] } };
    default:
      return assertNever(change.action);
  }
}
