/** Attribute values as short text, shared by the terminal and markdown renderers. */
import type { Json } from '../core/resource.js';

export function showValue(v: Json | undefined): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') {
    const lines = v.split('\n').length - (v.endsWith('\n') ? 1 : 0);
    return lines > 1 ? `(${lines} lines, ${v.length} bytes)` : JSON.stringify(v);
  }
  return JSON.stringify(v);
}

/** Attributes worth showing for a create: everything but bookkeeping. */
export function shownAttributes(attrs: { readonly [k: string]: Json } | undefined): [string, Json][] {
  return Object.entries(attrs ?? {}).filter(([, v]) => v !== null && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0));
}
