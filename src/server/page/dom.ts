/** Building the page's elements. Data goes in with text nodes only, never as HTML. */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Attrs {
  readonly class?: string;
  readonly title?: string | undefined;
  readonly scope?: string;
  readonly data?: Readonly<Record<string, string | number>>;
}

export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

/** h('td', { class: 'x', data: { state: 'up' } }, 'text', node, ...) */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: readonly Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    if (attrs.class !== undefined) el.className = attrs.class;
    if (attrs.title !== undefined) el.setAttribute('title', attrs.title);
    if (attrs.scope !== undefined) el.setAttribute('scope', attrs.scope);
    for (const [k, v] of Object.entries(attrs.data ?? {})) el.dataset[k] = String(v);
  }
  add(el, children);
  return el;
}

export function add(el: Node, child: Child): void {
  if (child === undefined || child === null || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child as readonly Child[]) add(el, c);
    return;
  }
  el.appendChild(typeof child === 'object' ? (child as Node) : document.createTextNode(String(child)));
}

/** Replace what #id holds. A <details> the reader opened stays open across redraws (every 2 s) when
 *  it carries a `data-keep` key, and the new content has one with the same key. */
export function show(id: string, content: Child): void {
  const el = $(id);
  const open = new Set([...el.querySelectorAll<HTMLDetailsElement>('details[open][data-keep]')].map((d) => d.dataset.keep));
  el.replaceChildren();
  add(el, content);
  for (const d of el.querySelectorAll<HTMLDetailsElement>('details[data-keep]')) if (open.has(d.dataset.keep)) d.open = true;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export type BadgeKind = 'ok' | 'warn' | 'fail' | 'info' | 'quiet';

export const badge = (text: string, kind: BadgeKind, title?: string): HTMLSpanElement => h('span', { class: `badge ${kind}`, title }, text);

export const muted = (text: string): HTMLSpanElement => h('span', { class: 'muted' }, text);

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '';
  const m = Math.floor(seconds / 60);
  const hrs = Math.floor(m / 60);
  const d = Math.floor(hrs / 24);
  if (d > 0) return `${d}d ${hrs % 24}h`;
  if (hrs > 0) return `${hrs}h ${m % 60}m`;
  if (m > 0) return `${m}m`;
  return `${seconds}s`;
}

/** A column title, or `{ num: 'Rows' }` for a right-aligned numeric column. */
export type Heading = string | { readonly num: string };

export function table(head: readonly Heading[], rows: readonly Child[]): HTMLTableElement {
  return h('table', null,
    h('thead', null, h('tr', null, head.map((x) => (typeof x === 'string' ? h('th', null, x) : h('th', { class: 'num' }, x.num))))),
    h('tbody', null, rows));
}
