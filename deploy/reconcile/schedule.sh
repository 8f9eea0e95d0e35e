#!/bin/sh
# The daily reconciliation (docker-compose.yml service `reconcile`). Once a day at TBMS_RECONCILE_AT (JST, HH:MM),
# `tbms reconcile` compares the patients service's ids and versions with every read model's (reports, contacts)
# and repairs what is missing or behind, as the realm's service account `tbms-reconcile` (client credentials:
# 監査の更新 and 患者管理の参照 only). Each repair is in the operations log (N18) with the run's id; the run's report
# (ids and counts, never a person) is kept in TBMS_RECONCILE_DIR for TBMS_RECONCILE_KEEP_DAYS days.
# Drift that only a person may decide (a read model ahead of the owner: was patients restored?) or a failed run
# prints an "ALERT tbms-reconcile:" line. The heartbeat file tells the container healthcheck the loop is alive.
set -u
at="${TBMS_RECONCILE_AT:-04:30}"
keep="${TBMS_RECONCILE_KEEP_DAYS:-400}"
reports="${TBMS_RECONCILE_DIR:-/var/lib/tbms-reconcile}"
heartbeat="$reports/heartbeat"
mkdir -p "$reports"

run_once() {
  report="$reports/reconcile-$(date +%F).json"
  if tbms reconcile --report "$report"; then
    echo "tbms-reconcile: read models match the patients service (report $report)"
  else
    echo "ALERT tbms-reconcile: drift left for a person to decide, or the run failed (exit $?; report $report)" >&2
  fi
  find "$reports" -name 'reconcile-*.json' -mtime +"$keep" -delete
}

if [ "${1:-}" = "once" ]; then
  run_once
  exit 0
fi
last=""
while :; do
  touch "$heartbeat"
  now="$(date +%H:%M)"
  today="$(date +%F)"
  if [ "$now" = "$at" ] && [ "$last" != "$today" ]; then
    last="$today"
    run_once
  fi
  sleep 20
done
