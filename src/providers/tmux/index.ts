/** The tmux provider: `tmux_session`, observed with one list-sessions, applied in chained batches. */
import type { Provider } from '../provider.js';
import { applyTmuxSessions } from './agents-apply.js';
import { observeTmux } from './observe.js';
import { tmuxKinds } from './spec.js';
import { tmuxSteps } from './steps.js';

export const tmuxProvider: Provider = {
  name: 'tmux',
  kinds: tmuxKinds,
  observe: observeTmux,
  steps: tmuxSteps,
  apply: applyTmuxSessions,
};

export { capturePanes, type CaptureOptions } from './capture.js';
export { escapeArg, invocation, paneTarget, sessionTarget, tmuxArgs, type TmuxCommand } from './commands.js';
export { isNoServer, listSessions, type ListResult, type SessionRow } from './list.js';
export { MARK_ADDRESS, MARK_META, MARK_SPEC, SESSION_KIND, isShell, readSessionSpec, type SessionSpec } from './session.js';
export { sessionSpec, sessionSpecHash } from './spec.js';
