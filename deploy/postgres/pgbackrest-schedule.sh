#!/bin/sh
# The `pgbackrest` service's loop (docker-compose.yml): PostgreSQL's base backups for point-in-time recovery, with
# the configuration `postgres` archives its WAL with (deploy/postgres/pgbackrest.conf, mounted at the default path).
#   at start       stanza-create (nothing changes when the stanza exists) and check (a WAL segment reaches the
#                  repository: archiving works end to end)
#   every day at TBMS_PGBACKREST_AT (JST, HH:MM)
#                  backup: full on TBMS_PGBACKREST_FULL_DAY (1 = Monday … 7 = Sunday), differential otherwise
#                  (pgBackRest takes a full one when none exists); then expire (repo1-retention-full)
# A failure prints an "ALERT tbms-pgbackrest:" line and the outcome of the last run is kept in last-result
# ("ok <time>" or "failed <time> <step>"); the heartbeat file tells the container healthcheck the loop is alive.
# `tbms-pgbackrest-schedule once` does the start and one run, then exits (non-zero on a failure): what
# tests/system/test_point_in_time_recovery.py runs on its scratch cluster.
set -u
state="${TBMS_PGBACKREST_STATE:-/var/lib/pgbackrest-state}"
at="${TBMS_PGBACKREST_AT:-03:30}"
full_day="${TBMS_PGBACKREST_FULL_DAY:-7}"
stanza=tbms

record() {
  printf '%s %s %s\n' "$1" "$(date -Iseconds)" "${2:-}" > "$state/last-result.tmp" && mv "$state/last-result.tmp" "$state/last-result"
}

step() {
  name="$1"
  shift
  if pgbackrest --stanza="$stanza" --log-level-console=info "$@"; then
    return 0
  fi
  echo "ALERT tbms-pgbackrest: $name failed" >&2
  record failed "$name"
  return 1
}

run_once() {
  if [ "$(date +%u)" = "$full_day" ]; then kind=full; else kind=diff; fi
  step "backup --type=$kind" --type="$kind" backup && step expire expire && record ok "backup --type=$kind"
}

touch "$state/heartbeat"
if [ "${1:-}" = "once" ]; then
  step stanza-create stanza-create && step check check && run_once
  exit $?
fi
until step stanza-create stanza-create; do
  touch "$state/heartbeat"
  sleep 60
done
step check check || true
last=""
while :; do
  touch "$state/heartbeat"
  now="$(date +%H:%M)"
  today="$(date +%F)"
  if [ "$now" = "$at" ] && [ "$last" != "$today" ]; then
    last="$today"
    run_once || true
  fi
  sleep 20
done
