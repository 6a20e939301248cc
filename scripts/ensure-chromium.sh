#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium, for the dashboard's browser tests
# (Playwright drives it; it never downloads a browser of its own). Idempotent. As root with apt-get, installs
# the `chromium` package; prints one line saying what it did; exits non-zero when it cannot.
set -uo pipefail

say() { printf '[ensure-chromium] %s\n' "$*"; }
fail() {
  printf '[ensure-chromium] %s\n' "$*" >&2
  exit 1
}

if [ -x /usr/bin/chromium ]; then
  say "Chromium is already installed ($(/usr/bin/chromium --version 2>/dev/null | head -n 1)); nothing to do"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || fail "/usr/bin/chromium is missing and installing it needs root: run 'apt-get install chromium' as root"
command -v apt-get >/dev/null 2>&1 || fail "/usr/bin/chromium is missing and apt-get is not available: install Chromium at /usr/bin/chromium"

log="$(mktemp)"
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >>"$log" 2>&1; }
if ! install; then
  DEBIAN_FRONTEND=noninteractive apt-get update >>"$log" 2>&1
  if ! install; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    fail "could not install Debian's chromium package (see the apt-get output above)"
  fi
fi
rm -f "$log"
[ -x /usr/bin/chromium ] || fail "the chromium package installed, but /usr/bin/chromium is not there"
say "installed $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
