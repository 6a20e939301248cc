#!/usr/bin/env bash
# The main job: servicedeck with its bundled plugins on the embedded SQLite default (./servicedeck.db).
# Installs what it needs first. Extra arguments go to `servicedeck up` (try --help).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec node packages/cli/bin/servicedeck.js up "$@"
