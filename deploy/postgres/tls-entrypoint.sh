#!/bin/sh
# Copies the server certificate and key mounted read-only (owned by root on the host) to a folder of the
# postgres user with the modes PostgreSQL demands (key 0600), then runs the image's own entrypoint.
set -eu
src=/etc/tbms/certs
dst=/var/lib/postgresql/tls
if [ -f "$src/postgres.crt" ] && [ -f "$src/postgres.key" ]; then
  mkdir -p "$dst"
  cp "$src/postgres.crt" "$dst/server.crt"
  cp "$src/postgres.key" "$dst/server.key"
  chown -R postgres:postgres "$dst"
  chmod 0700 "$dst"
  chmod 0600 "$dst/server.key"
  chmod 0644 "$dst/server.crt"
else
  echo "tbms: $src/postgres.crt and postgres.key are missing (deploy/certs/make-internal-certs.sh)" >&2
  exit 1
fi
exec docker-entrypoint.sh "$@"
