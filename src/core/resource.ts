/** The resource model: plain, readonly data shared by manifest, planner, providers and renderers. */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type Attributes = { readonly [key: string]: Json };

/** Where a value came from in the manifest, for errors that point at a line. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** Something the manifest says should exist, fully expanded (no counts or templates left). */
export interface Resource {
  readonly kind: string;
  /** Stable identity: `tmux_session.dev1_worker`, `git_worktree.dev1`, `sqlite_database.dev1.qa`. */
  readonly address: string;
  readonly attributes: Attributes;
  /** Addresses that must exist before this one (a session needs its worktree). */
  readonly dependsOn: readonly string[];
  /** Attribute paths (dot-separated, e.g. `env.API_KEY`) whose values are never shown or stored. */
  readonly sensitive?: readonly string[];
  readonly origin?: SourceLocation;
}

/** What a provider found in the world for one address. */
export interface Observed {
  readonly kind: string;
  readonly address: string;
  readonly attributes: Attributes;
  /** An ownership mark found on the thing itself (tmux `@gaia-spec`), holding the spec hash it was made from. */
  readonly marker?: string;
  /** The gaia project whose mark is on the thing (`name@root`), when it carries one. */
  readonly owner?: string;
}

/** What the state store remembers gaia creating: ownership plus the attributes last applied. */
export interface Recorded {
  readonly kind: string;
  readonly address: string;
  readonly attributes: Attributes;
  readonly specHash: string;
  readonly dependsOn: readonly string[];
}

export function kindOf(address: string): string {
  const dot = address.indexOf('.');
  return dot < 0 ? address : address.slice(0, dot);
}

export function resource(
  kind: string,
  name: string,
  attributes: Attributes,
  dependsOn: readonly string[] = [],
  extra: Pick<Resource, 'sensitive' | 'origin'> = {},
): Resource {
  return { kind, address: `${kind}.${name}`, attributes, dependsOn, ...extra };
}
