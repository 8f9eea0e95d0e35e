"""Names, ports, paths and environment variables of the local stack (docs/conventions.md)."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from tbms_core import db_roles, nats_access

KEYCLOAK_VERSION_DEFAULT = "26.7.3"
KEYCLOAK_ENV_VERSION = "TBMS_KEYCLOAK_VERSION"
MIN_KEYCLOAK_JAVA = 21

HOST = "127.0.0.1"
PG_PORT = 55432
PG_USER = "tbms"
NATS_PORT = 54222
NATS_MONITOR_PORT = 58222
NATS_CLUSTER_PORT = 56222  # a cluster's routes (`tbms stack up --nats-cluster 3`)
NATS_PORT_STEP = 10  # node n of a cluster listens on each port + 10 n
REPLICAS_FILE = "replicas"  # in the state folder: processes per stateless service (`--replicas`)
# TBMS_REPLICAS processes of the local stack: every service but search, whose embedded engine here keeps its index
# in one process's file (compose and deploy/kubernetes run two of search too, on Meilisearch)
REPLICATED = ("gateway", "patients", "contacts", "reports", "masters", "workflow", "identity")
NATS_CLUSTER_FILE = "nats-cluster-size"  # in the state folder: the cluster size chosen
MINIO_PORT = 59000
MINIO_CONSOLE_PORT = 59001
KEYCLOAK_PORT = 58080
KEYCLOAK_MANAGEMENT_PORT = 59100
REALM = "tbms"
S3_ACCESS_KEY = "tbms-local"
S3_SECRET_KEY = "tbms-local-secret"  # noqa: S105 - local-only value of docs/conventions.md
S3_BUCKET = "tbms-documents"
# reports' key-encryption key of the people's document keys: the local value of its settings (production sets its own)
DOCUMENT_KEK = "74626d732d6c6f63616c2d646f63756d656e742d6b656b2d3030303030303030"
KEYCLOAK_ADMIN = ("admin", "admin")
GATEWAY_CLIENT_ID = "tbms-gateway"
GATEWAY_CLIENT_SECRET = "tbms-gateway-local-secret"  # noqa: S105 - local-only
IDENTITY_CLIENT_ID = "tbms-identity"
IDENTITY_CLIENT_SECRET = "tbms-identity-local-secret"  # noqa: S105 - local-only
GATEWAY_SESSION_SECRET = "tbms-local-only-session-secret-do-not-use-elsewhere"  # noqa: S105
# Clients without credentials on the local NATS become this user, with every permission: the developer's tools
# and test fixtures that play several services. The services themselves connect as their own users.
NATS_LOCAL_USER = "local"

# Start order of the services; the gateway comes last because it calls the others.
SERVICE_PORTS: dict[str, int] = {
    "masters": 8006,
    "identity": 8005,
    "patients": 8001,
    "contacts": 8002,
    "reports": 8003,
    "search": 8004,
    "workflow": 8007,
    "gateway": 8000,
}
SERVICES: tuple[str, ...] = tuple(SERVICE_PORTS)


def cache_dir() -> Path:
    """Returns $TBMS_CACHE (default ~/.cache/tbms): downloaded and built things."""
    return Path(os.environ.get("TBMS_CACHE") or Path.home() / ".cache" / "tbms")


def state_dir() -> Path:
    """Returns $TBMS_STATE (default ~/.local/state/tbms): data of the running stack."""
    return Path(os.environ.get("TBMS_STATE") or Path.home() / ".local" / "state" / "tbms")


def keycloak_version() -> str:
    """Returns the pinned Keycloak version ($TBMS_KEYCLOAK_VERSION overrides it)."""
    return os.environ.get(KEYCLOAK_ENV_VERSION) or KEYCLOAK_VERSION_DEFAULT


def keycloak_home() -> Path:
    """Returns the extracted Keycloak distribution in the cache."""
    version = keycloak_version()
    return cache_dir() / "keycloak" / f"keycloak-{version}"


def _is_repo_root(path: Path) -> bool:
    return (path / "docs" / "conventions.md").is_file() and (path / "tools").is_dir()


def repo_root() -> Path:
    """Finds the repository: $TBMS_REPO, then upwards from this file, then upwards from the cwd."""
    if env := os.environ.get("TBMS_REPO"):
        return Path(env)
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if _is_repo_root(candidate):
                return candidate
    raise RuntimeError("cannot find the tbms repository (set TBMS_REPO)")


def realm_file() -> Path:
    """Returns the production Keycloak realm file: roles, groups, the gateway client and the login flow, no users."""
    return repo_root() / "deploy" / "keycloak" / "tbms-realm.json"


def demo_users_file() -> Path:
    """Returns the development-only file of demo users (published passwords and TOTP secrets)."""
    return repo_root() / "deploy" / "keycloak" / "dev" / "demo-users.json"


def development_realm() -> dict:  # type: ignore[type-arg]
    """The local realm: the production realm plus the demo users and the password grant that tests and tools use."""
    realm = json.loads(realm_file().read_text(encoding="utf-8"))
    realm["users"] = [*realm.get("users", []), *json.loads(demo_users_file().read_text(encoding="utf-8"))["users"]]
    for client in realm["clients"]:
        if client["clientId"] == "tbms-gateway":
            client["directAccessGrantsEnabled"] = True
    return realm


def service_url(service: str) -> str:
    """Returns the loopback base URL of a service."""
    return f"http://{HOST}:{SERVICE_PORTS[service]}"


MINIO_KMS_KEY_NAME = "tbms-documents"


def minio_kms_secret_key(state: Path | None = None) -> str:
    """The local MinIO's static KMS key (`name:base64`), which encrypts every stored object (SSE-S3): made once
    in the state folder (mode 0600), so a wiped state folder loses the documents with it, as it should."""
    key_file = (state or state_dir()) / "minio-kms.key"
    if not key_file.is_file():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n", encoding="ascii")
    return f"{MINIO_KMS_KEY_NAME}:{key_file.read_text(encoding='ascii').strip()}"


def nats_password(service: str) -> str:
    """The local-only NATS password of a service's user (production takes them from the environment)."""
    return f"tbms-local-nats-{service}"


def nats_url(service: str | None = None, state: Path | None = None) -> str:
    """The local NATS URL, with the service's own credentials when it has a NATS user; with a cluster, every node's
    URL separated by commas."""
    user = f"{service}:{nats_password(service)}@" if service in nats_access.CONSUMES else ""
    return ",".join(f"nats://{user}{HOST}:{node.port}" for node in nats_nodes(state))


def nats_cluster_size(state: Path | None = None) -> int:
    """How many nats-server nodes the local stack runs: 1, or the size `tbms stack up --nats-cluster N` chose."""
    try:
        return max(1, int(((state or state_dir()) / NATS_CLUSTER_FILE).read_text(encoding="ascii").strip()))
    except (OSError, ValueError):
        return 1


def set_nats_cluster_size(size: int, state: Path | None = None) -> None:
    """Keeps the cluster size for every later `tbms stack up` and the services' environment (1: one node)."""
    path = (state or state_dir()) / NATS_CLUSTER_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{size}\n", encoding="ascii")


def service_processes(service: str, state: Path | None = None) -> int:
    """How many processes the local stack runs of a service: the number `tbms stack up --replicas N` chose for the
    services it replicates, always one of search (the local stack's embedded index file)."""
    if service not in REPLICATED:
        return 1
    try:
        return max(1, int(((state or state_dir()) / REPLICAS_FILE).read_text(encoding="ascii").strip()))
    except (OSError, ValueError):
        return 1


def set_replicas(count: int, state: Path | None = None) -> None:
    """Keeps the number of processes per stateless service for every later `tbms stack up`."""
    path = (state or state_dir()) / REPLICAS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{count}\n", encoding="ascii")


def nats_nodes(state: Path | None = None) -> list[NatsNode]:
    """The local stack's nats-server nodes."""
    size = nats_cluster_size(state)
    return [NatsNode(index, size) for index in range(size)]


@dataclass(frozen=True)
class NatsNode:
    """One nats-server of the local stack: node 0 alone, or one of a JetStream cluster's nodes."""

    index: int = 0
    size: int = 1  # nodes in the cluster (1: no cluster)
    base_port: int = NATS_PORT
    base_monitor_port: int = NATS_MONITOR_PORT
    base_cluster_port: int = NATS_CLUSTER_PORT

    @property
    def port(self) -> int:
        return self.base_port + NATS_PORT_STEP * self.index

    @property
    def monitor_port(self) -> int:
        return self.base_monitor_port + NATS_PORT_STEP * self.index

    @property
    def cluster_port(self) -> int:
        return self.base_cluster_port + NATS_PORT_STEP * self.index

    @property
    def name(self) -> str:
        return "tbms-local" if self.size == 1 else f"tbms-local-{self.index + 1}"

    def peers(self) -> list[NatsNode]:
        return [replace(self, index=index) for index in range(self.size) if index != self.index]


def nats_server_config(store: Path, node: NatsNode | None = None) -> str:
    """The local nats.conf: the production limits' essentials and every service's user with its permissions; for a
    cluster's node, its cluster block with routes to the other nodes (JetStream then keeps streams' replicas)."""
    node = node or NatsNode()
    passwords = {service: nats_password(service) for service in nats_access.SERVICES}
    passwords[NATS_LOCAL_USER] = nats_password(NATS_LOCAL_USER)
    head = [
        "# written by `tbms stack up` from tbms_core.nats_access; local only",
        f"server_name: {node.name}",
        f"host: {HOST}",
        f"port: {node.port}",
        f"http_port: {node.monitor_port}",
        "max_payload: 1MB",
        f'jetstream {{ store_dir: "{store}" }}',
    ]
    if node.size > 1:
        routes = ", ".join(f"nats-route://{HOST}:{peer.cluster_port}" for peer in node.peers())
        head.append(f"cluster {{ name: tbms-local, listen: {HOST}:{node.cluster_port}, routes: [{routes}] }}")
    return "\n".join(head) + "\n" + nats_access.authorization_block(passwords, no_auth_user=NATS_LOCAL_USER)


def service_env(service: str, state: Path | None = None, *, runtime_role: bool = False) -> dict[str, str]:
    """Returns the environment variables of one service (docs/conventions.md): connecting to its database as the
    owner (migrations, tools, tests), or as the service's own run-time role (the running service)."""
    if service not in SERVICE_PORTS:
        raise ValueError(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
    state = state or state_dir()
    prefix = f"TBMS_{service.upper()}_"
    user = db_roles.runtime_role(service) if runtime_role else PG_USER
    env = {
        "ENVIRONMENT": "local",
        "DATABASE_URL": f"postgresql+asyncpg://{user}@{HOST}:{PG_PORT}/tbms_{service}",
        "NATS_URL": nats_url(service, state),
        "OIDC_ISSUER": f"http://{HOST}:{KEYCLOAK_PORT}/realms/{REALM}",
        "OIDC_AUDIENCE": "tbms-api",
        "SPAN_FILE_DIR": str(state / "logs"),
        **_specific_env(service, state),
    }
    if (nodes := nats_cluster_size(state)) > 1 and service in nats_access.CONSUMES:
        env["NATS_STREAM_REPLICAS"] = str(min(nodes, 3))  # the streams it creates, on every node up to three
    return {prefix + key: value for key, value in env.items()}


def _specific_env(service: str, state: Path) -> dict[str, str]:
    if service == "reports":
        return {
            "S3_ENDPOINT": f"{HOST}:{MINIO_PORT}",
            "S3_ACCESS_KEY": S3_ACCESS_KEY,
            "S3_SECRET_KEY": S3_SECRET_KEY,
            "S3_BUCKET": S3_BUCKET,
            "S3_SECURE": "false",
            "DOCUMENT_KEK": DOCUMENT_KEK,
            # the EICAR test signature scripts/bootstrap.sh writes; production runs clamd (CLAMAV_HOST)
            "CLAMAV_DATABASE": str(cache_dir() / "clamav"),
        }
    if service == "search":
        return {"INDEX_DIR": str(state / "search")}
    if service == "identity":
        return {
            # its service account in realm tbms (deploy/keycloak/tbms-realm.json), not Keycloak's administrator
            "KEYCLOAK_CLIENT_ID": IDENTITY_CLIENT_ID,
            "KEYCLOAK_CLIENT_SECRET": IDENTITY_CLIENT_SECRET,
            "KEYCLOAK_URL": f"http://{HOST}:{KEYCLOAK_PORT}",
            "S3_ENDPOINT": f"{HOST}:{MINIO_PORT}",
            "S3_ACCESS_KEY": S3_ACCESS_KEY,
            "S3_SECRET_KEY": S3_SECRET_KEY,
            "S3_SECURE": "false",
            "AUDIT_ANCHOR_RETENTION_DAYS": "1",  # local anchors are locked for a day only
            # the operations log (N18): the other services' readiness (only changes logged), the planned stops
            "HEALTH_TARGETS": json.dumps(
                {name: f"{service_url(name)}/health/ready" for name in SERVICES if name != "identity"}
            ),
            "MAINTENANCE_SCHEDULE_URL": f"{service_url('gateway')}/health/maintenance",
        }
    if service == "gateway":
        backends = {f"{name.upper()}_URL": service_url(name) for name in SERVICES if name != "gateway"}
        return {
            "PUBLIC_URL": service_url("gateway"),
            "OIDC_CLIENT_ID": GATEWAY_CLIENT_ID,
            # the realm file reads the same variable: ${TBMS_GATEWAY_OIDC_SECRET:tbms-gateway-local-secret}
            "OIDC_SECRET": os.environ.get("TBMS_GATEWAY_OIDC_SECRET") or GATEWAY_CLIENT_SECRET,
            "SESSION_SECRET": GATEWAY_SESSION_SECRET,
            **backends,
        }
    return {}


def stack_env(state: Path | None = None) -> dict[str, str]:
    """Returns the variables of every service together (the keys never collide)."""
    merged: dict[str, str] = {}
    for service in SERVICES:
        merged.update(service_env(service, state))
    # Keycloak's local administrator, for tools and tests only (no service uses it)
    merged.update(TBMS_KEYCLOAK_ADMIN_USER=KEYCLOAK_ADMIN[0], TBMS_KEYCLOAK_ADMIN_PASSWORD=KEYCLOAK_ADMIN[1])
    return merged


def parse_java_version(text: str) -> int | None:
    """Returns the feature version of a JDK `release` file or directory name (1.8 → 8, 25.0.3 → 25)."""
    match = re.search(r'JAVA_VERSION="([^"]+)"', text)
    value = match.group(1) if match else text
    found = re.search(r"(?<![0-9A-Za-z])(?:1\.)?([0-9]+)(?:[.\-_+]|$)", value)
    return int(found.group(1)) if found else None


def jdk_version(home: Path) -> int | None:
    """Returns the feature version of a JDK home, from its `release` file or else its name."""
    release = home / "release"
    if release.is_file():
        version = parse_java_version(release.read_text(errors="replace"))
        if version is not None:
            return version
    return parse_java_version(home.name)


def newest_jdk(jvm_root: Path, minimum: int = MIN_KEYCLOAK_JAVA) -> Path | None:
    """Returns the newest JDK home under jvm_root with version >= minimum, or None."""
    if not jvm_root.is_dir():
        return None
    found: list[tuple[int, str, Path]] = []
    for home in sorted(jvm_root.iterdir()):
        if not (home / "bin" / "java").is_file():
            continue
        version = jdk_version(home)
        if version is not None and version >= minimum:
            found.append((version, home.name, home))
    return max(found)[2] if found else None


def find_binary(name: str, extra: Iterable[Path] = ()) -> Path | None:
    """Finds an executable on PATH, in the sbin directories or in the given places."""
    places = [*extra, Path("/usr/sbin") / name, Path("/usr/local/sbin") / name]
    if found := shutil.which(name):
        return Path(found)
    return next((p for p in places if p.is_file() and os.access(p, os.X_OK)), None)


def postgres_bindir(roots: Iterable[Path] = (Path("/usr/lib/postgresql"),)) -> Path | None:
    """Returns the bin directory of the newest PostgreSQL (Debian layout), or the one on PATH."""
    candidates: list[tuple[int, Path]] = []
    for root in roots:
        if root.is_dir():
            for entry in root.iterdir():
                if entry.name.isdigit() and (entry / "bin" / "initdb").is_file():
                    candidates.append((int(entry.name), entry / "bin"))
    if candidates:
        return max(candidates)[1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def export_lines(env: Mapping[str, str]) -> list[str]:
    """Formats variables as shell `export` lines."""
    import shlex

    return [f"export {key}={shlex.quote(value)}" for key, value in sorted(env.items())]
