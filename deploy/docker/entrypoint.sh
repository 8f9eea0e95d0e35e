#!/bin/sh
# Entrypoint of the tbms service images (deploy/docker/Dockerfile).
#   serve        alembic upgrade head, then uvicorn <service>.main:create_app --factory (default)
#   migrate      alembic upgrade head only
#   healthcheck  GET /health/live on the service's port (Docker HEALTHCHECK)
# Environment: TBMS_SERVICE (set in the image), TBMS_PORT (default: the port in docs/conventions.md),
# TBMS_SKIP_MIGRATIONS=1 to start without migrating (e.g. extra replicas).
set -eu

service="${TBMS_SERVICE:?TBMS_SERVICE is not set}"
case "$service" in
  gateway) default_port=8000 ;;
  patients) default_port=8001 ;;
  contacts) default_port=8002 ;;
  reports) default_port=8003 ;;
  search) default_port=8004 ;;
  identity) default_port=8005 ;;
  masters) default_port=8006 ;;
  workflow) default_port=8007 ;;
  *) echo "unknown TBMS_SERVICE: $service" >&2; exit 64 ;;
esac
port="${TBMS_PORT:-$default_port}"

key=$(echo "$service" | tr '[:lower:]' '[:upper:]')

# With TBMS_<SERVICE>_MIGRATION_DATABASE_URL (the database's owner) the migrations run as the owner and the
# service's own run-time role is then granted its rights (tbms_core.db_roles); the service itself connects
# with TBMS_<SERVICE>_DATABASE_URL as that role.
migrate() {
  if [ -f /app/service/alembic.ini ]; then
    owner_url=$(printenv "TBMS_${key}_MIGRATION_DATABASE_URL" || true)
    if [ -n "$owner_url" ]; then
      echo "tbms-$service: alembic upgrade head (as the database owner)" >&2
      (cd /app/service && env "TBMS_${key}_DATABASE_URL=$owner_url" alembic -c alembic.ini upgrade head)
      python -m tbms_core.db_roles "$service"
    else
      echo "tbms-$service: alembic upgrade head" >&2
      (cd /app/service && alembic -c alembic.ini upgrade head)
    fi
  fi
}

command="${1:-serve}"
case "$command" in
  healthcheck)
    exec python -c 'import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health/live", timeout=4) as r:
    sys.exit(0 if r.status == 200 else 1)' "$port"
    ;;
  migrate)
    migrate
    ;;
  serve)
    if [ "${TBMS_SKIP_MIGRATIONS:-0}" != "1" ]; then
      migrate
    fi
    # An empty host makes uvicorn (asyncio) listen on every address of both families: 0.0.0.0 and :: (N29).
    # "::" alone would be IPv6 only (asyncio sets IPV6_V6ONLY), "0.0.0.0" IPv4 only.
    listen_host="${TBMS_LISTEN_HOST:-}"
    echo "tbms-$service: listening on ${listen_host:-every IPv4 and IPv6 address} port $port" >&2
    # Idle connections are kept 75 s, longer than any client's (httpx: 5 s), so a client never sends on a
    # connection the server has just closed.
    exec uvicorn "$service.main:create_app" --factory \
      --host "$listen_host" --port "$port" \
      --proxy-headers --no-server-header \
      --timeout-keep-alive 75 \
      --timeout-graceful-shutdown 20
    ;;
  *)
    exec "$@"
    ;;
esac
