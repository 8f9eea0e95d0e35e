#!/bin/sh
# The backup job's loop (docker-compose.yml service `backup`). Once a day at TBMS_BACKUP_AT (JST, HH:MM):
#   1. tbms backup        every database (Keycloak's too), every object version, the configuration; encrypted;
#                         then the restore drill into scratch databases and a scratch bucket (report beside it)
#   2. tbms backup prune  daily backups for TBMS_BACKUP_DAILY_DAYS, the first of each month for 5 years
# PostgreSQL's base backups for point-in-time recovery are the `pgbackrest` service's (deploy/postgres/).
# A failure prints an "ALERT tbms-backup:" line and is kept in last-result.json (`tbms backup status`).
# The heartbeat file tells the container healthcheck that the loop itself is alive.
set -u
at="${TBMS_BACKUP_AT:-02:30}"
heartbeat=/var/lib/tbms/heartbeat
mkdir -p "$(dirname "$heartbeat")"

run_once() {
  tbms backup || echo "ALERT tbms-backup: tbms backup failed (exit $?)" >&2
  tbms backup prune || echo "ALERT tbms-backup: prune failed" >&2
}

if [ "${1:-}" = "once" ]; then
  run_once
  exit 0
fi
# The backups' state over HTTP for Prometheus and the 運用状況 page; restarted by the loop if it stops.
serve_state() { tbms backup serve --port "${TBMS_BACKUP_STATUS_PORT:-9187}" & state_pid=$!; }
serve_state
last=""
while :; do
  kill -0 "$state_pid" 2>/dev/null || serve_state
  touch "$heartbeat"
  now="$(date +%H:%M)"
  today="$(date +%F)"
  if [ "$now" = "$at" ] && [ "$last" != "$today" ]; then
    last="$today"
    run_once
  fi
  sleep 20
done
