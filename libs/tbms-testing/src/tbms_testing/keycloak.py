"""Real Keycloak logins for tests: the demo users of the local realm, with password and TOTP."""

from __future__ import annotations

import fcntl
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache

import httpx
import pyotp

from tbms_testing.stack import demo_users_file, service_env, stack_env, state_dir

DEMO_PASSWORD = "Tbms-Demo-2026!"  # noqa: S105 - every demo user's password in the local realm file, never deployed
_tokens: dict[str, tuple[str, float]] = {}


@dataclass(frozen=True)
class LocalRealm:
    """Where the local Keycloak answers, and the credentials the gateway's client and its admin use there."""

    url: str
    realm: str
    client_id: str
    client_secret: str
    admin_user: str
    admin_password: str

    @property
    def issuer(self) -> str:
        """The realm's issuer URL (its token endpoint lives below it)."""
        return f"{self.url}/realms/{self.realm}"


@cache
def local_realm() -> LocalRealm:
    """The local realm as the gateway and identity services are configured for it (`tbms stack env`)."""
    gateway, stack = service_env("gateway"), stack_env()
    url, realm = gateway["TBMS_GATEWAY_OIDC_ISSUER"].rsplit("/realms/", 1)
    return LocalRealm(
        url=url,
        realm=realm,
        client_id=gateway["TBMS_GATEWAY_OIDC_CLIENT_ID"],
        client_secret=gateway["TBMS_GATEWAY_OIDC_SECRET"],
        admin_user=stack["TBMS_KEYCLOAK_ADMIN_USER"],
        admin_password=stack["TBMS_KEYCLOAK_ADMIN_PASSWORD"],
    )


@cache
def _realm_users() -> list[dict]:  # type: ignore[type-arg]
    return json.loads(demo_users_file().read_text(encoding="utf-8"))["users"]


def demo_totp_secret(username: str) -> str:
    """The Base32 TOTP secret a demo user was provisioned with in the demo users file."""
    for user in _realm_users():
        if user["username"] == username:
            for cred in user.get("credentials", []):
                if cred["type"] == "otp":
                    return json.loads(cred["secretData"])["value"]
    raise KeyError(f"no TOTP secret for {username}")


def _request_token(username: str, password: str, code: str) -> httpx.Response:
    realm = local_realm()
    return httpx.post(
        f"{realm.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": realm.client_id,
            "client_secret": realm.client_secret,
            "username": username,
            "password": password,
            "totp": code,
            "scope": "openid",
        },
        timeout=20,
    )


def fresh_totp(username: str) -> str:
    """A TOTP code no test process has used yet (Keycloak refuses a reused code; it accepts the next step).

    The used steps are kept in the stack's state directory, the file the `tbms` tools' logins share, so a
    test and a tool logging in the same user at once never send the same code.
    """
    state = state_dir() / "run"
    state.mkdir(parents=True, exist_ok=True)
    with (state / "totp-used.lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        used_file = state / "totp-used.json"
        used = json.loads(used_file.read_text()) if used_file.exists() else {}
        step = int(time.time() // 30)
        chosen = max(step, used.get(username, 0) + 1)
        if chosen > step + 1:  # Keycloak accepts one step ahead at most: wait until `chosen` is that step
            time.sleep(max(0.0, (chosen - 1) * 30 - time.time()) + 0.5)
        used[username] = chosen
        used_file.write_text(json.dumps(used))
    return pyotp.TOTP(demo_totp_secret(username)).at(chosen * 30)


def admin_token() -> str:
    """An access token of Keycloak's local administrator (master realm)."""
    realm = local_realm()
    response = httpx.post(
        f"{realm.url}/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": realm.admin_user,
            "password": realm.admin_password,
        },
        timeout=20,
    )
    return response.raise_for_status().json()["access_token"]


def clear_lockout(username: str) -> None:
    """Lifts a temporary brute-force lockout of a demo user (local realm, admin API)."""
    realm = local_realm()
    admin = f"{realm.url}/admin/realms/{realm.realm}"
    headers = {"Authorization": f"Bearer {admin_token()}"}
    users = httpx.get(f"{admin}/users", params={"username": username, "exact": "true"}, headers=headers).json()
    for user in users:
        httpx.delete(f"{admin}/attack-detection/brute-force/users/{user['id']}", headers=headers, timeout=20)


def login_token(username: str, password: str = DEMO_PASSWORD) -> str:
    """A real access token for a demo user; reuses a cached one that is still valid for a minute."""
    cached = _tokens.get(username)
    if cached and cached[1] - time.time() > 60:
        return cached[0]
    response = _request_token(username, password, fresh_totp(username))
    if response.status_code in (400, 401):
        clear_lockout(username)  # parallel test processes may have tripped the lockout
        response = _request_token(username, password, fresh_totp(username))
    response.raise_for_status()
    body = response.json()
    _tokens[username] = (body["access_token"], time.time() + body["expires_in"])
    return body["access_token"]


def auth_headers(username: str) -> dict[str, str]:
    """`Authorization: Bearer …` for a demo user."""
    return {"Authorization": f"Bearer {login_token(username)}"}


class LiveAuthHeaders(Mapping[str, str]):
    """A demo user's `Authorization` header, read when a request is sent: a module-level constant holding a
    token read at import would expire (5 minutes) before a long run reaches its tests."""

    def __init__(self, username: str) -> None:
        self.username = username

    def __getitem__(self, name: str) -> str:
        return auth_headers(self.username)[name]

    def __iter__(self) -> Iterator[str]:
        return iter(auth_headers(self.username))

    def __len__(self) -> int:
        return 1
