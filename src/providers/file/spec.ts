/** The pure comparison rules for `file`: drift from what gaia wrote, content and mode changes,
 *  each content change carrying a unified diff for people to read. */
import { createTwoFilesPatch } from 'diff';
import type { Comparison, KindSpec, Unowned } from '../../core/kind.js';
import type { AttributeDiff, Hazard, Reason } from '../../core/plan.js';
import type { Observed, Recorded, Resource } from '../../core/resource.js';
import type { Digests } from '../../core/digest.js';
import { isMasked } from '../../core/mask.js';
import { FILE_KIND, readFileAttributes, readFileObserved, sameContent } from './attributes.js';

export function unifiedDiff(path: string, before: string, after: string): string {
  return createTwoFilesPatch(path, path, before, after, 'on disk', 'desired');
}

function compare(desired: Resource, observed: Observed, recorded: Recorded | undefined, digests?: Digests): Comparison {
  const want = readFileAttributes(desired.attributes);
  const have = readFileObserved(observed.attributes);
  if (have.path !== want.path) {
    return {
      kind: 'replace',
      reasons: [{ code: 'path_changed', text: `path changed from ${have.path} to ${want.path}` }],
      diffs: [{ path: 'path', before: have.path, after: want.path, forcesReplace: true }],
    };
  }
  const reasons: Reason[] = [];
  const diffs: AttributeDiff[] = [];
  const last = recorded ? readFileAttributes(recorded.attributes) : undefined;
  const edited = last !== undefined && !sameContent(last.content, have.content, digests);
  if (edited) reasons.push({ code: 'edited_outside', text: 'file was edited outside gaia (drift)' });
  if (!sameContent(want.content, have.content, digests)) {
    // After a hand edit the manifest may still want what gaia last wrote: that is drift, not a new change.
    if (!edited || want.content !== last?.content) reasons.push({ code: 'content_changed', text: 'content changed' });
    // A file holding a secret is compared by digest, and its lines are never shown.
    const secret = isMasked(want.content);
    diffs.push({ path: 'content', before: have.content, after: want.content, ...(secret ? {} : { unified: unifiedDiff(want.path, have.content, want.content) }) });
  }
  if (want.mode !== have.mode) {
    reasons.push({ code: 'mode_changed', text: `mode changed from ${have.mode} to ${want.mode}` });
    diffs.push({ path: 'mode', before: have.mode, after: want.mode });
  }
  return reasons.length ? { kind: 'update', reasons, diffs } : { kind: 'same' };
}

function unowned(desired: Resource, observed: Observed, digests?: Digests): Unowned {
  const want = readFileAttributes(desired.attributes);
  const have = readFileObserved(observed.attributes);
  if (sameContent(want.content, have.content, digests)) {
    return { kind: 'adopt', reason: { code: 'content_matches', text: 'file already has the desired content' } };
  }
  return {
    kind: 'conflict',
    text: `file exists and differs; gaia did not write it`,
    fix: `move ${want.path} away, or make its content match the manifest`,
  };
}

function hazards(observed: Observed, _action: 'delete' | 'replace'): readonly Hazard[] {
  return readFileObserved(observed.attributes).editedOutside === true
    ? [{ code: 'data_loss', text: 'file has hand edits that would be lost' }]
    : [];
}

export const fileSpec: KindSpec = {
  kind: FILE_KIND,
  compare,
  unowned,
  hazards,
  missingText: 'file missing',
};
