"""Real Keycloak logins for the demo users (password + TOTP), cached per user while the token is valid."""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path

import httpx
import pyotp

REPO = Path(__file__).resolve().parents[4]
REALM_FILE = REPO / "deploy" / "keycloak" / "tbms-realm.json"
ISSUER = "http://127.0.0.1:58080/realms/tbms"
CLIENT_ID = "tbms-gateway"
CLIENT_SECRET = "tbms-gateway-local-secret"  # noqa: S105 - local development realm only
DEMO_PASSWORD = "Tbms-Demo-2026!"  # noqa: S105 - synthetic demo users, never deployed
_tokens: dict[str, tuple[str, float]] = {}


@cache
def _realm() -> dict:  # type: ignore[type-arg]
    return json.loads(REALM_FILE.read_text(encoding="utf-8"))


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


def login_token(username: str, password: str = DEMO_PASSWORD) -> str:
    """A real access token for a demo user; reuses a cached one that is still valid for a minute."""
    cached = _tokens.get(username)
    if cached and cached[1] - time.time() > 60:
        return cached[0]
    totp = pyotp.TOTP(demo_totp_secret(username))
    response = _request_token(username, password, totp.now())
    if (response.status_code == 401 and "totp" in response.text.lower()) or response.status_code == 400:
        # a TOTP code may be used once only: wait for the next 30-second window and try once more
        time.sleep(30 - time.time() % 30 + 1)
        response = _request_token(username, password, totp.now())
    response.raise_for_status()
    body = response.json()
    _tokens[username] = (body["access_token"], time.time() + body["expires_in"])
    return body["access_token"]


def auth_headers(username: str) -> dict[str, str]:
    """`Authorization: Bearer …` for a demo user."""
    return {"Authorization": f"Bearer {login_token(username)}"}
