"""The production realm file imported into the local Keycloak as a throwaway realm, with throwaway users, and the
first step of a login to it, for tests of what production enforces (MFA, lockout, password storage)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tbms_testing.browser import form_action
from tbms_testing.keycloak import admin_token, local_realm

REALM_FILE = Path(__file__).resolve().parents[4] / "deploy" / "keycloak" / "tbms-realm.json"
PLACEHOLDER = re.compile(r"\$\{[A-Z0-9_]+:([^}]*)\}")
CLIENT_ID = "tbms-gateway"
REDIRECT_URI = "http://127.0.0.1:8000/callback"
TOTP_DATA = {"subType": "totp", "digits": 6, "counter": 0, "period": 30, "algorithm": "HmacSHA1"}


@dataclass(frozen=True)
class ScratchRealm:
    """A realm made from the production realm file, and an administrator's client of the local Keycloak."""

    name: str
    admin: httpx.AsyncClient

    @property
    def issuer(self) -> str:
        """The realm's issuer URL."""
        return f"{local_realm().url}/realms/{self.name}"

    async def add_user(self, username: str, password: str, *, totp_secret: str = "", temporary: bool = False) -> str:
        """A user of the 保健師 group with a password (temporary or not) and, given a Base32 secret, an
        authenticator; no set-up action is pending unless the password is temporary. Returns the user's id."""
        credentials: list[dict[str, object]] = [{"type": "password", "value": password, "temporary": temporary}]
        if totp_secret:
            credentials.append(
                {
                    "type": "otp",
                    "userLabel": "試験用",
                    "secretData": json.dumps({"value": totp_secret}),
                    "credentialData": json.dumps({**TOTP_DATA, "secretEncoding": "BASE32"}),
                }
            )
        created = await self.admin.post(
            f"/admin/realms/{self.name}/users",
            json={
                "username": username,
                "enabled": True,
                "email": f"{username}@example.test",
                "emailVerified": True,
                "firstName": "花子",
                "lastName": "試験",
                "groups": ["/保健師"],
                "credentials": credentials,
            },
        )
        created.raise_for_status()
        user_id = created.headers["location"].rsplit("/", 1)[1]
        pending = ["UPDATE_PASSWORD"] if temporary else []
        user_url = f"/admin/realms/{self.name}/users/{user_id}"
        (await self.admin.put(user_url, json={"requiredActions": pending})).raise_for_status()
        return user_id

    async def open_login(self, browser: httpx.AsyncClient) -> httpx.Response:
        """Keycloak's login page for tbms-gateway, as the gateway sends a browser there (code flow with PKCE)."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        page = await browser.get(
            f"{self.issuer}/protocol/openid-connect/auth",
            params={
                "client_id": CLIENT_ID,
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": REDIRECT_URI,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "state": "s",
            },
        )
        assert page.status_code == 200, page.text[:500]
        return page

    async def send_password(self, browser: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
        """Opens the login page, types the user name and password, and follows Keycloak's own redirects."""
        login_page = await self.open_login(browser)
        page = await browser.post(
            form_action(login_page.text, "username"), data={"username": username, "password": password}
        )
        return await self.follow(browser, page)

    async def follow(self, browser: httpx.AsyncClient, page: httpx.Response) -> httpx.Response:
        """Follows redirects inside Keycloak; stops at a page, or at the redirect back to tbms (a code)."""
        while page.status_code == 302 and page.headers["location"].startswith(self.issuer):
            page = await browser.get(page.headers["location"])
        return page


def reached_tbms(page: httpx.Response) -> bool:
    """Whether Keycloak sent the browser back to tbms with an authorisation code: the login succeeded."""
    location = page.headers.get("location", "") if page.status_code == 302 else ""
    return location.startswith(REDIRECT_URI) and "code=" in location


@asynccontextmanager
async def scratch_realm(prefix: str) -> AsyncIterator[ScratchRealm]:
    """The production realm file (placeholders at their defaults) imported as `<prefix>-<pid>`, deleted after."""
    name = f"{prefix}-{os.getpid()}"
    text = PLACEHOLDER.sub(lambda m: m.group(1), REALM_FILE.read_text(encoding="utf-8"))
    realm = {**json.loads(text), "realm": name}
    async with httpx.AsyncClient(base_url=local_realm().url, timeout=30) as admin:
        admin.headers["Authorization"] = f"Bearer {admin_token()}"
        await admin.delete(f"/admin/realms/{name}")
        (await admin.post("/admin/realms", json=realm)).raise_for_status()
        try:
            yield ScratchRealm(name, admin)
        finally:
            await admin.delete(f"/admin/realms/{name}")
