"""Keycloak's admin REST API for the tbms realm, with an admin token from the admin realm."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.app import ServiceKit
from tbms_core.db import Database
from tbms_core.object_store import ssl_context

from identity.settings import Settings

log = logging.getLogger(__name__)


class KeycloakAdmin:
    """Talks to `/admin/realms/<realm>/…` as the configured administrator; the token is renewed when needed."""

    def __init__(self, settings: Settings, *, timeout: float = 10.0) -> None:
        self.base_url = settings.keycloak_url.rstrip("/")
        self.realm = settings.keycloak_realm
        self._settings, self._timeout = settings, timeout
        self._client: httpx.AsyncClient | None = None
        self._token, self._expires = "", 0.0
        self._usernames: dict[str, str] = {}

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared HTTP client, opened on first use."""
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                base_url=self.base_url, timeout=self._timeout, verify=ssl_context(self._settings.keycloak_ca_file)
            )
        return self._client

    async def aclose(self) -> None:
        """Closes the HTTP client."""
        if self._client is not None:
            await self._client.aclose()

    async def events(self, *, since_ms: int | None = None, page_size: int = 500) -> list[dict[str, Any]]:
        """User events (login, failure, logout, OTP changes) from `since_ms` on, oldest first."""
        params: dict[str, Any] = {"direction": "asc", "max": page_size}
        if since_ms is not None:
            params["dateFrom"] = str(since_ms)
        found: list[dict[str, Any]] = []
        while True:
            page = await self._get(f"/admin/realms/{self.realm}/events", {**params, "first": len(found)})
            found.extend(page)
            if len(page) < page_size:
                return found

    async def admin_events(self, *, since_ms: int | None = None, page_size: int = 500) -> list[dict[str, Any]]:
        """Changes made to the realm through the admin API or console (users, groups, roles, settings), oldest
        first."""
        params: dict[str, Any] = {"direction": "asc", "max": page_size}
        if since_ms is not None:
            params["dateFrom"] = str(since_ms)
        found: list[dict[str, Any]] = []
        while True:
            page = await self._get(f"/admin/realms/{self.realm}/admin-events", {**params, "first": len(found)})
            found.extend(page)
            if len(page) < page_size:
                return found

    async def username_of(self, user_id: str) -> str:
        """The username of an administrator (admin realm) or a user of the realm; the id when neither knows it."""
        if user_id not in self._usernames:
            found = ""
            for realm in (self._settings.keycloak_admin_realm, self.realm):
                response = await self.client.get(f"/admin/realms/{realm}/users/{user_id}", headers=await self._auth())
                if response.status_code == 200:
                    found = str(response.json().get("username") or "")
                    break
            self._usernames[user_id] = found or user_id
        return self._usernames[user_id]

    async def user_id_of(self, username: str) -> str | None:
        """The Keycloak id of a user of the realm, or None."""
        users = await self._get(f"/admin/realms/{self.realm}/users", {"username": username, "exact": "true"})
        return str(users[0]["id"]) if users else None

    async def clear_login_failures(self, user_id: str) -> None:
        """Forgets a user's failed logins, lifting a temporary lockout (brute-force protection)."""
        await self._send("DELETE", f"/admin/realms/{self.realm}/attack-detection/brute-force/users/{user_id}")

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET `/admin/realms/<realm><path>` as JSON."""
        return await self._get(f"/admin/realms/{self.realm}{path}", params or {})

    async def send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """Sends a change to `/admin/realms/<realm><path>`; raises httpx.HTTPStatusError on a refusal."""
        return await self._send(method, f"/admin/realms/{self.realm}{path}", json=body)

    async def _get(self, path: str, params: dict[str, Any]) -> Any:
        return (await self._send("GET", path, params)).json()

    async def _send(
        self, method: str, path: str, params: dict[str, Any] | None = None, *, json: Any = None
    ) -> httpx.Response:
        response = await self.client.request(method, path, params=params, json=json, headers=await self._auth())
        if response.status_code == 401:
            self._expires = 0.0
            response = await self.client.request(method, path, params=params, json=json, headers=await self._auth())
        response.raise_for_status()
        return response

    async def _auth(self) -> dict[str, str]:
        if time.monotonic() >= self._expires:
            await self._login()
        return {"Authorization": f"Bearer {self._token}"}

    async def _login(self) -> None:
        settings = self._settings
        if settings.keycloak_client_id:  # its service account in the realm: only the roles it needs
            realm = self.realm
            grant = {
                "grant_type": "client_credentials",
                "client_id": settings.keycloak_client_id,
                "client_secret": settings.keycloak_client_secret.get_secret_value(),
            }
        else:
            realm = settings.keycloak_admin_realm
            grant = {
                "grant_type": "password",
                "client_id": settings.keycloak_admin_client_id,
                "username": settings.keycloak_admin_user.get_secret_value(),
                "password": settings.keycloak_admin_password.get_secret_value(),
            }
        response = await self.client.post(f"/realms/{realm}/protocol/openid-connect/token", data=grant)
        response.raise_for_status()
        body = response.json()
        self._token = body["access_token"]
        self._expires = time.monotonic() + max(float(body.get("expires_in", 60)) - 10.0, 5.0)


class KeycloakCopy:
    """Copies what Keycloak records (events) into identity's own tables, idempotently, every `interval` seconds
    in the background and before an answer that must be fresh."""

    what = "Keycloak events"

    def __init__(self, keycloak: KeycloakAdmin, *, interval: float = 5.0) -> None:
        self.keycloak, self.interval = keycloak, interval

    async def pull(self, session: AsyncSession) -> int:
        """Copies what Keycloak recorded since the newest copy held; returns how many were new."""
        raise NotImplementedError

    async def start(self, kit: ServiceKit) -> None:
        """Startup hook: copies until the service stops."""
        kit.tasks.append(asyncio.create_task(self.run(kit.db), name=f"{kit.name}-{type(self).__name__}"))

    async def run(self, db: Database) -> None:
        """The background loop; a failure is logged and retried on the next round."""
        try:
            while True:
                try:
                    async with db.session() as session:
                        await self.pull(session)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.warning("copying %s failed; retrying", self.what, exc_info=True)
                await asyncio.sleep(self.interval)
        finally:
            await self.keycloak.aclose()

    async def refresh(self, session: AsyncSession) -> None:
        """Copies new records before an answer that must be fresh; serves stored data if Keycloak is down."""
        try:
            await self.pull(session)
        except httpx.HTTPError:
            log.warning("Keycloak unreachable; answering from the stored copy of %s", self.what, exc_info=True)
