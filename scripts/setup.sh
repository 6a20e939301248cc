#!/usr/bin/env bash
# Installs what servicedeck needs on a fresh machine with Node 20: the pinned pnpm (locally, under .tools/),
# the workspace's dependencies (native modules built against the local Node headers), and the build.
# Sourced by start.sh, test.sh and bench.sh; safe to run again (each step is skipped or fast when done).
set -euo pipefail

PNPM_VERSION="12.21.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[setup] %s\n' "$*" >&2; }

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  log "Node.js 20.19 or newer is required (found: $(node --version 2>/dev/null || echo none)). Install it and run again."
  exit 1
fi

# node-gyp would download Node's headers, which fails offline: point it at the local ones when present.
if [ -z "${npm_config_nodedir:-}" ]; then
  node_prefix="$(cd "$(dirname "$(command -v node)")/.." && pwd)"
  if [ -f "$node_prefix/include/node/node_api.h" ]; then
    export npm_config_nodedir="$node_prefix"
  fi
fi

PNPM_BIN="$ROOT/.tools/node_modules/.bin/pnpm"
if [ ! -x "$PNPM_BIN" ] || [ "$("$PNPM_BIN" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION into .tools/"
  mkdir -p "$ROOT/.tools"
  npm install --prefix "$ROOT/.tools" --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2
fi
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
export PATH="$ROOT/.tools/node_modules/.bin:$ROOT/node_modules/.bin:$PATH"

if [ -f pnpm-lock.yaml ]; then
  pnpm install --frozen-lockfile --prefer-offline --reporter=append-only >&2
else
  pnpm install --prefer-offline --reporter=append-only >&2
fi

pnpm exec turbo run build --output-logs=errors-only >&2
