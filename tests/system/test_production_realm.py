"""The realm production imports, loaded into the real Keycloak: no password grant, and no login without the code."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tbms_testing.browser import form_action, keycloak_browser
from tbms_testing.keycloak import admin_token, local_realm

REALM_FILE = Path(__file__).resolve().parents[2] / "deploy" / "keycloak" / "tbms-realm.json"
PLACEHOLDER = re.compile(r"\$\{[A-Z0-9_]+:([^}]*)\}")
PASSWORD = "Prod-Check-" + secrets.token_hex(4)  # a throwaway user of a throwaway realm


@pytest.fixture
async def production_realm() -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """The production realm file imported as a scratch realm, with one user who has a password and no OTP at all."""
    name = f"tbms-prodcheck-{os.getpid()}"
    text = PLACEHOLDER.sub(lambda m: m.group(1), REALM_FILE.read_text(encoding="utf-8"))
    realm = {**json.loads(text), "realm": name}
    base = local_realm().url
    async with httpx.AsyncClient(base_url=base, timeout=30) as admin:
        admin.headers["Authorization"] = f"Bearer {admin_token()}"
        await admin.delete(f"/admin/realms/{name}")
        (await admin.post("/admin/realms", json=realm)).raise_for_status()
        try:
            created = await admin.post(
                f"/admin/realms/{name}/users",
                json={
                    "username": "nootp1",
                    "enabled": True,
                    "email": "nootp1@example.test",
                    "emailVerified": True,
                    "firstName": "花子",
                    "lastName": "試験",
                    "groups": ["/保健師"],
                    "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}],
                },
            )
            created.raise_for_status()
            # As if an administrator removed the user's authenticator: no OTP and no pending set-up action.
            user_url = created.headers["location"].removeprefix(base)
            (await admin.put(user_url, json={"requiredActions": []})).raise_for_status()
            yield name, admin
        finally:
            await admin.delete(f"/admin/realms/{name}")


@pytest.mark.req("N01", partial=True)
async def test_a_user_without_an_authenticator_must_set_one_up_before_getting_in(
    production_realm: tuple[str, httpx.AsyncClient],
) -> None:
    name, _ = production_realm
    issuer = f"{local_realm().url}/realms/{name}"
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    async with keycloak_browser() as browser:
        login_page = await browser.get(
            f"{issuer}/protocol/openid-connect/auth",
            params={
                "client_id": "tbms-gateway",
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": "http://127.0.0.1:8000/callback",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "state": "s",
            },
        )
        assert login_page.status_code == 200, login_page.text[:500]
        page = await browser.post(
            form_action(login_page.text, "username"), data={"username": "nootp1", "password": PASSWORD}
        )
        while page.status_code == 302:  # Keycloak's own steps; a code for tbms would leave Keycloak
            location = page.headers["location"]
            assert location.startswith(issuer), f"the right password alone led back to tbms: {location}"
            page = await browser.get(location)
    assert page.status_code == 200
    assert 'name="totpSecret"' in page.text, "Keycloak should show the authenticator set-up page"


@pytest.mark.req("N01", partial=True)
async def test_no_client_trades_a_password_for_a_token(production_realm: tuple[str, httpx.AsyncClient]) -> None:
    name, admin = production_realm
    response = await admin.post(
        f"/realms/{name}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "tbms-gateway",
            "client_secret": "tbms-gateway-local-secret",
            "username": "nootp1",
            "password": PASSWORD,
        },
        headers={"Authorization": ""},
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "unauthorized_client"
