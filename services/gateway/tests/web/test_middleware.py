"""Allowed client networks (R35): outsiders get a Japanese 403 before any login; health and static stay open."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from gateway.settings import Settings

from ..conftest import FakeKeycloakType, changed, gateway_with


@pytest.mark.req("R35")
class TestAllowedNetworks:
    @pytest.fixture
    async def office_only(self, settings: Settings, keycloak: FakeKeycloakType) -> AsyncIterator[httpx.AsyncClient]:
        """A gateway that only admits the office network 10.20.0.0/16 (the test client is 127.0.0.1)."""
        async for browser in gateway_with(settings, allowed_networks="10.20.0.0/16, 192.0.2.7"):
            yield browser

    async def test_a_client_outside_the_networks_gets_a_japanese_403_before_any_login(
        self, office_only: httpx.AsyncClient
    ) -> None:
        for path in ("/", "/login", "/patients", "/admin/users", "/auth/callback?state=x&code=y"):
            response = await office_only.get(path)
            assert response.status_code == 403, path
            assert "この端末からは利用できません" in response.text and "許可された端末" in response.text
            assert "location" not in response.headers and "set-cookie" not in response.headers
            assert response.headers["content-security-policy"].startswith("default-src 'self'")
        refused = await office_only.post("/logout", data={"csrf_token": "x"})
        assert refused.status_code == 403 and "この端末からは利用できません" in refused.text

    async def test_health_checks_and_the_stylesheet_stay_reachable(self, office_only: httpx.AsyncClient) -> None:
        assert (await office_only.get("/health/live")).status_code == 200
        assert (await office_only.get("/static/app.css")).status_code == 200

    async def test_forwarded_addresses_count_only_behind_a_trusted_proxy(
        self, settings: Settings, keycloak: FakeKeycloakType
    ) -> None:
        office = {"X-Forwarded-For": "10.20.3.4"}  # the proxy appended the office terminal's address
        spoofed = {"X-Forwarded-For": "10.20.3.4, 203.0.113.9"}  # an outsider wrote an office address first
        async for trusting in gateway_with(settings, allowed_networks="10.20.0.0/16", trusted_proxy_hops=1):
            assert (await trusting.get("/login", headers=office)).status_code == 303
            assert (await trusting.get("/login", headers=spoofed)).status_code == 403, "a forged entry let it in"
            outside = await trusting.get("/login", headers={"X-Forwarded-For": "203.0.113.9"})
            assert outside.status_code == 403
        async for two_proxies in gateway_with(settings, allowed_networks="10.20.0.0/16", trusted_proxy_hops=2):
            through_both = {"X-Forwarded-For": "203.0.113.9, 10.20.3.4, 10.0.0.2"}
            assert (await two_proxies.get("/login", headers=through_both)).status_code == 303
        async for direct in gateway_with(settings, allowed_networks="10.20.0.0/16"):
            assert (await direct.get("/login", headers=office)).status_code == 403, "a forged header let it in"

    async def test_inside_the_networks_login_proceeds_and_no_list_means_everyone(
        self, settings: Settings, keycloak: FakeKeycloakType
    ) -> None:
        async for loopback in gateway_with(settings, allowed_networks="127.0.0.0/8"):
            assert (await loopback.get("/login")).status_code == 303
        async for everyone in gateway_with(settings):
            assert (await everyone.get("/login")).status_code == 303

    def test_a_malformed_network_is_refused_at_startup(self, settings: Settings) -> None:
        with pytest.raises(ValueError, match=r"10\.0\.0\.0/33"):
            changed(settings, allowed_networks="10.0.0.0/33")
