#!/usr/bin/env bash
# Installs the pinned agent CLIs that `npm run test:agents` drives, into a cache folder outside
# the clone (they are hundreds of MB, so not part of `npm ci`), and never globally. A folder that
# already holds these exact versions is reused as it is. Prints the folder's path last.
#
#   GAIA_AGENT_CLI_CACHE  the folder to use (default /var/tmp/gaia-agent-clis/<hash of the pins>)
set -euo pipefail

# Pinned: the newest of each that runs on Node 20 (claude-code from 2.1.198 on wants Node 22).
PINS=(
  "@anthropic-ai/claude-code@2.1.197"
  "@openai/codex@0.171.0"
  "@google/gemini-cli@0.61.0"
)

hash=$(printf '%s\n' "${PINS[@]}" | sha256sum | cut -c1-12)
dir="${GAIA_AGENT_CLI_CACHE:-/var/tmp/gaia-agent-clis/$hash}"
marker="$dir/.gaia-pins"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$(printf '%s\n' "${PINS[@]}")" ] \
  && [ -x "$dir/node_modules/.bin/claude" ] && [ -x "$dir/node_modules/.bin/codex" ] && [ -x "$dir/node_modules/.bin/gemini" ]; then
  echo "agent CLIs: reusing $dir" >&2
  echo "$dir"
  exit 0
fi

mkdir -p "$dir"
rm -f "$marker"
echo "agent CLIs: installing ${PINS[*]} into $dir" >&2
start=$(date +%s)
# A package.json of its own, so npm installs here and not in a parent project.
printf '{ "name": "gaia-agent-clis", "private": true }\n' > "$dir/package.json"
# claude-code links its native binary in a postinstall step, so scripts must run.
npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error --ignore-scripts=false "${PINS[@]}" >&2
for bin in claude codex gemini; do
  [ -x "$dir/node_modules/.bin/$bin" ] || { echo "agent CLIs: $bin missing after install in $dir" >&2; exit 1; }
done
printf '%s\n' "${PINS[@]}" > "$marker"
echo "agent CLIs: installed in $(( $(date +%s) - start )) s" >&2
echo "$dir"
