"""Static checks of the production stack in docker-compose.yml and its files under deploy/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = "deploy/docker/Dockerfile"
REALM_FILE = "deploy/keycloak/tbms-realm.json"

# The conventions (docs/conventions.md): service -> port inside the compose network.
TBMS_PORTS: dict[str, int] = {
    "gateway": 8000,
    "patients": 8001,
    "contacts": 8002,
    "reports": 8003,
    "search": 8004,
    "identity": 8005,
    "masters": 8006,
    "workflow": 8007,
}
TBMS_SERVICES = tuple(TBMS_PORTS)
BACKENDS = tuple(name for name in TBMS_SERVICES if name != "gateway")
INFRASTRUCTURE = (
    "postgres",
    "nats",
    "nats-2",
    "nats-3",
    "minio",
    "meilisearch",
    "keycloak",
    "otel-collector",
    "jaeger",
    "prometheus",
    "grafana",
    "clamav",
    "nats-exporter",
    "pgbackrest",
)
# What each service waits for (healthy) besides postgres and nats.
EXTRA_DEPENDENCIES: dict[str, set[str]] = {
    "gateway": {"keycloak", *BACKENDS},
    "patients": set(),
    "contacts": set(),
    "reports": {"minio", "clamav"},
    "search": {"meilisearch"},
    "identity": {"keycloak"},
    "masters": set(),
    "workflow": set(),
}
# Services that may be published on the host: the proxy (users' only door) and the operator UIs that have their
# own login.
PUBLISHED = {"proxy", "keycloak", "grafana"}
# Services without a container healthcheck, and why.
NO_HEALTHCHECK = {"otel-collector": "distroless image without a shell, curl or wget"}

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|(?:^|_)KEY(?!_FILE$)(?:_|$)")  # a key's file path is no secret
REQUIRED_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]+\}")
VARIABLE_REFERENCE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
URL_CREDENTIALS = re.compile(r"://[^/@\s]*:(?P<password>[^@\s]*)@")
ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def _load_yaml(path: Path) -> Any:
    """Parses one YAML file of the repository."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The parsed docker-compose.yml."""
    return _load_yaml(COMPOSE_FILE)


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services section of docker-compose.yml."""
    return compose["services"]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, whichever syntax the file uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        return {key: value for key, value in pairs}
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    """A service's dependencies mapped to their condition."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _strings(node: Any) -> Iterator[str]:
    """Every string value inside a parsed YAML tree."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _env_example() -> dict[str, str]:
    """The variables listed in .env.example with their example values."""
    found: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _bind_sources(service: dict[str, Any]) -> list[str]:
    """Host paths a service bind-mounts (named volumes left out)."""
    sources: list[str] = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                sources.append(volume["source"])
            continue
        source = volume.split(":", 1)[0]
        if source.startswith((".", "/")):
            sources.append(source)
    return sources


def _bind_targets(service: dict[str, Any]) -> set[str]:
    """Paths inside the container that a service mounts (short syntax `source:target[:mode]`, whose source may
    hold `${VAR:?message}`)."""
    targets: set[str] = set()
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            targets.add(volume["target"])
            continue
        parts = volume.rsplit(":", 2)
        targets.add(parts[-2] if parts[-1] in ("ro", "rw") else parts[-1])
    return targets


def _panel_targets(panels: dict[str, dict[str, Any]], wanted: str) -> list[dict[str, Any]]:
    """The query targets of the dashboard panels whose title contains the wanted words."""
    return [target for title, panel in panels.items() if wanted in title for target in panel["targets"]]


def _published(service: dict[str, Any]) -> list[Any]:
    """The host ports a service publishes."""
    return list(service.get("ports") or [])


@pytest.mark.parametrize("name", INFRASTRUCTURE + TBMS_SERVICES)
def test_service_exists(services: dict[str, dict[str, Any]], name: str) -> None:
    """Every infrastructure component and every tbms service is in the stack."""
    assert name in services


@pytest.mark.parametrize("name", TBMS_SERVICES)
def test_tbms_service_builds_from_the_shared_dockerfile(services: dict[str, dict[str, Any]], name: str) -> None:
    """Each tbms service builds from the one Dockerfile with its own SERVICE argument."""
    build = services[name]["build"]
    assert (ROOT / build.get("context", ".")).resolve() == ROOT
    assert build["dockerfile"] == DOCKERFILE
    assert build["args"]["SERVICE"] == name


@pytest.mark.parametrize("name", TBMS_SERVICES)
def test_tbms_service_exposes_its_conventions_port(services: dict[str, dict[str, Any]], name: str) -> None:
    """Each tbms service exposes the port docs/conventions.md gives it."""
    exposed = {str(port) for port in services[name].get("expose") or []}
    assert str(TBMS_PORTS[name]) in exposed


@pytest.mark.parametrize("name", TBMS_SERVICES)
def test_tbms_service_environment(services: dict[str, dict[str, Any]], name: str) -> None:
    """Each tbms service gets its production settings with compose hostnames."""
    env = _environment(services[name])
    prefix = f"TBMS_{name.upper()}_"
    database_url = env[f"{prefix}DATABASE_URL"]
    assert database_url.endswith(f"@postgres:5432/tbms_{name}")
    # runs as its own role; only its migrations use the owner (tbms_core.db_roles); the gateway's database holds
    # the sessions every gateway process shares
    assert database_url.startswith(f"postgresql+asyncpg://tbms_{name}_app:")
    assert env[f"{prefix}MIGRATION_DATABASE_URL"].startswith("postgresql+asyncpg://tbms:")
    assert env[f"{prefix}MIGRATION_DATABASE_URL"].endswith(f"@postgres:5432/tbms_{name}")
    assert (
        env[f"{prefix}DATABASE_PASSWORD"]
        == f"${{TBMS_{name.upper()}_DB_PASSWORD:?set TBMS_{name.upper()}_DB_PASSWORD in .env}}"
    )
    if name == "gateway":  # talks to the services over HTTP only
        assert f"{prefix}NATS_URL" not in env
    else:  # its own NATS user over TLS (deploy/nats/nats.conf, tbms_core.nats_access)
        password = f"${{TBMS_{name.upper()}_NATS_PASSWORD:?set TBMS_{name.upper()}_NATS_PASSWORD in .env}}"
        nodes = ("nats", "nats-2", "nats-3")  # the cluster's nodes: a client moves to another when one fails
        assert env[f"{prefix}NATS_URL"] == ",".join(f"tls://{name}:{password}@{node}:4222" for node in nodes)
        assert env[f"{prefix}NATS_STREAM_REPLICAS"] == "3"
        assert env[f"{prefix}NATS_CA_FILE"] == "/etc/tbms/certs/ca.crt"
    assert env["PGSSLMODE"] == "verify-full"  # PostgreSQL over TLS, verified against the internal CA
    assert env["PGSSLROOTCERT"] == "/etc/tbms/certs/ca.crt"
    assert env[f"{prefix}OIDC_ISSUER"].endswith("/realms/tbms")
    assert env[f"{prefix}OIDC_AUDIENCE"] == "tbms-api"
    assert env[f"{prefix}ENVIRONMENT"] == "production"
    assert "127.0.0.1" not in " ".join(env.values())


def test_service_specific_environment(services: dict[str, dict[str, Any]]) -> None:
    """Reports, search, identity and gateway get the settings only they use."""
    reports = _environment(services["reports"])
    assert reports["TBMS_REPORTS_S3_ENDPOINT"] == "minio:9000"
    assert reports["TBMS_REPORTS_S3_BUCKET"] == "tbms-documents"
    assert {"TBMS_REPORTS_S3_ACCESS_KEY", "TBMS_REPORTS_S3_SECRET_KEY", "TBMS_REPORTS_S3_SECURE"} <= set(reports)
    search = _environment(services["search"])
    assert search["TBMS_SEARCH_MEILI_URL"] == search["MEILI_URL"] == "http://meilisearch:7700"
    assert "MEILI_MASTER_KEY" not in search["TBMS_SEARCH_MEILI_KEY"]  # its own key (tbms search meili-key)
    assert not any("MEILI_MASTER_KEY" in value for value in search.values())
    identity = _environment(services["identity"])
    assert identity["TBMS_IDENTITY_KEYCLOAK_URL"] == "https://keycloak:8443"  # the back channel over TLS
    assert identity["TBMS_IDENTITY_KEYCLOAK_CA_FILE"] == "/etc/tbms/certs/ca.crt"
    assert identity["TBMS_IDENTITY_KEYCLOAK_CLIENT_ID"] == "tbms-identity"  # its service account, least privilege
    assert not {"TBMS_IDENTITY_KEYCLOAK_ADMIN_USER", "TBMS_IDENTITY_KEYCLOAK_ADMIN_PASSWORD"} & set(identity)
    gateway = _environment(services["gateway"])
    assert gateway["TBMS_GATEWAY_OIDC_CLIENT_ID"] == "tbms-gateway"
    for key in ("PUBLIC_URL", "OIDC_SECRET", "SESSION_SECRET"):
        assert f"TBMS_GATEWAY_{key}" in gateway
    for backend in BACKENDS:
        assert gateway[f"TBMS_GATEWAY_{backend.upper()}_URL"] == f"http://{backend}:{TBMS_PORTS[backend]}"


@pytest.mark.req("N20", partial=True)
@pytest.mark.parametrize("name", TBMS_SERVICES)
def test_tbms_service_exports_telemetry(services: dict[str, dict[str, Any]], name: str) -> None:
    """Each tbms service sends OTLP to the collector under its own service name."""
    env = _environment(services[name])
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
    assert env["OTEL_SERVICE_NAME"] == f"tbms-{name}"


@pytest.mark.parametrize("name", TBMS_SERVICES)
def test_tbms_service_waits_for_what_it_uses(services: dict[str, dict[str, Any]], name: str) -> None:
    """Each tbms service starts after postgres, nats and its own dependencies are healthy."""
    deps = _depends_on(services[name])
    for target in {"postgres", "nats"} | EXTRA_DEPENDENCIES[name]:
        assert deps.get(target) == "service_healthy", f"{name} -> {target}"


@pytest.mark.req("N13")
def test_only_the_proxy_and_operator_uis_are_published(services: dict[str, dict[str, Any]]) -> None:
    """No database, broker or back-end service is reachable from outside the compose network, and users reach the
    gateway through the TLS proxy alone."""
    published = {name for name, service in services.items() if _published(service)}
    assert "proxy" in published and "gateway" not in published
    assert published <= PUBLISHED
    assert sorted(port.rsplit(":", 2)[-2:][0] for port in _published(services["proxy"])) == ["443", "443", "80", "80"]
    proxied = _environment(services["proxy"])
    assert {"TBMS_PUBLIC_HOST", "TBMS_KEYCLOAK_HOST"} <= set(proxied)


def test_no_literal_secret(services: dict[str, dict[str, Any]]) -> None:
    """Every password, secret or key comes from a required variable, never a value in the file."""
    for name, service in services.items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key):
                assert REQUIRED_REFERENCE.fullmatch(value), f"{name}: {key} must be ${{VAR:?message}}"
            credentials = URL_CREDENTIALS.search(value)
            if credentials:
                password = credentials.group("password")
                assert REQUIRED_REFERENCE.fullmatch(password), f"{name}: {key} embeds a password"


def test_meilisearch_runs_in_production_mode(services: dict[str, dict[str, Any]]) -> None:
    """Meilisearch is pinned to v1.x, runs in production mode and takes its key from a variable."""
    meili = services["meilisearch"]
    assert re.fullmatch(r"getmeili/meilisearch:v1\.\d+(\.\d+)?", meili["image"])
    env = _environment(meili)
    assert env["MEILI_ENV"] == "production"
    assert REQUIRED_REFERENCE.fullmatch(env["MEILI_MASTER_KEY"])


def test_keycloak_imports_the_realm_into_its_own_database(services: dict[str, dict[str, Any]]) -> None:
    """Keycloak 26 starts in production mode, imports realm tbms and uses database keycloak."""
    keycloak = services["keycloak"]
    assert re.fullmatch(r"quay\.io/keycloak/keycloak:26\.\d+\.\d+", keycloak["image"])
    command = keycloak["command"]
    command = command.split() if isinstance(command, str) else command
    assert command[0] == "start"
    assert "--import-realm" in command
    env = _environment(keycloak)
    assert env["KC_DB"] == "postgres"
    assert env["KC_DB_URL"] == (
        "jdbc:postgresql://postgres:5432/keycloak?sslmode=verify-full&sslrootcert=/etc/tbms/certs/ca.crt"
    )
    assert env["KC_DB_USERNAME"] == "keycloak"  # its own role, not the superuser (init/02-keycloak-role.sh)
    assert env["KC_DB_PASSWORD"] == "${TBMS_KEYCLOAK_DB_PASSWORD:?set TBMS_KEYCLOAK_DB_PASSWORD in .env}"
    assert env["KC_HEALTH_ENABLED"] == "true"
    assert any(source.endswith(REALM_FILE) for source in _bind_sources(keycloak))


@pytest.mark.req("R28", partial=True)
def test_nats_runs_jetstream(services: dict[str, dict[str, Any]]) -> None:
    """NATS runs JetStream as a three-node cluster, each node with its store on its own volume, monitoring on 8222,
    its own server name and the routes' port; every service waits for all three."""
    names, volumes = set(), set()
    for node in ("nats", "nats-2", "nats-3"):
        command = " ".join(services[node]["command"])
        for flag in ("-js", "-sd /data", "-m 8222"):
            assert flag in command
        names.add(services[node]["environment"]["NATS_SERVER_NAME"])
        volumes |= {volume.split(":")[0] for volume in services[node]["volumes"] if volume.endswith(":/data")}
        assert "6222" in services[node]["expose"]
    assert len(names) == 3 and len(volumes) == 3
    for name in BACKENDS:
        assert {"nats", "nats-2", "nats-3"} <= set(services[name]["depends_on"])
    config = (ROOT / "deploy/nats/nats.conf").read_text(encoding="utf-8")
    assert re.search(r"^jetstream\s*\{", config, re.MULTILINE)
    assert "max_file_store" in config
    assert "tls {" in config and "authorization {" in config
    assert "server_name: $NATS_SERVER_NAME" in config and "cluster {" in config and "verify: true" in config
    assert not re.search(r"^\s*no_auth_user", config, re.MULTILINE)  # a client without credentials is refused


def test_postgres_init_creates_every_database() -> None:
    """The init script creates tbms_<service> for the seven services and keycloak."""
    sql = (ROOT / "deploy/postgres/init/01-databases.sql").read_text(encoding="utf-8")
    created = set(re.findall(r"^CREATE DATABASE (\w+);", sql, re.MULTILINE))
    assert created == {f"tbms_{name}" for name in TBMS_SERVICES} | {"keycloak"}


def test_images_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    """Every third-party image names a version, never latest."""
    for name, service in services.items():
        if name in TBMS_SERVICES:
            continue
        image = service["image"]
        reference = image.rsplit("/", 1)[-1]
        assert ":" in reference and not reference.endswith(":latest"), f"{name}: {image}"


@pytest.mark.req("N07", partial=True)
def test_every_service_restarts_unless_stopped(services: dict[str, dict[str, Any]]) -> None:
    """Every container comes back after a crash or a host reboot."""
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name


@pytest.mark.req("N07", partial=True)
def test_every_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    """Docker watches the health of every container whose image allows it."""
    for name, service in services.items():
        if name in NO_HEALTHCHECK:
            continue
        healthcheck = service.get("healthcheck") or {}
        assert healthcheck.get("test"), name
        assert not healthcheck.get("disable"), name


@pytest.mark.req("N07", partial=True)
@pytest.mark.parametrize("name", TBMS_SERVICES)
def test_tbms_healthcheck_calls_health_live(services: dict[str, dict[str, Any]], name: str) -> None:
    """A tbms service's healthcheck goes through the entrypoint that calls /health/live."""
    assert services[name]["healthcheck"]["test"] == ["CMD", "tbms-entrypoint", "healthcheck"]
    entrypoint = (ROOT / "deploy/docker/entrypoint.sh").read_text(encoding="utf-8")
    assert "/health/live" in entrypoint


@pytest.mark.req("N07", partial=True)
def test_dependencies_exist_and_have_healthchecks(services: dict[str, dict[str, Any]]) -> None:
    """Every depends_on target is a service of the stack with a healthcheck to wait for."""
    for name, service in services.items():
        for target, condition in _depends_on(service).items():
            assert target in services, f"{name} depends on unknown {target}"
            assert condition == "service_healthy", f"{name} -> {target}: {condition}"
            assert (services[target].get("healthcheck") or {}).get("test"), f"{target} has no healthcheck"


def test_mounted_and_built_files_exist(services: dict[str, dict[str, Any]]) -> None:
    """Every file a service mounts or builds from is in the repository."""
    for name, service in services.items():
        for source in _bind_sources(service):
            assert (ROOT / source).exists(), f"{name} mounts missing {source}"
        build = service.get("build")
        if build:
            assert (ROOT / build.get("context", ".") / build["dockerfile"]).is_file(), name


def test_realm_file_is_mounted_and_present(services: dict[str, dict[str, Any]]) -> None:
    """The Keycloak realm file the stack imports exists and is JSON for realm tbms."""
    assert REALM_FILE in " ".join(_bind_sources(services["keycloak"]))
    realm = json.loads((ROOT / REALM_FILE).read_text(encoding="utf-8"))
    assert realm["realm"] == "tbms"


@pytest.mark.req("N01")
def test_the_production_realm_has_no_users_no_password_grant_and_requires_the_code() -> None:
    """Production imports no account (the demo users' passwords and TOTP secrets are published) and no client
    may trade a password for a token; the browser flow asks every user for the one-time code."""
    realm = json.loads((ROOT / REALM_FILE).read_text(encoding="utf-8"))
    accounts = realm.get("users") or []  # service accounts only: no person, no password, no one-time code
    assert all(user.get("serviceAccountClientId") and not user.get("credentials") for user in accounts), accounts
    assert not any(client.get("directAccessGrantsEnabled") for client in realm["clients"])
    flows = {flow["alias"]: flow for flow in realm["authenticationFlows"]}
    browser = flows[realm["browserFlow"]]
    forms = flows[next(e["flowAlias"] for e in browser["authenticationExecutions"] if e["authenticatorFlow"])]
    steps = {e["authenticator"]: e["requirement"] for e in forms["authenticationExecutions"]}
    assert steps == {"auth-username-password-form": "REQUIRED", "auth-otp-form": "REQUIRED"}
    assert "Tbms-Demo-2026!" not in (ROOT / REALM_FILE).read_text(encoding="utf-8")


def test_keycloak_gets_the_variables_the_realm_file_reads(services: dict[str, dict[str, Any]]) -> None:
    """Each ${VAR} placeholder of the realm file is set on Keycloak, so no local default is imported."""
    placeholders = set(VARIABLE_REFERENCE.findall((ROOT / REALM_FILE).read_text(encoding="utf-8")))
    env = _environment(services["keycloak"])
    for name in placeholders:
        assert name in env, f"Keycloak lacks {name} for the realm import"
        if SECRET_NAME.search(name):
            assert REQUIRED_REFERENCE.fullmatch(env[name]), name


def test_every_variable_is_in_env_example(compose: dict[str, Any]) -> None:
    """Every ${VAR} the compose file reads is listed in .env.example."""
    listed = _env_example()
    referenced = {name for text in _strings(compose) for name in VARIABLE_REFERENCE.findall(text)}
    assert referenced, "docker-compose.yml reads no variable"
    missing = sorted(referenced - set(listed))
    assert not missing, f"not in .env.example: {missing}"


def test_env_example_carries_no_secret() -> None:
    """The secrets in .env.example are blank, so a copied file cannot start with a known secret."""
    for name, value in _env_example().items():
        if SECRET_NAME.search(name):
            assert value == "", f"{name} has a value in .env.example"


@pytest.mark.req("N20", partial=True)
def test_observability_services(services: dict[str, dict[str, Any]]) -> None:
    """Collector, Jaeger, Prometheus and Grafana load their configuration from deploy/."""
    assert "deploy/otel/collector.yaml" in " ".join(_bind_sources(services["otel-collector"]))
    prometheus_mounts = " ".join(_bind_sources(services["prometheus"]))
    assert "deploy/prometheus/prometheus.yml" in prometheus_mounts
    assert "deploy/prometheus/alerts.yml" in prometheus_mounts
    grafana_mounts = " ".join(_bind_sources(services["grafana"]))
    assert "deploy/grafana/provisioning" in grafana_mounts
    assert "deploy/grafana/dashboards" in grafana_mounts
    assert not _published(services["jaeger"]), "traces are read through Grafana's login, not an open port"


@pytest.mark.req("N20", partial=True)
def test_collector_routes_traces_to_jaeger_and_metrics_to_prometheus() -> None:
    """The collector receives OTLP gRPC and HTTP, batches, and exports traces and metrics."""
    config = _load_yaml(ROOT / "deploy/otel/collector.yaml")
    assert {"grpc", "http"} <= set(config["receivers"]["otlp"]["protocols"])
    pipelines = config["service"]["pipelines"]
    for signal in ("traces", "metrics"):
        assert "otlp" in pipelines[signal]["receivers"]
        assert "batch" in pipelines[signal]["processors"]
    (traces_exporter,) = pipelines["traces"]["exporters"]
    assert traces_exporter.split("/")[0] in {"otlp", "otlp_grpc"}
    assert config["exporters"][traces_exporter]["endpoint"].startswith("jaeger:")
    assert pipelines["metrics"]["exporters"] == ["prometheus"]
    assert config["exporters"]["prometheus"]["endpoint"].endswith(":8889")


@pytest.mark.req("N20", partial=True)
def test_prometheus_scrapes_every_service() -> None:
    """Prometheus scrapes the collector and each service's /metrics on its conventions port."""
    config = _load_yaml(ROOT / "deploy/prometheus/prometheus.yml")
    targets: dict[str, str] = {}
    for job in config["scrape_configs"]:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                targets[target] = job.get("metrics_path", "/metrics")
    assert "otel-collector:8889" in targets
    assert "nats-exporter:7777" in targets
    assert targets.get("backup:9187") == "/metrics"  # `tbms backup serve` (deploy/backup/schedule.sh), N06
    for name, port in TBMS_PORTS.items():
        assert targets.get(f"{name}:{port}") == "/metrics", name
    assert "/etc/prometheus/alerts.yml" in config["rule_files"]


@pytest.mark.req("N20", partial=True)
def test_prometheus_alert_rules_cover_the_failure_modes() -> None:
    """Alerts exist for service down, 5xx rate, p95 latency over 1 s, outbox lag over 60 s and consumer lag."""
    rules = [rule for group in _load_yaml(ROOT / "deploy/prometheus/alerts.yml")["groups"] for rule in group["rules"]]
    expressions = {rule["alert"]: " ".join(str(rule["expr"]).split()) for rule in rules}
    assert all(rule["annotations"]["summary"] for rule in rules)

    def has(pattern: str) -> bool:
        """Whether some alert expression matches the pattern."""
        return any(re.search(pattern, expr) for expr in expressions.values())

    assert has(r'up\{job=~"tbms-\.\*"\} == 0')
    assert has(r'tbms_http_request_duration_seconds_count\{.*status=~"5\.\."')
    assert has(r"histogram_quantile\(0\.95,.*tbms_http_request_duration_seconds_bucket.*\) > 1$")
    assert has(r"tbms_outbox_oldest_age_seconds.*> 60$")
    assert has(r"jetstream_consumer_num_pending")
    assert has(r"tbms_clamav_signature_age_seconds.*> 86400$")  # N22: signatures older than a day
    assert has(r'tbms_backup_ok\{job="tbms-backup"\}\) == 0') and has(r"tbms_backup_last_good_age_seconds")  # N06


@pytest.mark.req("N20", partial=True)
def test_grafana_datasources() -> None:
    """Grafana is provisioned with the Prometheus and Jaeger datasources of the stack."""
    config = _load_yaml(ROOT / "deploy/grafana/provisioning/datasources/datasources.yml")
    by_type = {source["type"]: source for source in config["datasources"]}
    assert by_type["prometheus"]["url"] == "http://prometheus:9090"
    assert by_type["jaeger"]["url"] == "http://jaeger:16686"
    providers = _load_yaml(ROOT / "deploy/grafana/provisioning/dashboards/dashboards.yml")["providers"]
    assert providers[0]["options"]["path"] == "/var/lib/grafana/dashboards"


@pytest.mark.req("N20", partial=True)
def test_grafana_dashboard_has_the_overview_panels() -> None:
    """The overview dashboard shows request rate, error rate, p50/p95 latency, outbox and consumer lag."""
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/tbms-overview.json").read_text(encoding="utf-8"))
    panels = {panel["title"].lower(): panel for panel in dashboard["panels"]}
    for wanted in ("request rate", "error rate", "latency p50", "latency p95", "outbox lag", "consumer lag"):
        targets = _panel_targets(panels, wanted)
        assert targets, f"no panel for {wanted}"
        assert all(target["expr"] for target in targets)
    assert any("histogram_quantile(0.95" in target["expr"] for target in _panel_targets(panels, "latency p95"))
    assert any("histogram_quantile(0.5" in target["expr"] for target in _panel_targets(panels, "latency p50"))


@pytest.mark.req("N16", partial=True)
def test_postgres_accepts_the_compose_network_over_tls_only(services: dict[str, dict[str, Any]]) -> None:
    """PostgreSQL serves TLS with the internal certificate; its pg_hba.conf refuses connections without it."""
    postgres = services["postgres"]
    command = " ".join(postgres["command"])
    for setting in ("ssl=on", "ssl_min_protocol_version=TLSv1.2", "hba_file=/etc/postgresql/pg_hba.conf"):
        assert setting in command
    hba = [
        line.split()
        for line in (ROOT / "deploy/postgres/pg_hba.conf").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    network = [rule for rule in hba if rule[0].startswith("host") and rule[3] not in ("127.0.0.1/32", "::1/128")]
    assert network == [
        ["hostssl", "all", "all", "all", "scram-sha-256"],
        ["hostnossl", "all", "all", "all", "reject"],
    ]
    assert any(source.endswith("deploy/postgres/pg_hba.conf") for source in _bind_sources(postgres))


@pytest.mark.req("N06", partial=True)
def test_postgres_archives_its_wal_with_the_pgbackrest_configuration_the_recovery_test_runs(
    services: dict[str, dict[str, Any]],
) -> None:
    """One tool, one configuration: `postgres` archives every WAL segment with pgBackRest and deploy/postgres/
    pgbackrest.conf (tests/system/test_point_in_time_recovery.py restores a cluster to a moment with exactly this file,
    archive_command and set of PGBACKREST_* variables); `pgbackrest` (same image) takes the base backups through the
    server's socket from the same data volume; no WAL-G is left anywhere."""
    postgres, sidecar = services["postgres"], services["pgbackrest"]
    settings = dict(str(item).split("=", 1) for item in postgres["command"] if "=" in str(item))
    assert settings["archive_mode"] == "on" and settings["wal_level"] == "replica"
    assert settings["archive_command"] == "pgbackrest --stanza=tbms archive-push %p"
    assert int(settings["archive_timeout"]) <= 60  # the loss window is about a minute
    conf = "deploy/postgres/pgbackrest.conf"
    for service in (postgres, sidecar):
        assert any(volume == f"./{conf}:/etc/pgbackrest/pgbackrest.conf:ro" for volume in service["volumes"]), (
            "the configuration is mounted at pgBackRest's default path"
        )
        assert "postgres-socket:/var/run/postgresql" in service["volumes"]
    assert "postgres-data:/var/lib/postgresql/data:ro" in sidecar["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert sidecar["image"] == postgres["image"] and sidecar["user"] == "postgres"
    assert _depends_on(sidecar)["postgres"] == "service_healthy"
    repository = {key: value for key, value in _environment(postgres).items() if key.startswith("PGBACKREST_")}
    assert repository == {key: value for key, value in _environment(sidecar).items() if key.startswith("PGBACKREST_")}
    assert repository["PGBACKREST_REPO1_CIPHER_PASS"].startswith("${TBMS_WAL_ENCRYPTION_KEY:?")
    text = (ROOT / conf).read_text(encoding="utf-8")
    options = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    assert options["repo1-type"] == "s3" and options["repo1-cipher-type"] == "aes-256-cbc"  # encrypted (N16)
    assert options["pg1-path"] == "/var/lib/postgresql/data" and options["pg1-socket-path"] == "/var/run/postgresql"
    assert not {"repo1-s3-key", "repo1-s3-key-secret", "repo1-cipher-pass"} & set(options), "secrets come from .env"
    schedule = (ROOT / "deploy/postgres/pgbackrest-schedule.sh").read_text(encoding="utf-8")
    assert "stanza-create" in schedule and '--type="$kind" backup' in schedule and "expire" in schedule
    assert "ALERT tbms-pgbackrest:" in schedule
    backup_job = services["backup"]  # the base backups' outcome counts in `tbms backup status` and its metrics
    assert "pgbackrest-state:/var/lib/pgbackrest-state" in sidecar["volumes"]
    assert "pgbackrest-state:/var/lib/pgbackrest-state:ro" in backup_job["volumes"]
    assert _environment(backup_job)["TBMS_PGBACKREST_RESULT"] == "/var/lib/pgbackrest-state/last-result"
    dockerfile = (ROOT / "deploy/postgres/Dockerfile").read_text(encoding="utf-8")
    assert "pgbackrest" in dockerfile and "tbms-pgbackrest-schedule" in dockerfile
    deployed = [COMPOSE_FILE, ROOT / "deploy/postgres/Dockerfile", ROOT / "deploy/backup/Dockerfile"]
    deployed += [ROOT / "deploy/backup/schedule.sh", ROOT / ".env.example"]
    assert not [path.name for path in deployed if re.search(r"wal-g|WALG_", path.read_text(encoding="utf-8"), re.I)]


@pytest.mark.req("N16", partial=True)
def test_minio_and_keycloak_serve_https_only_and_their_clients_verify_them(
    services: dict[str, dict[str, Any]],
) -> None:
    """The object store and Keycloak's back channel are encrypted inside the network too (tests/system/
    test_internal_tls.py runs both with these settings and the services' clients)."""
    minio = services["minio"]
    assert minio["command"][-2:] == ["--certs-dir", "/etc/minio/certs"]
    mounts = _bind_targets(minio)
    assert {"/etc/minio/certs/public.crt", "/etc/minio/certs/private.key"} <= mounts
    assert "bash" not in " ".join(minio["healthcheck"]["test"])  # plain HTTP through /dev/tcp cannot answer now
    for name, prefix in (("reports", "TBMS_REPORTS_S3_"), ("backup", "TBMS_BACKUP_S3_")):
        env = _environment(services[name])
        assert env[f"{prefix}SECURE"] == "true" and env[f"{prefix}CA_FILE"] == "/etc/tbms/certs/ca.crt", name
    identity = _environment(services["identity"])
    assert identity["TBMS_IDENTITY_S3_SECURE"] == "${TBMS_AUDIT_ANCHOR_S3_SECURE:-true}"
    keycloak = services["keycloak"]
    env = _environment(keycloak)
    assert env["KC_HTTP_ENABLED"] == "false"
    assert env["KC_HTTPS_CERTIFICATE_FILE"] == "/etc/tbms/certs/keycloak.crt"
    assert "8080" not in " ".join(str(port) for port in keycloak.get("ports", []) + keycloak.get("expose", []))
    proxy_env = (ROOT / "deploy/proxy/entrypoint.sh").read_text(encoding="utf-8")
    assert 'TBMS_PROXY_KEYCLOAK="${TBMS_PROXY_KEYCLOAK:-keycloak:8443}"' in proxy_env
    assert "/etc/tbms/certs/ca.crt" in _bind_targets(services["proxy"])


REPLICATED = ("gateway", "patients", "contacts", "reports", "masters", "workflow", "identity", "search")


@pytest.mark.req("R28", partial=True)
def test_every_service_runs_two_processes(services: dict[str, dict[str, Any]]) -> None:
    """Replicas share their database and durable consumers (identity's appends wait on the chain head; search's
    rebuild in progress is a row of its database and its index is Meilisearch's). No replica publishes a host port,
    which two processes could not share."""
    for name in REPLICATED:
        assert services[name]["deploy"]["replicas"] == "${TBMS_REPLICAS:-2}", name
        assert "ports" not in services[name], name
    assert services["search"]["environment"]["TBMS_SEARCH_MEILI_URL"], "two processes need the shared engine"


DEFAULT_OF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}")


def _with_defaults(text: str) -> str:
    """A compose value with each ${VAR:-default} replaced by its default."""
    return DEFAULT_OF.sub(lambda match: match[1], text)


@pytest.mark.req("N29", partial=True)
def test_the_network_has_ipv6_and_the_proxy_takes_users_over_ipv4_and_ipv6(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    """The compose network gives every container an IPv6 address from a unique local /64 besides its IPv4 one, the
    proxy is published on the host's IPv4 and IPv6 addresses, and nginx listens on [::] as well as on IPv4."""
    network = compose["networks"]["default"]
    assert network["enable_ipv6"] is True
    subnets = [ip_network(_with_defaults(entry["subnet"])) for entry in network["ipam"]["config"]]
    assert len(subnets) == 1 and subnets[0].version == 6
    assert subnets[0].subnet_of(ip_network("fd00::/8")) and subnets[0].prefixlen == 64  # type: ignore[arg-type]
    assert _env_example()["TBMS_IPV6_SUBNET"] == str(subnets[0])
    hosts = {_with_defaults(port.rsplit(":", 2)[0]) for port in _published(services["proxy"])}
    assert {ip_address(host.strip("[]")).version for host in hosts} == {4, 6}
    # the services stay on that default network (none is moved to a network without IPv6)
    assert all(set(service.get("networks") or {"default": None}) == {"default"} for service in services.values())

    template = (ROOT / "deploy" / "proxy" / "nginx.conf.template").read_text(encoding="utf-8").splitlines()
    listens = [number for number, line in enumerate(template) if line.strip().startswith("listen ")]
    assert len(listens) == 3
    following = [template[number + 1].strip() for number in listens]
    assert following == ["${TBMS_PROXY_LISTEN6_HTTP}", "${TBMS_PROXY_LISTEN6_TBMS}", "${TBMS_PROXY_LISTEN6_KEYCLOAK}"]
    entrypoint = (ROOT / "deploy" / "proxy" / "entrypoint.sh").read_text(encoding="utf-8")
    assert 'TBMS_PROXY_LISTEN6_HTTP="listen [::]:${TBMS_PROXY_HTTP_PORT} default_server;"' in entrypoint
    assert 'TBMS_PROXY_LISTEN6_TBMS="listen [::]:${TBMS_PROXY_HTTPS_PORT} ssl default_server;"' in entrypoint
