#!/bin/sh
# Fills the ${TBMS_…} placeholders of the proxy's files (and nothing else: nginx's own $variables stay), checks
# the result and runs nginx in the foreground. The certificate and key are mounted from outside the repository.
#   tbms-proxy              fill, check, run nginx
#   tbms-proxy config       fill and check only (the tests run nginx on the files it writes)
#   tbms-proxy healthcheck  plain HTTP answers (with its redirect to HTTPS)
set -eu
: "${TBMS_PUBLIC_HOST:?set TBMS_PUBLIC_HOST (the host name of tbms, e.g. tbms.example.lg.jp)}"
: "${TBMS_KEYCLOAK_HOST:?set TBMS_KEYCLOAK_HOST (the host name of the login pages, e.g. auth.tbms.example.lg.jp)}"
export TBMS_PROXY_CONFIG="${TBMS_PROXY_CONFIG:-/etc/tbms-proxy}"
source_dir="${TBMS_PROXY_SOURCE:-/usr/share/tbms-proxy}"
export TBMS_PROXY_MODULES="${TBMS_PROXY_MODULES:-/usr/lib/nginx/modules}"
export TBMS_PROXY_RUN="${TBMS_PROXY_RUN:-/run/tbms-proxy}"
export TBMS_PROXY_ACCESS_LOG="${TBMS_PROXY_ACCESS_LOG:-/dev/stdout}"
export TBMS_PROXY_AUDIT_LOG="${TBMS_PROXY_AUDIT_LOG:-/dev/stdout}"
export TBMS_PROXY_HTTP_PORT="${TBMS_PROXY_HTTP_PORT:-80}"
export TBMS_PROXY_HTTPS_PORT="${TBMS_PROXY_HTTPS_PORT:-443}"
export TBMS_PROXY_HTTPS_SUFFIX="${TBMS_PROXY_HTTPS_SUFFIX:-}"
export TBMS_PROXY_CERT="${TBMS_PROXY_CERT:-/run/secrets/tbms-tls/fullchain.pem}"
export TBMS_PROXY_KEY="${TBMS_PROXY_KEY:-/run/secrets/tbms-tls/privkey.pem}"
export TBMS_PROXY_GATEWAY="${TBMS_PROXY_GATEWAY:-gateway:8000}"
export TBMS_PROXY_KEYCLOAK="${TBMS_PROXY_KEYCLOAK:-keycloak:8443}"
# Keycloak's certificate is checked against the internal CA under this name (deploy/certs/make-internal-certs.sh)
export TBMS_PROXY_KEYCLOAK_NAME="${TBMS_PROXY_KEYCLOAK_NAME:-keycloak}"
export TBMS_PROXY_INTERNAL_CA="${TBMS_PROXY_INTERNAL_CA:-/etc/tbms/certs/ca.crt}"
# IPv4 and IPv6 (N29): every server also listens on [::] (IPv6 only; IPv4 stays on its own socket) when the
# container has IPv6 (docker-compose.yml enables it on its network); TBMS_PROXY_IPV6=off listens on IPv4 alone.
if [ "${TBMS_PROXY_IPV6:-auto}" != "off" ] && grep -q . /proc/net/if_inet6 2>/dev/null; then
    export TBMS_PROXY_LISTEN6_HTTP="listen [::]:${TBMS_PROXY_HTTP_PORT} default_server;"
    export TBMS_PROXY_LISTEN6_TBMS="listen [::]:${TBMS_PROXY_HTTPS_PORT} ssl default_server;"
    export TBMS_PROXY_LISTEN6_KEYCLOAK="listen [::]:${TBMS_PROXY_HTTPS_PORT} ssl;"
else
    export TBMS_PROXY_LISTEN6_HTTP="# no IPv6" TBMS_PROXY_LISTEN6_TBMS="# no IPv6" TBMS_PROXY_LISTEN6_KEYCLOAK="# no IPv6"
fi

if [ "${1:-}" = "healthcheck" ]; then  # plain HTTP answers with its redirect to HTTPS
    exec curl -fsS -o /dev/null "http://127.0.0.1:${TBMS_PROXY_HTTP_PORT}/"
fi
names=$(grep -oh '\${TBMS_[A-Z0-9_]*}' "$source_dir"/*.conf* | sort -u | tr '\n' ' ')
for file in nginx.conf.template modsecurity.conf exclusions.conf; do
    envsubst "$names" < "$source_dir/$file" > "$TBMS_PROXY_CONFIG/${file%.template}"
done
nginx -t -q -c "$TBMS_PROXY_CONFIG/nginx.conf" -p "$TBMS_PROXY_RUN"
[ "${1:-}" = "config" ] && exit 0
exec nginx -c "$TBMS_PROXY_CONFIG/nginx.conf" -p "$TBMS_PROXY_RUN" -g 'daemon off;'
