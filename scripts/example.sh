#!/usr/bin/env bash
# Runs gaia's main job on the quickstart example, in a throw-away project so neither this
# repository nor your default tmux server is touched: validate → plan → apply → plan shows "No changes.".
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
gaia() { "$here/bin/gaia" "$@"; }

export GAIA_TMUX_SOCKET="${GAIA_TMUX_SOCKET:-gaia-quickstart}"

# `example.sh down DIR`: destroy what the example made there, then remove the folder — only a folder
# this script made (it holds the .gaia-example mark), never anything else.
if [ "${1-}" = "down" ]; then
  demo="${2:?usage: scripts/example.sh down DIR}"
  if [ ! -f "$demo/.gaia-example" ]; then
    echo "refusing: $demo was not made by scripts/example.sh (no .gaia-example in it)" >&2
    exit 1
  fi
  (cd "$demo" && gaia destroy -f quickstart.yaml --auto-approve)
  rm -rf -- "$demo"
  echo "Removed $demo."
  exit 0
fi

demo="${GAIA_DEMO_DIR:-$(mktemp -d /tmp/gaia-quickstart-XXXXXX)}"
mkdir -p "$demo"
: > "$demo/.gaia-example"
cp -R "$here/examples/quickstart.yaml" "$here/examples/db" "$demo/"
cd "$demo"
if [ ! -d .git ]; then
  git init -q -b main
  printf 'envs/\n.gaia/\n.gaia-example\n' > .gitignore
  git add -A
  git -c user.name=gaia -c user.email=gaia@example.invalid commit -qm "quickstart project"
fi

echo "== project: $demo   (tmux socket: $GAIA_TMUX_SOCKET)"
echo "== gaia validate";   gaia validate -f quickstart.yaml
echo "== gaia plan";       gaia plan -f quickstart.yaml || true
echo "== gaia apply";      gaia apply -f quickstart.yaml --auto-approve
echo "== gaia plan (again)"; gaia plan -f quickstart.yaml --detailed-exitcode
echo
echo "Done. Look around:  cd $demo && GAIA_TMUX_SOCKET=$GAIA_TMUX_SOCKET $here/bin/gaia status -f quickstart.yaml"
echo "Attach a session:   tmux -L $GAIA_TMUX_SOCKET attach"
echo "Tear it down:       cd $demo && GAIA_TMUX_SOCKET=$GAIA_TMUX_SOCKET $here/bin/gaia destroy -f quickstart.yaml --auto-approve"
echo "... and remove $demo: GAIA_TMUX_SOCKET=$GAIA_TMUX_SOCKET bash $here/scripts/example.sh down $demo"
