#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis servers the tests use are running on 127.0.0.1, starting them when
# they are not (as root, the machine's own installations). Under CI=true a server that cannot be started is
# a failure; otherwise its tests are skipped.
set -uo pipefail

log() { printf '[services] %s\n' "$*" >&2; }
status=0

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if command -v pg_isready >/dev/null 2>&1 && pg_up; then
  :
elif command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start >&2 || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { log "PostgreSQL did not start"; status=1; }
else
  log "PostgreSQL is not installed here"
  status=1
fi
if pg_up; then
  # The tests' admin database.
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" 2>/dev/null | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null 2>&1 || true
fi

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if command -v redis-cli >/dev/null 2>&1 && redis_up; then
  :
elif command -v redis-server >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >&2 || true
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  redis_up || { log "Redis did not start"; status=1; }
else
  log "Redis is not installed here"
  status=1
fi

if [ "$status" -ne 0 ] && [ "${CI:-}" = "true" ]; then
  log "CI=true: PostgreSQL and Redis are required"
  exit 1
fi
exit 0
