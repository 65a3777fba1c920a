/** The git provider: `git_branch` and `git_worktree` (a linked worktree or a clone). */
import type { ApplyContext, Provider } from '../provider.js';
import { applyGit } from './apply.js';
import { opsFor, opsToSteps } from './commands.js';
import { observeGit } from './observe.js';
import { gitKinds } from './spec.js';

export const gitProvider: Provider = {
  name: 'git',
  kinds: gitKinds,
  observe: observeGit,
  steps(change, ctx) {
    // steps() gets an ObserveContext; when the caller hands it the apply context, show what --force runs.
    const force = 'force' in ctx && (ctx as ApplyContext).force === true;
    const ops = opsFor(change, { root: ctx.root, force });
    return ops.ok ? opsToSteps(change.address, ops.value) : [{ address: change.address, description: `cannot apply: ${ops.error}` }];
  },
  apply: applyGit,
};
