"""A real login through Keycloak's own pages (password, then TOTP), as a browser does it (N01)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from gateway.app import build_gateway
from gateway.main import ROUTERS
from gateway.settings import Settings
from tbms_testing.browser import keycloak_browser, log_in

GATEWAY = "http://127.0.0.1:8000"


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with its real settings (Keycloak on 127.0.0.1:58080); back-ends may be down."""
    app = build_gateway(Settings(span_file_dir=None, backend_timeout_seconds=3), ROUTERS)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as browser:
        yield browser


@pytest.fixture
async def keycloak() -> AsyncIterator[httpx.AsyncClient]:
    """The same browser as seen by Keycloak: its own cookie jar, real HTTP."""
    async with keycloak_browser() as browser:
        yield browser


@pytest.mark.req("N01")
class TestRealLogin:
    async def test_a_nurse_logs_in_with_password_and_totp_is_greeted_and_logs_out_of_keycloak_too(
        self, gateway: httpx.AsyncClient, keycloak: httpx.AsyncClient
    ) -> None:
        before = gateway.cookies.get("tbms_session")
        finished = await log_in(gateway, keycloak, "nurse1")
        assert finished.status_code == 303 and finished.headers["location"] == "/"
        assert gateway.cookies.get("tbms_session") != before
        home = await gateway.get("/")
        assert home.status_code == 200
        assert "ようこそ、試験 花子さん" in home.text and "ログアウト" in home.text
        token = home.text.split('name="csrf_token" value="')[1].split('"')[0]
        logout = await gateway.post("/logout", data={"csrf_token": token})
        assert logout.status_code == 303
        ended = await keycloak.get(logout.headers["location"])
        assert ended.status_code == 302 and ended.headers["location"] == f"{GATEWAY}/logged-out"
        assert (await gateway.get("/")).status_code == 303
        again = await gateway.get("/login")
        login_page = await keycloak.get(again.headers["location"])
        assert login_page.status_code == 200 and 'name="password"' in login_page.text, "Keycloak forgot the login"
