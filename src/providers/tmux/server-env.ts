/** What a tmux server gaia starts does not inherit from gaia's own environment.
 *
 *  A server keeps the environment of the client that started it and hands it to every session it
 *  ever runs. A session is a terminal, but the variables a CI runner sets to say "no terminal here"
 *  would still tell the programs in it otherwise: gemini given `CI=true` or `GITHUB_ACTIONS=true`
 *  runs headless even in a terminal and exits 41 ("Invalid auth method selected"), and Ink's
 *  is-in-ci (claude's screens are Ink) also looks at `CONTINUOUS_INTEGRATION` and any `CI_*`.
 *  A manifest that wants one of them in a session sets it in `vars`, which still wins (`-e`). */
const MARKERS = ['CI', 'CONTINUOUS_INTEGRATION', 'GITHUB_ACTIONS'];

/** The CI markers set in `env` (gaia's environment), to leave out of a server it starts. */
export function ciMarkers(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(env).filter((k) => env[k] !== undefined && (MARKERS.includes(k) || k.startsWith('CI_')));
}
