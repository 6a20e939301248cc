#!/usr/bin/env bash
# The whole test suite, against SQLite and PostgreSQL (and Redis where used). Installs what it needs and
# starts the database servers when they are not running. Ends with one line: `N passed, N failed, N skipped`.
# Extra arguments go to vitest (a file filter, -t "name").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
bash scripts/services.sh
# promtool (Debian's prometheus package) checks the dashboard's /metrics output.
bash scripts/ensure-promtool.sh || [ "${CI:-}" != "true" ]
# Debian's Chromium at /usr/bin/chromium, which the dashboard's browser tests drive.
bash scripts/ensure-chromium.sh || [ "${CI:-}" != "true" ]

report="$(mktemp -d)/vitest.json"
set +e
SERVICEDECK_TEST_JSON="$report" node_modules/.bin/vitest run "$@"
vitest_status=$?
set -e

if [ ! -s "$report" ]; then
  echo "vitest wrote no report (exit $vitest_status)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// A file that fails before running any test (an import error) counts as one failure.
const brokenFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).length === 0).length;
const failed = (r.numFailedTests ?? 0) + brokenFiles;
console.log(`${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed > 0 || r.numTotalTests === 0 || r.success === false ? 1 : 0);
' "$report" || exit 1
[ "$vitest_status" -eq 0 ] || exit "$vitest_status"
