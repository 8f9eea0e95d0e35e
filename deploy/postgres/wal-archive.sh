#!/bin/sh
# archive_command of PostgreSQL (docker-compose.yml): pushes one WAL segment to the remote S3 with WAL-G,
# compressed and encrypted (WALG_LIBSODIUM_KEY). A non-zero exit makes PostgreSQL keep the segment and retry,
# so nothing is lost while the remote store is unreachable (pg_stat_archiver.failed_count grows: alert on it).
set -eu
# the key in WALG_LIBSODIUM_KEY is 64 hex digits (openssl rand -hex 32)
export WALG_LIBSODIUM_KEY_TRANSFORM=hex
exec wal-g wal-push "$1"
