#!/usr/bin/env bash
# Installs everything the local tbms stack needs, idempotently (seconds when all is present).
# Builds and downloads go to $TBMS_CACHE (default ~/.cache/tbms), never into the repository.
set -euo pipefail

log() { echo "[bootstrap] $*"; }
die() { echo "[bootstrap] ERROR: $*" >&2; exit 1; }

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TBMS_CACHE="${TBMS_CACHE:-$HOME/.cache/tbms}"
# Single source of truth for the Keycloak version: the stack supervisor.
KEYCLOAK_VERSION="${TBMS_KEYCLOAK_VERSION:-$(sed -n 's/^KEYCLOAK_VERSION_DEFAULT = "\(.*\)"$/\1/p' \
    "$REPO_ROOT/tools/src/tbms_tools/config.py")}"
[ -n "$KEYCLOAK_VERSION" ] || die "cannot read KEYCLOAK_VERSION_DEFAULT from tools/src/tbms_tools/config.py"
MINIO_MODULE="github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"
AXE_CORE_VERSION="4.10.3" # axe-core for the browser tests' accessibility checks (WCAG 2.0 A/AA), from npm
GO_TOOLCHAIN="go1.26.8"   # fallback toolchain (a Go module on the proxy) when no Go >= 1.24 is installed
APT_PACKAGES=(postgresql nats-server chromium chromium-driver fonts-noto-cjk fonts-ipaexfont clamav libmagic1 poppler-utils
    nginx-light libnginx-mod-http-modsecurity modsecurity-crs gettext-base openssl pgbackrest)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export PATH="$HOME/.local/bin:/usr/local/go/bin:$PATH"

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_packages() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do is_installed "$pkg" || missing+=("$pkg"); done
    command -v mvn >/dev/null || missing+=(maven)
    command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
    command -v npm >/dev/null || missing+=(npm)
    if [ "${#missing[@]}" -eq 0 ]; then
        log "apt packages: all present"
        return
    fi
    log "apt packages missing: ${missing[*]} (apt-get update + install)"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

ensure_uv() {
    if command -v uv >/dev/null; then
        log "uv: $(uv --version)"
        return
    fi
    log "uv missing: pip install uv"
    python3 -m pip install -q uv || python3 -m pip install -q --user --break-system-packages uv
    command -v uv >/dev/null || die "uv not on PATH after pip install"
}

go_is_recent() {  # true when "$1" is a Go >= 1.24 binary
    local minor
    minor="$("$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
    [ -n "$minor" ] && [ "$minor" -ge 24 ]
}

find_go() {  # prints a usable go binary, fetching the toolchain module from the Go proxy when needed
    local candidate
    for candidate in "$(command -v go || true)" /usr/local/go/bin/go "$TBMS_CACHE/go/bin/go"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && go_is_recent "$candidate"; then
            echo "$candidate"
            return
        fi
    done
    local proxy="${GOPROXY:-$(go env GOPROXY 2>/dev/null || true)}"
    proxy="${proxy%%,*}"
    case "$proxy" in
        http*) ;;
        *) die "no Go >= 1.24 and no GOPROXY to fetch one from: install Go >= 1.24 or set GOPROXY" ;;
    esac
    local zip="$TBMS_CACHE/go-toolchain.zip" dir="$TBMS_CACHE/go-toolchain"
    log "no Go >= 1.24 found: fetching golang.org/toolchain $GO_TOOLCHAIN from $proxy" >&2
    curl -fsSL -o "$zip" "$proxy/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN.linux-amd64.zip"
    rm -rf "$dir" && mkdir -p "$dir"
    python3 -m zipfile -e "$zip" "$dir"
    rm -rf "$TBMS_CACHE/go" && mv "$dir/golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-amd64" "$TBMS_CACHE/go"
    chmod -R u+x "$TBMS_CACHE/go/bin" "$TBMS_CACHE/go/pkg/tool"
    rm -rf "$dir" "$zip"
    echo "$TBMS_CACHE/go/bin/go"
}

ensure_minio() {
    local target="$TBMS_CACHE/bin/minio"
    if [ -x "$target" ]; then
        log "minio: present ($target)"
        return
    fi
    local go_bin
    go_bin="$(find_go)"
    log "minio: building $MINIO_MODULE with $go_bin (takes minutes)"
    mkdir -p "$TBMS_CACHE/bin"
    GOBIN="$TBMS_CACHE/bin" "$go_bin" install "$MINIO_MODULE"
    [ -x "$target" ] || die "go install finished but $target is missing"
    log "minio: built"
}

ensure_keycloak() {
    local base="$TBMS_CACHE/keycloak" name="keycloak-$KEYCLOAK_VERSION"
    if [ -x "$base/$name/bin/kc.sh" ]; then
        log "keycloak $KEYCLOAK_VERSION: present ($base/$name)"
        return
    fi
    local tarball="$base/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
    mkdir -p "$base"
    if [ ! -s "$tarball" ]; then
        log "keycloak $KEYCLOAK_VERSION: downloading from Maven Central"
        (cd "$base" && mvn -q dependency:copy \
            "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" "-DoutputDirectory=$base")
    fi
    log "keycloak $KEYCLOAK_VERSION: extracting"
    local tmp="$base/.extract-$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    tar -xzf "$tarball" -C "$tmp"
    rm -rf "${base:?}/$name" && mv "$tmp/$name" "$base/$name"
    rm -rf "$tmp" "$tarball"
    log "keycloak $KEYCLOAK_VERSION: ready"
}

ensure_axe_core() {
    # The gateway's browser tests run axe-core in the page (services/gateway/tests/chromium.py reads it from here).
    local dir="$TBMS_CACHE/axe-core-$AXE_CORE_VERSION"
    if [ -s "$dir/package/axe.min.js" ]; then
        log "axe-core $AXE_CORE_VERSION: present ($dir)"
        return
    fi
    command -v npm >/dev/null || die "npm is missing: install nodejs and npm (apt-get install npm)"
    log "axe-core $AXE_CORE_VERSION: npm pack"
    local tmp="$TBMS_CACHE/.axe-$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    (cd "$tmp" && npm pack --silent "axe-core@$AXE_CORE_VERSION" >/dev/null && tar -xzf "axe-core-$AXE_CORE_VERSION.tgz" package/axe.min.js)
    rm -rf "$dir" && mkdir -p "$dir" && mv "$tmp/package" "$dir/package"
    rm -rf "$tmp"
    log "axe-core $AXE_CORE_VERSION: ready"
}

ensure_clamav_signatures() {
    # ClamAV without a signature database refuses to scan (and uploads fail closed). Locally there is no
    # freshclam mirror, so reports scans with one test signature: the EICAR test string, assembled here from
    # two halves so that no file of the repository is itself a virus-scanner match. Production uses
    # freshclam's real databases in the clamav container (deploy/README.md).
    local dir="$TBMS_CACHE/clamav" file="$TBMS_CACHE/clamav/tbms-test.ndb"
    if [ -s "$file" ]; then
        # reports refuses uploads when the signatures are older than a week (N22) and dates a database of its
        # own by its file: this one has no newer version, so each set-up dates it today.
        touch "$file"
        log "clamav test signatures: present ($file)"
        return
    fi
    mkdir -p "$dir"
    python3 - "$file" <<'PY'
import sys
head, tail = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
open(sys.argv[1], "w").write(f"Tbms.Test.EICAR:0:*:{(head + tail).encode().hex()}\n")
PY
    log "clamav test signatures: written ($file)"
}

main() {
    local start=$SECONDS
    mkdir -p "$TBMS_CACHE"
    apt_packages
    ensure_uv
    log "uv sync --all-packages"
    (cd "$REPO_ROOT" && uv sync --all-packages --quiet)
    ensure_minio
    ensure_keycloak
    ensure_clamav_signatures
    ensure_axe_core
    log "done in $((SECONDS - start)) s (cache: $TBMS_CACHE)"
}

main "$@"
