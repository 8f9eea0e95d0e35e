"""Static checks of the Kubernetes manifests in deploy/kubernetes against docker-compose.yml, the production stack they
mirror (deploy/README.md「Kubernetes」). Every expectation is derived from compose and the files it runs; no cluster is
needed (where kubectl is installed, the kustomization is built as well)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
K8S = ROOT / "deploy" / "kubernetes"
KUSTOMIZATION = K8S / "kustomization.yaml"
README = ROOT / "deploy" / "README.md"
ENV_EXAMPLE = ROOT / ".env.example"
NATS_CONF = ROOT / "deploy" / "nats" / "nats.conf"
DOCKERFILE = "deploy/docker/Dockerfile"
WORKLOADS = ("Deployment", "StatefulSet")
NAME_LABEL = "app.kubernetes.io/name"

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEK|(?:^|_)KEY(?!_FILE$)(?:_|$)")  # a key's file path is no secret
REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
URL_CREDENTIALS = re.compile(r"://[^/@\s]*:(?P<password>[^@\s]*)@")
EXPANSION = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
HOST_PORT = re.compile(r"(?<![\w.-])([a-z][a-z0-9-]*):(\d{2,5})(?!\d)")
ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")

# The one Secret that holds compose's secrets, its keys named as in .env; the ConfigMap of the site's values.
SECRETS = "tbms-secrets"
SITE = "tbms-site"

# Compose services that stay outside the manifests, and why (deploy/README.md「Kubernetes」says which variables
# point the services at them). Every other compose service must be mirrored.
EXTERNAL = {
    "postgres": "a managed PostgreSQL or an operator's (pgBackRest's WAL archive goes with it)",
    "pgbackrest": "PostgreSQL's base backups belong to the external PostgreSQL",
    "keycloak": "a managed or operator-run Keycloak with the realm file imported",
    "minio": "the city's S3-compatible store (the MinIO community server is unmaintained)",
    "backup": "a scheduled job beside the stack, not part of the application tier",
    "reconcile": "a scheduled job beside the stack, not part of the application tier",
    "otel-collector": "the city's observability stack",
    "jaeger": "the city's observability stack",
    "prometheus": "the city's observability stack",
    "grafana": "the city's observability stack",
    "nats-exporter": "the city's observability stack",
}
# compose's three NATS nodes are one StatefulSet here
COMPONENT = {"nats-2": "nats", "nats-3": "nats"}

# Environment variables a container has besides compose's, each with its reason ("{S}" is the service's name in
# capitals). Compose builds some values from .env variables with ${VAR}; Kubernetes builds them with $(VAR), which
# reads only variables of the container itself, so those .env variables are given to it under their own names.
ALLOWED_EXTRA_ENV = {
    "POSTGRES_PASSWORD": "the owner's password inside TBMS_{S}_MIGRATION_DATABASE_URL",
    "TBMS_{S}_NATS_PASSWORD": "the service's NATS password inside TBMS_{S}_NATS_URL (three times)",
    "KEYCLOAK_PUBLIC_URL": "the host of the token issuer TBMS_{S}_OIDC_ISSUER",
}
# Replicas that differ from compose's, and why.
REPLICAS_DIFFERENT = {"proxy": (2, "compose binds one proxy to the host's ports; here two share a LoadBalancer")}
# Containers that may start as root, and why (every other runs as a non-root user with a read-only root).
ROOT_ALLOWED = {
    "clamav": "the image's /init chowns the signature folder as root, then clamd and freshclam drop to clamav"
}
# Connections allowed in the NetworkPolicies that compose's files do not make, and why.
EXTRA_INGRESS = {"proxy": "users from anywhere on 80 and 443 (compose publishes these ports alone)"}


def _load_yaml(path: Path) -> Any:
    """Parses one YAML file of the repository."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """A compose service's environment as a mapping."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        return {key: value for key, value in pairs}
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _with_defaults(text: str) -> str:
    """A compose value with each ${VAR:-default} replaced by its default."""
    return REFERENCE.sub(lambda match: match[3] if match[2] in (":-", "-") else match[0], text)


def _env_file(path: Path) -> dict[str, str]:
    """KEY=value lines of an env file (comments and blank lines skipped), as kustomize and kubectl read them."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


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


COMPOSE: dict[str, Any] = _load_yaml(COMPOSE_FILE)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
TBMS_SERVICES = tuple(
    name for name, service in SERVICES.items() if (service.get("build") or {}).get("dockerfile") == DOCKERFILE
)
MIRRORED = tuple(name for name in SERVICES if name not in EXTERNAL)
NATS_NODES = tuple(name for name in SERVICES if SERVICES[name].get("image", "").startswith("nats:"))


def _component(name: str) -> str:
    """The manifests' name (label app.kubernetes.io/name) of a compose service."""
    return COMPONENT.get(name, name)


def _compose_replicas(name: str) -> int:
    """How many processes compose runs of a service (deploy.replicas with its default)."""
    return int(_with_defaults(str((SERVICES[name].get("deploy") or {}).get("replicas", 1))))


@pytest.fixture(scope="module")
def kustomization() -> dict[str, Any]:
    """The parsed kustomization.yaml."""
    return _load_yaml(KUSTOMIZATION)


@pytest.fixture(scope="module")
def documents(kustomization: dict[str, Any]) -> list[dict[str, Any]]:
    """Every YAML document under deploy/kubernetes but the kustomization itself."""
    found = []
    for path in sorted(K8S.rglob("*.yaml")):
        if path == KUSTOMIZATION:
            continue
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document is not None:
                found.append(document)
    return found


@pytest.fixture(scope="module")
def objects(documents: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The manifests' objects by kind and name."""
    return {(document["kind"], document["metadata"]["name"]): document for document in documents}


def _generator_source(entry: str) -> Path:
    """The file a configMapGenerator `files:`/`envs:` entry reads (`key=path` or `path`)."""
    return (K8S / entry.split("=", 1)[-1]).resolve()


@pytest.fixture(scope="module")
def generated(kustomization: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The data of each ConfigMap the kustomization generates, by name."""
    data: dict[str, dict[str, str]] = {}
    for generator in kustomization.get("configMapGenerator") or []:
        entries: dict[str, str] = {}
        for entry in generator.get("envs") or []:
            entries.update(_env_file(_generator_source(entry)))
        for entry in generator.get("files") or []:
            key = entry.split("=", 1)[0] if "=" in entry else Path(entry).name
            entries[key] = _generator_source(entry).read_text(encoding="utf-8")
        entries.update(dict(literal.split("=", 1) for literal in generator.get("literals") or []))
        data[generator["name"]] = entries
    return data


def _workload(objects: dict[tuple[str, str], dict[str, Any]], component: str) -> dict[str, Any]:
    """The Deployment or StatefulSet whose pods carry the component's name label."""
    found = [
        document
        for (kind, _), document in objects.items()
        if kind in WORKLOADS and document["spec"]["template"]["metadata"]["labels"].get(NAME_LABEL) == component
    ]
    assert len(found) == 1, f"{component}: {len(found)} workloads"
    return found[0]


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    """The one container of a workload's pods."""
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def _all_containers(documents: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(workload name, pod spec, container) of every workload in the manifests."""
    for document in documents:
        if document["kind"] in WORKLOADS:
            pod = document["spec"]["template"]["spec"]
            for container in pod.get("initContainers", []) + pod["containers"]:
                yield document["metadata"]["name"], pod, container


def _env_names(container: dict[str, Any], generated: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Every variable a container gets: its env entries and the keys of the generated ConfigMaps in envFrom."""
    names: dict[str, dict[str, Any]] = {}
    for source in container.get("envFrom") or []:
        config = source["configMapRef"]["name"]
        for key, value in generated[config].items():
            names[key] = {"name": key, "fromConfigMap": config, "value": value}
    for entry in container.get("env") or []:
        names[entry["name"]] = entry
    return names


def _readme_section() -> str:
    """deploy/README.md's Kubernetes section."""
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Kubernetes")
    following = text.find("\n## ", start + 1)
    return text[start : following if following != -1 else len(text)]


def _env_example() -> dict[str, str]:
    """The variables of .env.example with their example values."""
    return _env_file(ENV_EXAMPLE)


# ---------------------------------------------------------------- the kustomization and its files


def test_every_resource_and_generator_file_exists_and_every_manifest_is_listed(kustomization: dict[str, Any]) -> None:
    """The kustomization names only files that exist, and every manifest of the folder is one of its resources."""
    resources = kustomization["resources"]
    for entry in resources:
        assert (K8S / entry).is_file(), entry
    listed = {(K8S / entry).resolve() for entry in resources}
    manifests = {path.resolve() for path in K8S.rglob("*.yaml") if path != KUSTOMIZATION}
    assert manifests == listed, f"not listed: {sorted(map(str, manifests - listed))}"
    for generator in kustomization["configMapGenerator"]:
        for entry in (generator.get("envs") or []) + (generator.get("files") or []):
            assert _generator_source(entry).is_file(), entry
    assert kustomization["namespace"] == COMPOSE["name"]  # compose's project name


def test_nats_config_is_generated_from_the_file_compose_runs(kustomization: dict[str, Any]) -> None:
    """nats-config reads deploy/nats/nats.conf itself (no copy to drift); that file is outside the kustomization's
    folder, so the build needs the load restrictor off, and the kustomization and the README say so."""
    sources = [
        _generator_source(entry)
        for generator in kustomization["configMapGenerator"]
        if generator["name"] == "nats-config"
        for entry in generator["files"]
    ]
    assert sources == [NATS_CONF.resolve()]
    assert not NATS_CONF.resolve().is_relative_to(K8S.resolve())
    assert not list(K8S.rglob("nats.conf"))
    command = "kubectl kustomize --load-restrictor LoadRestrictionsNone deploy/kubernetes | kubectl apply -f -"
    assert command in KUSTOMIZATION.read_text(encoding="utf-8")
    assert command in _readme_section()


def test_documents_are_kubernetes_objects(documents: list[dict[str, Any]]) -> None:
    """Each document has an API version, a kind and a name; no name is used twice for one kind; no Secret is kept
    in the repository (the operator creates them)."""
    seen: set[tuple[str, str]] = set()
    for document in documents:
        assert {"apiVersion", "kind", "metadata"} <= set(document), document
        key = (document["kind"], document["metadata"]["name"])
        assert key not in seen, key
        seen.add(key)
        assert document["kind"] != "Secret", key


# ---------------------------------------------------------------- each compose service


@pytest.mark.parametrize("name", MIRRORED)
def test_every_compose_service_is_mirrored_or_listed_as_external(
    objects: dict[tuple[str, str], dict[str, Any]], name: str
) -> None:
    """Every compose service is a workload here (NATS's three nodes one StatefulSet) unless EXTERNAL says why not."""
    workload = _workload(objects, _component(name))
    assert workload["kind"] == ("Deployment" if name in TBMS_SERVICES or name == "proxy" else "StatefulSet")


def test_external_services_are_documented() -> None:
    """The README section names each compose service left outside, with the variables that point at it."""
    section = _readme_section()
    for name in EXTERNAL:
        assert name in section.lower(), name
    for variable in ("DATABASE_URL", "MIGRATION_DATABASE_URL", "OIDC_ISSUER", "KEYCLOAK_URL", "S3_ENDPOINT"):
        assert variable in section, variable
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" in section and "PGSSLROOTCERT" in section


@pytest.mark.parametrize("name", TBMS_SERVICES)
def test_tbms_service_has_a_deployment_and_a_service_on_its_port(
    objects: dict[tuple[str, str], dict[str, Any]], name: str
) -> None:
    """Each tbms service is a Deployment of its name and a ClusterIP Service of its name on compose's port, so the
    other services' URLs (http://<service>:<port>) stay as in compose."""
    deployment = objects[("Deployment", name)]
    port = int(SERVICES[name]["expose"][0])
    container = _container(deployment)
    assert [p["containerPort"] for p in container["ports"]] == [port]
    service = objects[("Service", name)]
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert service["spec"]["selector"] == {NAME_LABEL: name}
    assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [(port, container["ports"][0]["name"])]


@pytest.mark.parametrize("name", MIRRORED)
def test_image_entrypoint_and_command_are_compose_s(objects: dict[tuple[str, str], dict[str, Any]], name: str) -> None:
    """The same image reference (TBMS_VERSION's default as the tag; kustomization images: sets it) and command:
    compose's entrypoint is the container's command, compose's command its args."""
    container = _container(_workload(objects, _component(name)))
    assert container["image"] == _with_defaults(SERVICES[name]["image"])
    assert container.get("command") == SERVICES[name].get("entrypoint")
    assert container.get("args") == SERVICES[name].get("command")


def test_the_images_built_here_are_set_in_one_place(kustomization: dict[str, Any]) -> None:
    """Every image compose builds from this repository has its entry in images: (compose's TBMS_VERSION)."""
    built = {
        _with_defaults(SERVICES[name]["image"]).rsplit(":", 1)[0]
        for name in MIRRORED
        if "build" in SERVICES[name] and "TBMS_VERSION" in SERVICES[name]["image"]
    }
    assert built == {entry["name"] for entry in kustomization["images"]}


@pytest.mark.req("N07", partial=True)
@pytest.mark.parametrize("name", MIRRORED)
def test_environment_names_are_compose_s(
    objects: dict[tuple[str, str], dict[str, Any]], generated: dict[str, dict[str, str]], name: str
) -> None:
    """A container gets exactly compose's variable names, plus only the ALLOWED_EXTRA_ENV ones that compose
    interpolates into one of that service's values."""
    compose_env = _environment(SERVICES[name])
    names = set(_env_names(_container(_workload(objects, _component(name))), generated))
    interpolated = {match[1] for value in compose_env.values() for match in REFERENCE.finditer(value)}
    allowed = {extra.replace("{S}", name.upper()) for extra in ALLOWED_EXTRA_ENV}
    extra = names - set(compose_env)
    assert not set(compose_env) - names, f"missing: {sorted(set(compose_env) - names)}"
    assert extra <= allowed & interpolated, f"unexpected: {sorted(extra - (allowed & interpolated))}"


@pytest.mark.parametrize("name", MIRRORED)
def test_environment_values_are_compose_s(
    objects: dict[tuple[str, str], dict[str, Any]], generated: dict[str, dict[str, str]], name: str
) -> None:
    """Compose's literal values come from the service's generated ConfigMap unchanged; a whole ${VAR} comes from the
    Secret (a secret) or the site's ConfigMap (site.env, with compose's default or .env.example's example) under the
    key VAR; a value built from variables is built the same way with $(VAR) from variables defined before it."""
    container = _container(_workload(objects, _component(name)))
    entries = _env_names(container, generated)
    order = [entry["name"] for entry in container.get("env") or []]
    site = generated[SITE]
    example = _env_example()
    compose_env = _environment(SERVICES[name])
    carriers = {REFERENCE.fullmatch(value)[1]: key for key, value in compose_env.items() if REFERENCE.fullmatch(value)}
    for key, value in compose_env.items():
        entry = entries[key]
        whole = REFERENCE.fullmatch(value)
        if name in NATS_NODES and key == "NATS_SERVER_NAME":  # unique per node: the pod's name
            assert entry["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
        elif "${" not in value:
            assert entry.get("fromConfigMap") == f"{name}-env" and entry["value"] == value, key
        elif whole:
            variable, operator, default = whole.groups()
            if SECRET_NAME.search(variable) or SECRET_NAME.search(key):
                assert entry["valueFrom"] == {"secretKeyRef": {"name": SECRETS, "key": variable}}, key
            else:
                assert entry["valueFrom"] == {"configMapKeyRef": {"name": SITE, "key": variable}}, key
                wanted = default if operator in (":-", "-") else example[variable]
                assert site[variable] == wanted, variable
        else:
            built = REFERENCE.sub(lambda match: f"$({carriers.get(match[1], match[1])})", value)
            assert entry.get("value") == built, key
            for used in EXPANSION.findall(built):  # Kubernetes expands only variables defined before
                assert used in order[: order.index(key)] or "fromConfigMap" in entries[used], f"{key} uses {used}"


def test_secrets_are_never_literal(documents: list[dict[str, Any]], generated: dict[str, dict[str, str]]) -> None:
    """No password, secret, key or token is written in the manifests: such variables come from a Secret, a URL
    carries its password only as $(VAR) of a variable from a Secret, and no ConfigMap has a key named like one."""
    for workload, _, container in _all_containers(documents):
        from_secret = {
            entry["name"] for entry in container.get("env") or [] if "secretKeyRef" in entry.get("valueFrom", {})
        }
        for entry in container.get("env") or []:
            if SECRET_NAME.search(entry["name"]):
                assert "value" not in entry and "secretKeyRef" in entry["valueFrom"], f"{workload}: {entry['name']}"
            credentials = URL_CREDENTIALS.search(entry.get("value", ""))
            if credentials:
                assert EXPANSION.fullmatch(credentials["password"]), f"{workload}: {entry['name']}"
                assert EXPANSION.fullmatch(credentials["password"])[1] in from_secret, f"{workload}: {entry['name']}"
    for config, data in generated.items():
        if config != "nats-config":  # nats.conf names the password variables; tests/test_nats_access.py checks it
            assert not [key for key in data if SECRET_NAME.search(key)], config


def test_secret_keys_are_the_env_file_s(documents: list[dict[str, Any]]) -> None:
    """tbms-secrets is made from the operator's .env (`--from-env-file`): every key read from it is a variable of
    .env.example."""
    example = _env_example()
    keys = {
        reference["secretKeyRef"]["key"]
        for _, _, container in _all_containers(documents)
        for entry in container.get("env") or []
        for reference in [entry.get("valueFrom", {})]
        if reference.get("secretKeyRef", {}).get("name") == SECRETS
    }
    assert keys and keys <= set(example), sorted(keys - set(example))
    assert f"create secret generic {SECRETS} --from-env-file=.env" in _readme_section()


def _referenced(documents: list[dict[str, Any]]) -> Iterator[tuple[str, str, str | None]]:
    """("ConfigMap" or "Secret", name, key or None) of every reference in the workloads' pods."""
    for _, pod, container in _all_containers(documents):
        for source in container.get("envFrom") or []:
            yield "ConfigMap", source["configMapRef"]["name"], None
        for entry in container.get("env") or []:
            reference = entry.get("valueFrom", {})
            if "configMapKeyRef" in reference:
                yield "ConfigMap", reference["configMapKeyRef"]["name"], reference["configMapKeyRef"]["key"]
            if "secretKeyRef" in reference:
                yield "Secret", reference["secretKeyRef"]["name"], reference["secretKeyRef"]["key"]
        for volume in pod.get("volumes") or []:
            sources = [volume] + [source for source in volume.get("projected", {}).get("sources", [])]
            for source in sources:
                if "configMap" in source:
                    yield "ConfigMap", source["configMap"]["name"], None
                if "secret" in source:
                    yield "Secret", source["secret"].get("secretName") or source["secret"]["name"], None


def test_referenced_config_maps_and_secrets_exist_or_are_documented(
    documents: list[dict[str, Any]], generated: dict[str, dict[str, str]]
) -> None:
    """Each ConfigMap a pod reads is generated by the kustomization (with the key it reads) or is one the README
    section tells the operator to create; so is each Secret."""
    section = _readme_section()
    for kind, name, key in _referenced(documents):
        if kind == "ConfigMap" and name in generated:
            assert key is None or key in generated[name], f"{name}: {key}"
        else:
            assert f"{kind} `{name}`" in section, f"{kind} {name} is neither generated nor documented"
            creation = rf"create configmap {name} " if kind == "ConfigMap" else rf"create secret \w+ {name} "
            assert re.search(creation, section), f"{kind} {name}: no command that creates it"


# ---------------------------------------------------------------- health, resources, security


def _compose_probe(name: str) -> dict[str, Any]:
    """The probe that does what compose's healthcheck does: the HTTP GET it makes, or the command it runs."""
    test = SERVICES[name]["healthcheck"]["test"]
    if test[1:] == ["tbms-entrypoint", "healthcheck"]:  # deploy/docker/entrypoint.sh: GET /health/live on the port
        entrypoint = (ROOT / "deploy" / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
        branch = entrypoint[entrypoint.index("  healthcheck)") :]
        path = re.search(r"http://127\.0\.0\.1:\{sys\.argv\[1\]\}(/[\w/]+)", branch)
        assert path
        return {"path": path[1], "port": int(SERVICES[name]["expose"][0])}
    url = next((part for part in test if part.startswith("http://")), None)
    if url:
        address, _, path = url.removeprefix("http://").partition("/")
        return {"path": "/" + path, "port": int(address.rsplit(":", 1)[1])}
    return {"exec": test[1:]}


@pytest.mark.req("N07", partial=True)
@pytest.mark.parametrize("name", tuple(name for name in MIRRORED if name not in NATS_NODES[1:]))
def test_probes_check_what_compose_s_healthcheck_checks(
    objects: dict[tuple[str, str], dict[str, Any]], name: str
) -> None:
    """Startup, liveness and readiness probes make the request (or run the command) of compose's healthcheck."""
    container = _container(_workload(objects, _component(name)))
    expected = _compose_probe(name)
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        probe = container[kind]
        if "exec" in expected:
            assert probe["exec"]["command"] == expected["exec"], kind
        else:
            port = probe["httpGet"]["port"]
            assert probe["httpGet"]["path"] == expected["path"], kind
            assert ports.get(port, port) == expected["port"], kind
        assert probe["timeoutSeconds"] >= 5 and probe["failureThreshold"] >= 3, kind


@pytest.mark.req("N07", partial=True)
def test_every_container_has_probes_resources_and_a_restricted_security_context(
    documents: list[dict[str, Any]],
) -> None:
    """Every container has its three probes, CPU and memory requests and limits, no privilege escalation, every
    capability dropped (ROOT_ALLOWED: only the ones it needs added back), a read-only root and a non-root user."""
    workloads = 0
    for workload, pod, container in _all_containers(documents):
        workloads += 1
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert kind in container, f"{workload}: {kind}"
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{workload}: {bound}"
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False, workload
        assert security["capabilities"]["drop"] == ["ALL"], workload
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, workload
        assert pod.get("automountServiceAccountToken") is False, workload
        if workload in ROOT_ALLOWED:
            assert set(security["capabilities"]["add"]) <= {"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"}
            continue
        assert "add" not in security["capabilities"], workload
        assert security["readOnlyRootFilesystem"] is True, workload
        assert security["runAsNonRoot"] is True and pod["securityContext"]["runAsNonRoot"] is True, workload
        assert pod["securityContext"]["runAsUser"] != 0, workload
    assert workloads == len({_component(name) for name in MIRRORED})


@pytest.mark.parametrize("name", TBMS_SERVICES)
def test_tbms_service_runs_as_the_image_s_user_and_writes_only_its_volumes(
    objects: dict[tuple[str, str], dict[str, Any]], name: str
) -> None:
    """The image's user (uid 10001, deploy/docker/Dockerfile) runs it; compose's no-new-privileges holds; the read-only
    root leaves it /tmp and the folders compose gives it volumes for."""
    dockerfile = (ROOT / DOCKERFILE).read_text(encoding="utf-8")
    uid = int(re.search(r"--uid (\d+)", dockerfile)[1])  # type: ignore[index]
    deployment = objects[("Deployment", name)]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == uid
    assert "no-new-privileges:true" in SERVICES[name]["security_opt"]
    mounts = {mount["mountPath"]: mount for mount in _container(deployment)["volumeMounts"]}
    writable = {path for path, mount in mounts.items() if not mount.get("readOnly")}
    named = {volume.rsplit(":", 1)[-1] for volume in SERVICES[name].get("volumes") or [] if not volume.startswith("$")}
    assert writable == {"/tmp"} | named  # noqa: S108 - a mount path in the pod, not a file this test writes


# ---------------------------------------------------------------- volumes and certificates


@pytest.mark.parametrize("name", MIRRORED)
def test_every_compose_volume_is_mounted_at_the_same_place(
    objects: dict[tuple[str, str], dict[str, Any]], name: str
) -> None:
    """Each volume compose mounts (named volumes, the certificates, the proxy's TLS folder) is mounted at the same
    path: a directory at its path, or a file as an item of a volume mounted at its folder. Named volumes are
    persistent (a PersistentVolumeClaim or a StatefulSet's claim), except nats.conf, which is a ConfigMap."""
    workload = _workload(objects, _component(name))
    pod = workload["spec"]["template"]["spec"]
    volumes = {volume["name"]: volume for volume in pod.get("volumes") or []}
    claims = {claim["metadata"]["name"] for claim in workload["spec"].get("volumeClaimTemplates") or []}
    mounts = {mount["mountPath"]: mount for mount in _container(workload)["volumeMounts"]}
    for volume in SERVICES[name].get("volumes") or []:
        source, target = re.sub(r":(ro|rw)$", "", volume).rsplit(":", 1)
        if target in mounts:
            mount = mounts[target]
            if "subPath" in mount:  # a single file from a ConfigMap (nats.conf)
                assert PurePosixPath(target).name == mount["subPath"]
            elif not source.startswith(("$", ".", "/")):  # a named volume
                claim = volumes.get(mount["name"], {}).get("persistentVolumeClaim")
                assert mount["name"] in claims or claim, f"{name}: {target} is not persistent"
            continue
        folder, file = str(PurePosixPath(target).parent), PurePosixPath(target).name
        assert folder in mounts, f"{name}: nothing at {target}"
        holder = volumes[mounts[folder]["name"]]
        sources = holder.get("projected", {}).get("sources") or [holder]
        items = [
            item["path"]
            for source in sources
            for kind in ("configMap", "secret")
            for item in (source.get(kind) or {}).get("items") or []
        ]
        assert file in items, f"{name}: {target}"


def test_the_certificates_nats_conf_names_are_mounted(objects: dict[tuple[str, str], dict[str, Any]]) -> None:
    """The certificate, key and CA that nats.conf reads (TLS on the client port, mutual TLS on the routes) come from
    the Secret tbms-nats-tls and the internal CA."""
    config = NATS_CONF.read_text(encoding="utf-8")
    named = set(re.findall(r'"(/etc/nats/certs/[\w.]+)"', config))
    assert named == {"/etc/nats/certs/nats.crt", "/etc/nats/certs/nats.key", "/etc/nats/certs/ca.crt"}
    nats = objects[("StatefulSet", "tbms-nats")]
    certs = next(volume for volume in nats["spec"]["template"]["spec"]["volumes"] if volume["name"] == "certs")
    provided = {
        (kind, source[kind]["name"], item["path"])
        for source in certs["projected"]["sources"]
        for kind in ("secret", "configMap")
        if kind in source
        for item in source[kind]["items"]
    }
    assert {path for _, _, path in provided} == {PurePosixPath(path).name for path in named}
    assert ("secret", "tbms-nats-tls", "nats.key") in provided


# ---------------------------------------------------------------- replicas and disruption


def _pdbs(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """PodDisruptionBudgets by the name label they select."""
    return {
        document["spec"]["selector"]["matchLabels"][NAME_LABEL]: document
        for (kind, _), document in objects.items()
        if kind == "PodDisruptionBudget"
    }


@pytest.mark.req("R28", partial=True)
@pytest.mark.req("N07", partial=True)
@pytest.mark.parametrize("name", tuple(name for name in MIRRORED if name not in NATS_NODES))
def test_replicas_as_compose_and_a_disruption_budget_for_each_pair(
    objects: dict[tuple[str, str], dict[str, Any]], name: str
) -> None:
    """A workload runs compose's number of processes (REPLICAS_DIFFERENT says why where not). Two or more roll one
    at a time and have a PodDisruptionBudget keeping one up; a single process is replaced (Recreate), never run
    twice, and has no budget (it would forbid every drain)."""
    workload = _workload(objects, name)
    replicas = workload["spec"]["replicas"]
    expected = REPLICAS_DIFFERENT.get(name, (_compose_replicas(name), ""))[0]
    assert replicas == expected
    budget = _pdbs(objects).get(name)
    if replicas >= 2:
        assert budget and budget["spec"] == {"minAvailable": 1, "selector": budget["spec"]["selector"]}
        strategy = workload["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate" and strategy["rollingUpdate"]["maxUnavailable"] == 0
    else:
        assert budget is None
        if workload["kind"] == "Deployment":
            assert workload["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.req("R28", partial=True)
def test_the_stateless_tbms_services_run_two_processes(objects: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Every tbms service compose runs as TBMS_REPLICAS processes has two or more here; a single one has a reason
    in compose's own comment, which its manifest repeats."""
    for name in TBMS_SERVICES:
        replicas = objects[("Deployment", name)]["spec"]["replicas"]
        if _compose_replicas(name) >= 2:
            assert replicas >= 2, name
        else:
            manifest = (K8S / "services" / f"{name}.yaml").read_text(encoding="utf-8")
            assert replicas == 1 and "one process" in manifest, name


# ---------------------------------------------------------------- NATS


@pytest.mark.req("R28", partial=True)
def test_nats_is_a_three_node_jetstream_cluster(
    objects: dict[tuple[str, str], dict[str, Any]], generated: dict[str, dict[str, str]]
) -> None:
    """One StatefulSet with one pod per compose node, its headless Service, the node names of compose (and of
    nats.conf's routes and the certificate) as Services of one pod each, nats.conf with its cluster block from the
    ConfigMap, the server name from the pod's name, and each node's JetStream store on its own claim at /data."""
    nats = _workload(objects, "nats")
    spec = nats["spec"]
    assert nats["kind"] == "StatefulSet" and spec["replicas"] == len(NATS_NODES) == 3
    headless = objects[("Service", spec["serviceName"])]
    assert headless["spec"]["clusterIP"] == "None"
    pods = {f"{nats['metadata']['name']}-{ordinal}" for ordinal in range(spec["replicas"])}
    selected = set()
    for node in NATS_NODES:
        selector = objects[("Service", node)]["spec"]["selector"]
        selected.add(selector["statefulset.kubernetes.io/pod-name"])
        assert objects[("Service", node)]["spec"]["publishNotReadyAddresses"] is True
    assert selected == pods
    config_volume = next(volume for volume in spec["template"]["spec"]["volumes"] if volume["name"] == "config")
    config = generated[config_volume["configMap"]["name"]]["nats.conf"]
    assert re.search(r"^cluster\s*\{", config, re.MULTILINE) and re.search(r"^jetstream\s*\{", config, re.MULTILINE)
    assert "server_name: $NATS_SERVER_NAME" in config
    assert set(re.findall(r"nats-route://([a-z0-9-]+):6222", config)) == set(NATS_NODES)
    container = _container(nats)
    assert {"name": "NATS_SERVER_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}} in container["env"]
    assert "-js" in container["args"] and container["args"][container["args"].index("-sd") + 1] == "/data"
    data = next(mount for mount in container["volumeMounts"] if mount["mountPath"] == "/data")
    assert data["name"] in {claim["metadata"]["name"] for claim in spec["volumeClaimTemplates"]}
    assert _pdbs(objects)["nats"]["spec"]["maxUnavailable"] == 1  # two of three keep the quorum
    for name in TBMS_SERVICES:  # every stream on the three nodes, as compose sets it
        replicas = _environment(SERVICES[name]).get(f"TBMS_{name.upper()}_NATS_STREAM_REPLICAS")
        if replicas is not None:
            assert generated[f"{name}-env"][f"TBMS_{name.upper()}_NATS_STREAM_REPLICAS"] == replicas == "3"


# ---------------------------------------------------------------- network


def _compose_connections() -> set[tuple[str, str, int]]:
    """(client, server, port) of every connection compose's configuration makes: host:port in a service's
    environment and command, a *_HOST with its *_PORT, the proxy's upstreams (deploy/proxy/entrypoint.sh),
    nats.conf's routes and Prometheus's targets; compose names mapped to the manifests' components."""
    found: set[tuple[str, str, int]] = set()
    for name, service in SERVICES.items():
        for text in _strings([service.get("environment"), service.get("command"), service.get("entrypoint")]):
            for host, port in HOST_PORT.findall(text):
                if host in SERVICES and host != name:
                    found.add((_component(name), _component(host), int(port)))
        env = _environment(service)
        for key, value in env.items():
            port_key = key.removesuffix("_HOST") + "_PORT"
            if key.endswith("_HOST") and value in SERVICES and env.get(port_key, "").isdigit():
                found.add((_component(name), _component(value), int(env[port_key])))
    proxy = (ROOT / "deploy" / "proxy" / "entrypoint.sh").read_text(encoding="utf-8")
    for host, port in re.findall(r":-([a-z][a-z0-9-]*):(\d+)\}", proxy):
        found.add(("proxy", _component(host), int(port)))
    for host, port in re.findall(r"nats-route://([a-z0-9-]+):(\d+)", NATS_CONF.read_text(encoding="utf-8")):
        found.add(("nats", _component(host), int(port)))
    prometheus = _load_yaml(ROOT / "deploy" / "prometheus" / "prometheus.yml")
    for job in prometheus["scrape_configs"]:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host, port = target.rsplit(":", 1)
                if host in SERVICES:
                    found.add(("prometheus", _component(host), int(port)))
    return found


def _allowed(objects: dict[tuple[str, str], dict[str, Any]]) -> set[tuple[str, str, int]]:
    """(client label, server label, port) of every ingress rule with a pod selector."""
    allowed = set()
    for (kind, _), policy in objects.items():
        if kind != "NetworkPolicy":
            continue
        server = policy["spec"]["podSelector"].get("matchLabels", {}).get(NAME_LABEL)
        for rule in policy["spec"].get("ingress") or []:
            for peer in rule.get("from") or []:
                assert set(peer) == {"podSelector"}, policy["metadata"]["name"]  # this namespace only
                client = peer["podSelector"]["matchLabels"][NAME_LABEL]
                for port in rule["ports"]:
                    allowed.add((client, server, port["port"]))
    return allowed


@pytest.mark.req("N13")
def test_network_policies_allow_exactly_compose_s_connections(objects: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Ingress is denied by default; each pod accepts the connections compose's configuration makes to it, from
    its clients' pods, and nothing else but EXTRA_INGRESS (the proxy, users' only door)."""
    deployed = {_component(name) for name in MIRRORED}
    expected = {(client, server, port) for client, server, port in _compose_connections() if server in deployed}
    assert ("proxy", "gateway", 8000) in expected and ("reports", "clamav", 3310) in expected
    assert _allowed(objects) == expected
    default = objects[("NetworkPolicy", "default-deny-ingress")]["spec"]
    assert default == {"podSelector": {}, "policyTypes": ["Ingress"]}
    for (kind, name), policy in objects.items():
        if kind == "NetworkPolicy":
            from_anywhere = [rule for rule in policy["spec"].get("ingress") or [] if "from" not in rule]
            assert not from_anywhere or name in EXTRA_INGRESS, name
    proxy_ports = {
        port["port"] for rule in objects[("NetworkPolicy", "proxy")]["spec"]["ingress"] for port in rule["ports"]
    }
    assert proxy_ports == {int(port.rsplit(":", 1)[1]) for port in SERVICES["proxy"]["ports"]}


@pytest.mark.req("N29", partial=True)
@pytest.mark.req("N13")
def test_the_proxy_takes_users_over_ipv4_and_ipv6(objects: dict[tuple[str, str], dict[str, Any]]) -> None:
    """The proxy is the only Service reachable from outside: a LoadBalancer on compose's published ports, with an
    address of each family where the cluster has both, keeping users' own addresses for the gateway."""
    outside = [
        name
        for (kind, name), service in objects.items()
        if kind == "Service" and service["spec"].get("type") not in (None, "ClusterIP")
    ]
    assert outside == ["proxy"]
    spec = objects[("Service", "proxy")]["spec"]
    assert spec["type"] == "LoadBalancer"
    assert spec["ipFamilyPolicy"] in ("PreferDualStack", "RequireDualStack")
    assert spec["externalTrafficPolicy"] == "Local"
    published = {int(port.rsplit(":", 1)[1]) for port in SERVICES["proxy"]["ports"]}
    assert {port["port"] for port in spec["ports"]} == published
    pod = objects[("Deployment", "proxy")]["spec"]["template"]["spec"]
    container_ports = {
        port["name"]: port["containerPort"] for port in _container(objects[("Deployment", "proxy")])["ports"]
    }
    assert {container_ports[port["targetPort"]] for port in spec["ports"]} == published  # nginx keeps 80 and 443
    assert {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"} in pod["securityContext"]["sysctls"]


# ---------------------------------------------------------------- the build


KUBECTL = shutil.which("kubectl")


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_the_kustomization_builds(documents: list[dict[str, Any]], generated: dict[str, dict[str, str]]) -> None:
    """kubectl builds the kustomization with the load restrictor off into the manifests and the generated
    ConfigMaps (names with their content's hash, rewritten wherever referenced), and refuses it without."""
    assert KUBECTL is not None
    command = [KUBECTL, "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(K8S)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    output = [document for document in yaml.safe_load_all(built) if document]
    assert len(output) == len(documents) + len(generated)
    assert all(
        document["metadata"].get("namespace") == COMPOSE["name"] or document["kind"] == "Namespace"
        for document in output
    )
    names = {document["metadata"]["name"] for document in output if document["kind"] == "ConfigMap"}
    for text in _strings(output):
        assert text not in generated, f"{text} left unhashed"
    assert {re.sub(r"-[a-z0-9]{10}$", "", name) for name in names} == set(generated)
    refused = subprocess.run([KUBECTL, "kustomize", str(K8S)], capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "not in or below" in refused.stderr
