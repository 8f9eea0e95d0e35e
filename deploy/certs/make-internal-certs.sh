#!/bin/sh
# Makes the internal CA and the server certificates of the components that talk inside the compose network
# (NATS, PostgreSQL, MinIO and Keycloak; every client verifies them against ca.crt).
#   deploy/certs/make-internal-certs.sh <directory> [extra SAN, e.g. DNS:nats.example.lg.jp]
# Writes ca.crt/ca.key and <name>.crt/<name>.key (mode 0600 for keys) for nats, postgres, minio, keycloak,
# valid 825 days. Keep ca.key offline once the certificates are made; renew before expiry with the same CA.
# A city with its own internal CA issues these names instead and puts its CA certificate as ca.crt.
set -eu
dir=${1:?usage: make-internal-certs.sh <directory> [extra SAN]}
extra=${2:-}
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 3650 -subj "/CN=tbms internal CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
fi
for name in nats postgres minio keycloak; do
  san="DNS:$name,DNS:localhost,IP:127.0.0.1${extra:+,$extra}"
  usage=serverAuth
  if [ "$name" = nats ]; then  # the three cluster nodes share it and verify each other's routes with it
    san="DNS:nats,DNS:nats-2,DNS:nats-3,DNS:localhost,IP:127.0.0.1${extra:+,$extra}"
    usage=serverAuth,clientAuth
  fi
  openssl req -newkey rsa:2048 -sha256 -nodes -subj "/CN=$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$san" "$usage" > "$dir/$name.ext"
  openssl x509 -req -sha256 -days 825 -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
done
chmod 644 "$dir"/*.crt
# Keycloak's image runs as uid 1000 and must read its key; the other images read theirs as root.
if [ "$(id -u)" = 0 ]; then chown 1000 "$dir/keycloak.key"; fi
echo "internal certificates written to $dir"
