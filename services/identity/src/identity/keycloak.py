"""Keycloak's admin REST API for the tbms realm, with an admin token from the admin realm."""

from __future__ import annotations

import time
from typing import Any

import httpx

from identity.settings import Settings


class KeycloakAdmin:
    """Talks to `/admin/realms/<realm>/…` as the configured administrator; the token is renewed when needed."""

    def __init__(self, settings: Settings, *, timeout: float = 10.0) -> None:
        self.base_url = settings.keycloak_url.rstrip("/")
        self.realm = settings.keycloak_realm
        self._settings, self._timeout = settings, timeout
        self._client: httpx.AsyncClient | None = None
        self._token, self._expires = "", 0.0

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared HTTP client, opened on first use."""
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self._timeout)
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
        response = await self.client.post(
            f"/realms/{settings.keycloak_admin_realm}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": settings.keycloak_admin_client_id,
                "username": settings.keycloak_admin_user.get_secret_value(),
                "password": settings.keycloak_admin_password.get_secret_value(),
            },
        )
        response.raise_for_status()
        body = response.json()
        self._token = body["access_token"]
        self._expires = time.monotonic() + max(float(body.get("expires_in", 60)) - 10.0, 5.0)
