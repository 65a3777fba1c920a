/** The file provider: generated files written atomically, drift from hand edits shown as a diff. */
import { assertNever, type Change } from '../../core/plan.js';
import type { Provider, Step } from '../provider.js';
import { applyFiles } from './apply.js';
import { FILE_KIND, readFileAttributes } from './attributes.js';
import { observeFiles } from './observe.js';
import { fileSpec } from './spec.js';

function fileSteps(change: Change): readonly Step[] {
  const step = (description: string): Step => ({ address: change.address, description });
  const write = (): Step => {
    const want = readFileAttributes(change.after ?? {});
    return step(`write ${want.path} (${Buffer.byteLength(want.content)} bytes)`);
  };
  const remove = (): Step => step(`delete ${readFileAttributes(change.before ?? {}).path}`);
  switch (change.action) {
    case 'create':
    case 'update':
      return [write()];
    case 'replace':
      return [write(), remove()];
    case 'delete':
      return [remove()];
    case 'adopt':
    case 'noop':
      return [];
    default:
      return assertNever(change.action);
  }
}

export const fileProvider: Provider = {
  name: 'file',
  kinds: { [FILE_KIND]: fileSpec },
  observe: observeFiles,
  steps: fileSteps,
  apply: applyFiles,
};

export { FILE_KIND } from './attributes.js';
export type { FileDesired, FileObserved } from './attributes.js';
