#!/usr/bin/env bash
# Runs the benchmarks (all, or those named: `pnpm bench is-enabled`). Figures go to bench/results/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT/bench"
exec node run.mjs "$@"
