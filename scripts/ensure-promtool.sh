#!/usr/bin/env bash
# Makes sure `promtool` (Prometheus's checker, used by the metrics tests to validate the exposition text) is
# on PATH. Idempotent: does nothing when it already is. Otherwise, as root with apt-get, installs Debian's
# `prometheus` package, without letting it start its server (and stops and disables the server if it started
# anyway): only the promtool binary is needed, not a server listening on 9090. Prints one line saying what it
# did; exits non-zero when promtool cannot be installed.
set -uo pipefail

say() { printf '[ensure-promtool] %s\n' "$*"; }
fail() {
  printf '[ensure-promtool] %s\n' "$*" >&2
  exit 1
}

if command -v promtool >/dev/null 2>&1; then
  say "promtool is already installed ($(command -v promtool)); nothing to do"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || fail "promtool is missing and installing it needs root: run 'apt-get install prometheus' as root (or put promtool on PATH)"
command -v apt-get >/dev/null 2>&1 || fail "promtool is missing and apt-get is not available: install Prometheus's promtool and put it on PATH"

# Server processes running before the install are not ours to stop.
before="$(pgrep -x prometheus 2>/dev/null | sort || true)"

# Keep the package's maintainer scripts from starting the server (Debian's policy-rc.d mechanism). Only a
# policy we created ourselves is removed afterwards.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
fi
cleanup() { if [ "$own_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

log="$(mktemp)"
install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >>"$log" 2>&1
}
if ! install; then
  # The package lists may be missing or stale: refresh them once and try again.
  DEBIAN_FRONTEND=noninteractive apt-get update >>"$log" 2>&1
  if ! install; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    fail "could not install Debian's prometheus package (see the apt-get output above); install promtool by hand"
  fi
fi
rm -f "$log"

# Only promtool is wanted: if the server got started anyway, stop it, and keep it from starting at boot.
stopped=""
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus >/dev/null 2>&1 && stopped=" (stopped the prometheus server it started)"
  fi
  systemctl disable prometheus >/dev/null 2>&1 || true
else
  if [ -x /etc/init.d/prometheus ] && /etc/init.d/prometheus status >/dev/null 2>&1; then
    /etc/init.d/prometheus stop >/dev/null 2>&1 && stopped=" (stopped the prometheus server it started)"
  fi
  if command -v update-rc.d >/dev/null 2>&1; then update-rc.d prometheus disable >/dev/null 2>&1 || true; fi
fi
# Whatever server process is left that was not running before the install was started by it: end it.
after="$(pgrep -x prometheus 2>/dev/null | sort || true)"
for pid in $(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after")); do
  kill "$pid" 2>/dev/null && stopped=" (stopped the prometheus server it started)"
done

command -v promtool >/dev/null 2>&1 || fail "the prometheus package was installed but promtool is still not on PATH"
say "installed promtool from Debian's prometheus package: $(promtool --version 2>&1 | head -n 1)${stopped}"
