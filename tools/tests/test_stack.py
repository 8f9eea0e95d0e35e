"""Tests of the pure parts of the stack supervisor: environment, JDK choice, realm change detection."""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from tbms_tools import cli, config
from tbms_tools.components import THEME, Service, install_theme, realm_changed, record_realm_hash
from tbms_tools.procs import read_pid, write_pid
from tbms_tools.stack import demo_logins, format_status

REPO = Path(__file__).resolve().parents[2]


def test_service_env_follows_conventions(tmp_path: Path) -> None:
    env = config.service_env("patients", tmp_path)
    assert env == {
        "TBMS_PATIENTS_ENVIRONMENT": "local",
        "TBMS_PATIENTS_DATABASE_URL": "postgresql+asyncpg://tbms@127.0.0.1:55432/tbms_patients",
        "TBMS_PATIENTS_NATS_URL": "nats://patients:tbms-local-nats-patients@127.0.0.1:54222",
        "TBMS_PATIENTS_OIDC_ISSUER": "http://127.0.0.1:58080/realms/tbms",
        "TBMS_PATIENTS_OIDC_AUDIENCE": "tbms-api",
        "TBMS_PATIENTS_SPAN_FILE_DIR": str(tmp_path / "logs"),
    }


def test_reports_and_search_get_their_specific_variables(tmp_path: Path) -> None:
    reports = config.service_env("reports", tmp_path)
    assert reports["TBMS_REPORTS_S3_ENDPOINT"] == "127.0.0.1:59000"
    assert reports["TBMS_REPORTS_S3_ACCESS_KEY"] == "tbms-local"
    assert reports["TBMS_REPORTS_S3_SECRET_KEY"] == "tbms-local-secret"
    assert reports["TBMS_REPORTS_S3_BUCKET"] == "tbms-documents"
    assert reports["TBMS_REPORTS_S3_SECURE"] == "false"
    search = config.service_env("search", tmp_path)
    assert search["TBMS_SEARCH_INDEX_DIR"] == str(tmp_path / "search")
    assert not any("MEILI" in key for key in search)


def test_gateway_knows_every_backend_and_its_client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TBMS_GATEWAY_OIDC_SECRET", raising=False)
    env = config.service_env("gateway", tmp_path)
    assert env["TBMS_GATEWAY_PUBLIC_URL"] == "http://127.0.0.1:8000"
    assert env["TBMS_GATEWAY_OIDC_CLIENT_ID"] == "tbms-gateway"
    assert env["TBMS_GATEWAY_OIDC_SECRET"] == "tbms-gateway-local-secret"
    assert env["TBMS_GATEWAY_SESSION_SECRET"]
    urls = {key: value for key, value in env.items() if key.endswith("_URL") and "OIDC" not in key}
    assert urls == {
        "TBMS_GATEWAY_PUBLIC_URL": "http://127.0.0.1:8000",
        "TBMS_GATEWAY_PATIENTS_URL": "http://127.0.0.1:8001",
        "TBMS_GATEWAY_CONTACTS_URL": "http://127.0.0.1:8002",
        "TBMS_GATEWAY_REPORTS_URL": "http://127.0.0.1:8003",
        "TBMS_GATEWAY_SEARCH_URL": "http://127.0.0.1:8004",
        "TBMS_GATEWAY_IDENTITY_URL": "http://127.0.0.1:8005",
        "TBMS_GATEWAY_MASTERS_URL": "http://127.0.0.1:8006",
        "TBMS_GATEWAY_WORKFLOW_URL": "http://127.0.0.1:8007",
        "TBMS_GATEWAY_DATABASE_URL": "postgresql+asyncpg://tbms@127.0.0.1:55432/tbms_gateway",
        "TBMS_GATEWAY_NATS_URL": "nats://127.0.0.1:54222",
    }


def test_gateway_secret_matches_the_realm_placeholder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    realm = json.loads((REPO / "deploy" / "keycloak" / "tbms-realm.json").read_text(encoding="utf-8"))
    client = next(client for client in realm["clients"] if client["clientId"] == "tbms-gateway")
    assert client["secret"] == "${TBMS_GATEWAY_OIDC_SECRET:tbms-gateway-local-secret}"
    monkeypatch.setenv("TBMS_GATEWAY_OIDC_SECRET", "from-the-environment")
    assert config.service_env("gateway", tmp_path)["TBMS_GATEWAY_OIDC_SECRET"] == "from-the-environment"


def test_identity_gets_its_service_account_and_no_administrator(tmp_path: Path) -> None:
    env = config.service_env("identity", tmp_path)
    assert env["TBMS_IDENTITY_KEYCLOAK_URL"] == "http://127.0.0.1:58080"
    assert (env["TBMS_IDENTITY_KEYCLOAK_CLIENT_ID"], env["TBMS_IDENTITY_KEYCLOAK_CLIENT_SECRET"]) == (
        "tbms-identity",
        "tbms-identity-local-secret",
    )
    assert not any("ADMIN" in key for key in env)
    assert config.stack_env(tmp_path)["TBMS_KEYCLOAK_ADMIN_USER"] == "admin"  # for tools and tests only


def test_unknown_service_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown service"):
        config.service_env("billing")


def test_state_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TBMS_STATE", str(tmp_path / "state"))
    env = config.service_env("masters")
    assert env["TBMS_MASTERS_SPAN_FILE_DIR"] == str(tmp_path / "state" / "logs")
    monkeypatch.delenv("TBMS_STATE")
    assert config.state_dir() == Path.home() / ".local" / "state" / "tbms"


def test_export_lines_round_trip_through_a_shell(tmp_path: Path) -> None:
    env = {"TBMS_X_A": "value with spaces", "TBMS_X_B": "it's $HOME"}
    script = "\n".join([*config.export_lines(env), 'printf "%s|%s" "$TBMS_X_A" "$TBMS_X_B"'])
    output = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout
    assert output == "value with spaces|it's $HOME"


def test_cli_env_prints_every_service(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["stack", "env"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(line.startswith("export TBMS_") for line in lines)
    for service in config.SERVICES:
        url = f"postgresql+asyncpg://tbms@127.0.0.1:55432/tbms_{service}"
        assert f"export TBMS_{service.upper()}_DATABASE_URL={shlex.quote(url)}" in lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.3"\n', 25),
        ('JAVA_VERSION="17.0.15"', 17),
        ('JAVA_VERSION="1.8.0_402"', 8),
        ("temurin-25-jdk-amd64", 25),
        ("java-1.17.0-openjdk-amd64", 17),
        ("java-21-openjdk-amd64", 21),
        ("openjdk-17", 17),
        ("default-java-amd64", None),
    ],
)
def test_parse_java_version(text: str, expected: int | None) -> None:
    assert config.parse_java_version(text) == expected


def _fake_jdk(root: Path, name: str, release: str | None, java: bool = True) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    if java:
        (home / "bin" / "java").write_text("#!/bin/sh\n")
    if release is not None:
        (home / "release").write_text(f'JAVA_VERSION="{release}"\n')
    return home


def test_newest_jdk_picks_the_highest_version_at_least_21(tmp_path: Path) -> None:
    _fake_jdk(tmp_path, "java-17-openjdk-amd64", "17.0.15")
    _fake_jdk(tmp_path, "java-21-openjdk-amd64", "21.0.4")
    temurin = _fake_jdk(tmp_path, "temurin-25-jdk-amd64", "25.0.3")
    _fake_jdk(tmp_path, "jdk-99-broken", None, java=False)
    (tmp_path / "README").write_text("not a jdk")
    assert config.newest_jdk(tmp_path) == temurin


def test_newest_jdk_trusts_the_release_file_over_the_name(tmp_path: Path) -> None:
    _fake_jdk(tmp_path, "java-17-openjdk-amd64", "17.0.15")
    renamed = _fake_jdk(tmp_path, "openjdk-17", "22.0.1")
    assert config.newest_jdk(tmp_path) == renamed


def test_newest_jdk_is_none_when_only_old_jdks_exist(tmp_path: Path) -> None:
    _fake_jdk(tmp_path, "java-17-openjdk-amd64", "17.0.15")
    _fake_jdk(tmp_path, "java-1.11.0-openjdk-amd64", None)
    assert config.newest_jdk(tmp_path) is None
    assert config.newest_jdk(tmp_path / "missing") is None


def test_postgres_bindir_prefers_the_newest_version(tmp_path: Path) -> None:
    for version in ("13", "15", "9"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "initdb").write_text("")
    (tmp_path / "16").mkdir()  # no binaries
    assert config.postgres_bindir([tmp_path]) == tmp_path / "15" / "bin"


def test_realm_change_detection(tmp_path: Path) -> None:
    realm = tmp_path / "tbms-realm.json"
    hash_file = tmp_path / "state" / "keycloak-realm.sha256"
    realm.write_text('{"realm": "tbms"}')
    assert realm_changed(realm, hash_file)  # never imported
    record_realm_hash(realm, hash_file)
    assert not realm_changed(realm, hash_file)
    realm.write_text('{"realm": "tbms", "enabled": true}')
    assert realm_changed(realm, hash_file)
    record_realm_hash(realm, hash_file)
    assert not realm_changed(realm, hash_file)


def test_pid_file_detects_dead_and_reused_pids(tmp_path: Path) -> None:
    pid_file = tmp_path / "x.pid"
    write_pid(pid_file, os.getpid())
    assert read_pid(pid_file) == os.getpid()
    pid_file.write_text(f"{os.getpid()} 1\n")  # same pid, other start time: a reused pid
    assert read_pid(pid_file) is None
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    write_pid(pid_file, child.pid)
    assert read_pid(pid_file) is None


def test_demo_logins_come_from_the_development_users_file() -> None:
    logins = {login.username: login for login in demo_logins(REPO / "deploy" / "keycloak" / "dev" / "demo-users.json")}
    assert set(logins) == {"nurse1", "clerk1", "chief1", "admin1", "viewer1"}
    assert logins["nurse1"].group == "保健師"
    assert logins["viewer1"].group == "参照のみ"
    secrets = {login.totp_secret for login in logins.values()}
    assert len(secrets) == 5
    assert all(len(secret) == 32 and secret.isupper() for secret in secrets)
    assert {login.password for login in logins.values()} == {"Tbms-Demo-2026!"}


def test_the_local_realm_is_the_production_realm_plus_demo_users_and_the_password_grant() -> None:
    production = json.loads((REPO / "deploy" / "keycloak" / "tbms-realm.json").read_text(encoding="utf-8"))
    local = config.development_realm()
    people = {user["username"] for user in local["users"] if not user.get("serviceAccountClientId")}
    assert people == {"nurse1", "clerk1", "chief1", "admin1", "viewer1"}
    accounts = [user for user in local["users"] if user.get("serviceAccountClientId")]
    assert accounts == production["users"]  # identity's and reconciliation's service accounts, as in production
    grants = {c["clientId"]: c["directAccessGrantsEnabled"] for c in local["clients"]}
    assert grants == {"tbms-gateway": True, "tbms-identity": False, "tbms-reconcile": False}
    same = {key for key in production if key not in ("users", "clients")}
    assert {key: local[key] for key in same} == {key: production[key] for key in same}, "one login flow for both"


def test_realm_roles_cover_every_area_and_groups_only_use_them() -> None:
    realm = json.loads((REPO / "deploy" / "keycloak" / "tbms-realm.json").read_text(encoding="utf-8"))
    areas = ["patients", "contacts", "review", "forms", "stats", "documents", "masters", "users", "audit"]
    roles = {role["name"] for role in realm["roles"]["realm"]}
    step_roles = {"workflow:section-chief", "workflow:director"}  # the 課長 and 所長 steps of a circulation
    assert roles == {f"{area}:{level}" for area in areas for level in ("update", "read")} | step_roles
    groups = {group["name"]: set(group["realmRoles"]) for group in realm["groups"]}
    assert set(groups) == {"保健師", "事務", "係長", "課長", "所長", "管理者", "参照のみ"}
    assert {"workflow:section-chief"} == groups["課長"] & step_roles and {"workflow:director"} == groups[
        "所長"
    ] & step_roles
    assert all(group_roles <= roles for group_roles in groups.values())
    assert not {"users:read", "users:update", "audit:read", "audit:update"} & groups["参照のみ"]
    assert {"masters:update", "users:update", "audit:update"} <= groups["管理者"]


def test_format_status_lists_every_row() -> None:
    table = format_status([("postgres", 55432, "123", True), ("gateway", 8000, "-", False)])
    lines = table.splitlines()
    assert lines[0].split() == ["component", "port", "pid", "healthy"]
    assert lines[1].split() == ["postgres", "55432", "123", "yes"]
    assert lines[2].split() == ["gateway", "8000", "-", "no"]


class TestServiceStaleness:
    """A running service is restarted when the code it was started from changed."""

    def test_an_edit_of_the_service_or_the_libs_makes_it_stale_and_tests_do_not(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from tbms_tools import config
        from tbms_tools.components import Service

        for folder in ("libs/tbms-core/src", "services/masters/src/masters", "services/masters/tests"):
            (tmp_path / folder).mkdir(parents=True)
        (tmp_path / "services/masters/src/masters/main.py").write_text("x = 1\n")
        monkeypatch.setattr(config, "repo_root", lambda: tmp_path)
        monkeypatch.setattr(config, "state_dir", lambda: tmp_path / "state")
        service = Service("masters")
        assert service.stale()
        service.code_file.parent.mkdir(parents=True)
        service.code_file.write_text(service.code_fingerprint())
        assert not service.stale()
        (tmp_path / "services/masters/tests/test_x.py").write_text("pass\n")
        assert not service.stale()
        (tmp_path / "libs/tbms-core/src/new.py").write_text("y = 2\n")
        assert service.stale()


def test_the_local_minio_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    """The static KMS key the local MinIO encrypts every object with: 32 random bytes, kept across restarts."""
    first = config.minio_kms_secret_key(tmp_path)
    name, _, secret = first.partition(":")
    assert name == config.MINIO_KMS_KEY_NAME and len(base64.b64decode(secret)) == 32
    assert config.minio_kms_secret_key(tmp_path) == first
    assert (tmp_path / "minio-kms.key").stat().st_mode & 0o777 == 0o600
    assert config.minio_kms_secret_key(tmp_path / "other") != first


@pytest.mark.req("N11")
def test_the_login_theme_is_installed_once_and_again_only_when_it_changed(tmp_path: Path) -> None:
    home = tmp_path / "keycloak"
    (home / "themes").mkdir(parents=True)
    source = REPO / "deploy" / "keycloak" / "themes" / THEME
    installed = home / "themes" / THEME / "login"

    assert install_theme(home) is True and install_theme(home) is False
    assert (installed / "theme.properties").read_text(encoding="utf-8") == (
        source / "login" / "theme.properties"
    ).read_text(encoding="utf-8")
    (installed / "messages" / "messages_ja.properties").write_text("doLogIn=サインイン\n", encoding="utf-8")
    assert install_theme(home) is True
    assert "doLogIn=ログイン" in (installed / "messages" / "messages_ja.properties").read_text(encoding="utf-8")


def test_the_realm_uses_the_login_theme() -> None:
    realm = json.loads((REPO / "deploy" / "keycloak" / "tbms-realm.json").read_text(encoding="utf-8"))
    compose = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    assert realm["loginTheme"] == THEME
    assert f"./deploy/keycloak/themes/{THEME}:/opt/keycloak/themes/{THEME}:ro" in compose


@pytest.mark.req("R28", partial=True)
def test_a_chosen_nats_cluster_gives_every_node_routes_and_the_services_every_url(tmp_path: Path) -> None:
    assert config.nats_cluster_size(tmp_path) == 1 and config.nats_url("patients", tmp_path).count(",") == 0
    config.set_nats_cluster_size(3, tmp_path)
    nodes = config.nats_nodes(tmp_path)
    assert [(node.name, node.port) for node in nodes] == [
        ("tbms-local-1", 54222),
        ("tbms-local-2", 54232),
        ("tbms-local-3", 54242),
    ]
    patients = config.service_env("patients", tmp_path)
    assert patients["TBMS_PATIENTS_NATS_URL"].split(",") == [
        f"nats://patients:tbms-local-nats-patients@127.0.0.1:{port}" for port in (54222, 54232, 54242)
    ]
    assert patients["TBMS_PATIENTS_NATS_STREAM_REPLICAS"] == "3"
    assert "TBMS_GATEWAY_NATS_STREAM_REPLICAS" not in config.service_env("gateway", tmp_path), "it creates no stream"
    text = config.nats_server_config(tmp_path / "store", nodes[1])
    assert "server_name: tbms-local-2" in text and "port: 54232" in text
    assert "routes: [nats-route://127.0.0.1:56222, nats-route://127.0.0.1:56242]" in text
    assert "listen: 127.0.0.1:56232" in text
    config.set_nats_cluster_size(1, tmp_path)
    assert "cluster {" not in config.nats_server_config(tmp_path / "store", config.nats_nodes(tmp_path)[0])


@pytest.mark.req("R28", partial=True)
def test_chosen_replicas_run_that_many_processes_of_the_stateless_services_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TBMS_STATE", str(tmp_path))
    assert config.service_processes("patients") == 1
    assert "--workers" not in Service("patients").command()[0]
    before = Service("patients").code_fingerprint()
    config.set_replicas(2)
    argv = Service("patients").command()[0]
    assert argv[argv.index("--workers") + 1] == "2"
    assert Service("patients").code_fingerprint() != before, "a running service restarts with the new number"
    assert "--workers" in Service("identity").command()[0], "identity's appends wait on the locked chain head"
    assert "--workers" not in Service("search").command()[0], "search runs one process by design (its index file)"
