"""How an unattended job (the scheduled `tbms reconcile`) calls the services: as its own service account in the
realm (client credentials, `tbms-reconcile`: 監査の更新 and 患者管理の参照 only), at the services' URLs the
deployment gives. Without `TBMS_RECONCILE_CLIENT_SECRET` a tool acts as a local demo user instead.

Settings (the environment):
- `TBMS_RECONCILE_KEYCLOAK_URL`: Keycloak's base URL, whose realm gives the token (default: the local Keycloak)
- `TBMS_RECONCILE_CLIENT_ID` (default `tbms-reconcile`) and `TBMS_RECONCILE_CLIENT_SECRET`
- `TBMS_RECONCILE_<SERVICE>_URL`: a service's base URL (default: the local stack's port)
- `TBMS_RECONCILE_CA_FILE`: the internal CA that HTTPS endpoints are verified against (default: the system's)

Every call is recorded by the services under the account's name (`service-account-tbms-reconcile`), so the
operation history shows what the job read and repaired.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Generator, Mapping

import httpx

from tbms_tools import config

PREFIX = "TBMS_RECONCILE_"
CLIENT_ID = "tbms-reconcile"
EARLY = 30.0  # seconds before expiry a token is renewed


def _env(name: str, default: str = "") -> str:
    return os.environ.get(PREFIX + name, default)


def configured() -> bool:
    """True when the deployment gives the job its client secret (then it never uses a demo user)."""
    return bool(_env("CLIENT_SECRET"))


def service_url(service: str) -> str:
    """The service's base URL as the deployment gives it, else the local stack's."""
    return _env(f"{service.upper()}_URL") or config.service_url(service)


def verify() -> str | bool:
    """What HTTPS is verified against: the internal CA when given, else the system's store."""
    return _env("CA_FILE") or True


class ClientCredentials(httpx.Auth):
    """`Authorization: Bearer …` from the client-credentials grant, renewed shortly before it expires (a national
    reconciliation outlives one five-minute token)."""

    def __init__(self, token_url: str, client_id: str, secret: str) -> None:
        self.token_url, self.client_id, self.secret = token_url, client_id, secret
        self._token, self._expires = "", 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        """A valid access token, fetched again when the held one is about to expire."""
        with self._lock:
            if time.monotonic() >= self._expires:
                grant = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.secret}
                answer = httpx.post(self.token_url, data=grant, timeout=30, verify=verify())
                answer.raise_for_status()
                body = answer.json()
                self._token = body["access_token"]
                self._expires = time.monotonic() + max(float(body.get("expires_in", 60)) - EARLY, 5.0)
            return self._token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request


def from_env() -> ClientCredentials:
    """The job's credentials from the environment (`configured()` must be true)."""
    keycloak = _env("KEYCLOAK_URL", f"http://{config.HOST}:{config.KEYCLOAK_PORT}").rstrip("/")
    token_url = f"{keycloak}/realms/{config.REALM}/protocol/openid-connect/token"
    return ClientCredentials(token_url, _env("CLIENT_ID", CLIENT_ID), _env("CLIENT_SECRET"))


def client(service: str, auth: httpx.Auth | None, headers: Mapping[str, str] | None = None) -> httpx.Client:
    """An HTTP client for one service: the service account's auth, or a demo user's headers."""
    return httpx.Client(
        base_url=service_url(service), auth=auth, headers=dict(headers or {}), timeout=60, verify=verify()
    )
