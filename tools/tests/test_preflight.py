"""`tbms preflight`: a production .env with default or development account names, or passwords an attacker tries
first, is refused before compose starts anything; the production realm file creates no user (N28)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tbms_tools import cli, preflight

GOOD = {
    "POSTGRES_PASSWORD": "9f1c2e7a4b",
    "MINIO_ROOT_USER": "tbms-store",
    "MINIO_ROOT_PASSWORD": "5d8e0a1f3c9b",
    "KEYCLOAK_ADMIN_USER": "kc-operator",
    "KEYCLOAK_ADMIN_PASSWORD": "c0ffee5eed1234",
    "GRAFANA_ADMIN_USER": "monitoring",
    "GRAFANA_ADMIN_PASSWORD": "7a7a7a7a7a7a",
    "TBMS_AUDIT_CHAIN_KEY": "e3b0c44298fc1c14",
}
EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def write_env(tmp_path: Path, values: dict[str, str]) -> Path:
    env = tmp_path / ".env"
    env.write_text("# production\n" + "".join(f"{key}={value}\n" for key, value in values.items()), encoding="utf-8")
    return env


@pytest.mark.req("N28", partial=True)
def test_an_env_with_accounts_named_after_their_purpose_passes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["preflight", "--env-file", str(write_env(tmp_path, GOOD))]) == 0
    assert "[preflight] OK" in capsys.readouterr().out


@pytest.mark.req("N28", partial=True)
@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("KEYCLOAK_ADMIN_USER", "admin", "KEYCLOAK_ADMIN_USER=admin: 既定・開発用のアカウント名です"),
        ("MINIO_ROOT_USER", "minioadmin", "MINIO_ROOT_USER=minioadmin: 既定・開発用のアカウント名です"),
        ("GRAFANA_ADMIN_USER", "nurse1", "GRAFANA_ADMIN_USER=nurse1: 既定・開発用のアカウント名です"),
        ("KEYCLOAK_ADMIN_PASSWORD", "changeme", "KEYCLOAK_ADMIN_PASSWORD: よく知られた値です"),
        ("GRAFANA_ADMIN_PASSWORD", "monitoring", "GRAFANA_ADMIN_PASSWORD: アカウント名と同じです"),
    ],
)
def test_a_default_account_or_password_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture, key: str, value: str, message: str
) -> None:
    assert cli.main(["preflight", "--env-file", str(write_env(tmp_path, {**GOOD, key: value}))]) == 1
    assert f"[preflight] NG: {message}" in capsys.readouterr().out


def test_the_example_env_proposes_no_value_to_keep() -> None:
    values = preflight.read_env(EXAMPLE)
    assert {key for key in values if key.endswith("_USER")} >= {"MINIO_ROOT_USER", "KEYCLOAK_ADMIN_USER"}
    assert not preflight.env_problems(values)
    assert all(values[key] == "" for key in values if key.endswith(("_USER", "_PASSWORD")))


@pytest.mark.req("N28", partial=True)
def test_a_realm_file_that_creates_users_is_refused(tmp_path: Path) -> None:
    realm = tmp_path / "tbms-realm.json"
    realm.write_text(json.dumps({"realm": "tbms", "users": [{"username": "nurse1"}]}), encoding="utf-8")
    assert preflight.realm_problems(realm) == ["tbms-realm.json: 利用者 nurse1 を作成します"]
    assert preflight.realm_problems(EXAMPLE.parent / preflight.REALM_FILE) == []  # the realm production imports
    account = {"username": "service-account-x", "serviceAccountClientId": "x"}
    realm.write_text(json.dumps({"realm": "tbms", "users": [account]}), encoding="utf-8")
    assert preflight.realm_problems(realm) == []  # a service's account: no password, no one-time code
    with_password = {**account, "credentials": [{"type": "password", "value": "x"}]}
    realm.write_text(json.dumps({"realm": "tbms", "users": [with_password]}), encoding="utf-8")
    assert preflight.realm_problems(realm) == ["tbms-realm.json: 利用者 service-account-x を作成します"]
