#!/bin/sh
# tbms: Keycloak's own database role (runs once, after 01-databases.sql, on the first start of an empty volume).
# Keycloak owns database keycloak and nothing else: it is no superuser, so a compromised Keycloak cannot read the
# services' databases, and the services' roles cannot reach Keycloak's (its users' TOTP secrets).
# An existing installation runs it once by hand (docs/upgrade.md): it is idempotent and hands Keycloak's existing
# tables over to the role.
set -eu
: "${TBMS_KEYCLOAK_DB_PASSWORD:?set TBMS_KEYCLOAK_DB_PASSWORD (the keycloak role's password)}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v pw="$TBMS_KEYCLOAK_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE keycloak LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keycloak') \gexec
ALTER ROLE keycloak LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'pw';
ALTER DATABASE keycloak OWNER TO keycloak;
GRANT CONNECT ON DATABASE keycloak TO keycloak;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname keycloak <<'SQL'
ALTER SCHEMA public OWNER TO keycloak;
SELECT format('ALTER TABLE public.%I OWNER TO keycloak', tablename) FROM pg_tables
 WHERE schemaname = 'public' AND tableowner <> 'keycloak' \gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO keycloak', sequencename) FROM pg_sequences
 WHERE schemaname = 'public' AND sequenceowner <> 'keycloak' \gexec
SQL
