"""Real Keycloak logins of the demo users (password + TOTP) for demo data and tests; local realm only."""

from __future__ import annotations

import fcntl
import json
import time
from functools import cache

import httpx
import pyotp

from tbms_tools import config

ISSUER = "http://127.0.0.1:58080/realms/tbms"
CLIENT_ID = "tbms-gateway"
CLIENT_SECRET = "tbms-gateway-local-secret"  # noqa: S105 - local development realm only
DEMO_PASSWORD = "Tbms-Demo-2026!"  # noqa: S105 - synthetic demo users, never deployed
_tokens: dict[str, tuple[str, float]] = {}


@cache
def _realm() -> dict:  # type: ignore[type-arg]
    return json.loads(config.realm_file().read_text(encoding="utf-8"))


def demo_totp_secret(username: str) -> str:
    """The Base32 TOTP secret a demo user was provisioned with in the realm file."""
    for user in _realm()["users"]:
        if user["username"] == username:
            for cred in user.get("credentials", []):
                if cred["type"] == "otp":
                    return json.loads(cred["secretData"])["value"]
    raise KeyError(f"no TOTP secret for {username}")


def _request_token(username: str, password: str, code: str) -> httpx.Response:
    return httpx.post(
        f"{ISSUER}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "username": username,
            "password": password,
            "totp": code,
            "scope": "openid",
        },
        timeout=20,
    )


def fresh_totp(username: str) -> str:
    """A TOTP code no test process has used yet (Keycloak refuses a reused code; it accepts the next step)."""
    state = config.state_dir() / "run"
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


def clear_lockout(username: str) -> None:
    """Lifts a temporary brute-force lockout of a demo user (local realm, admin API)."""
    token = (
        httpx.post(
            "http://127.0.0.1:58080/realms/master/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": "admin"},
            timeout=20,
        )
        .raise_for_status()
        .json()["access_token"]
    )
    admin = "http://127.0.0.1:58080/admin/realms/tbms"
    headers = {"Authorization": f"Bearer {token}"}
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
