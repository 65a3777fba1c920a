/** jest globalSetup, run before the workers start so they and their children inherit what it sets:
 *  - every gaia a test starts keeps its V8 code cache (bin/gaia.js) in a folder of this run, never in
 *    the user's ~/.cache;
 *  - every test gets a PATH of its own making, so no test depends on what else is installed. The folder
 *    holds a link to each program on the machine's PATH except the agent CLIs gaia knows (a `claude` in
 *    /usr/bin used to turn "not on PATH" tests red); tests that need an agent put stand-ins first;
 *  - an apply that starts agents does not wait out their start grace (6 s: an agent that exits in it
 *    failed), unless the test sets GAIA_AGENT_START_GRACE itself: the fake agent never exits unasked. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The agent CLIs of src/agents/defaults.ts. */
export const AGENT_PROGRAMS = ['claude', 'codex', 'ollama', 'aider', 'gemini'];

/** A folder of links to the programs on `searchPath`, first one of a name winning as in a shell. */
function controlledPath(searchPath) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-test-path-'));
  for (const folder of searchPath.split(path.delimiter).filter(Boolean)) {
    let names;
    try {
      names = fs.readdirSync(folder);
    } catch {
      continue; // a PATH entry that does not exist
    }
    for (const name of names) {
      if (AGENT_PROGRAMS.includes(name)) continue;
      const target = path.join(folder, name);
      try {
        fs.accessSync(target, fs.constants.X_OK);
        if (!fs.statSync(target).isFile()) continue;
        fs.symlinkSync(target, path.join(dir, name));
      } catch {
        // not executable, or already linked from an earlier PATH entry
      }
    }
  }
  return dir;
}

export default function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gaia-test-xdg-cache-'));
  process.env.XDG_CACHE_HOME = dir;
  process.env.GAIA_AGENT_START_GRACE ??= '0';
  globalThis.__gaiaTestCache = dir;
  const bin = controlledPath(process.env.PATH ?? '');
  process.env.PATH = bin;
  globalThis.__gaiaTestPath = bin;
}
