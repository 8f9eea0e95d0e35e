"""The logged-in user behind every page: an expired access token is refreshed, a refused refresh means login (N13)."""

from __future__ import annotations

import httpx
import pytest
import respx

from ..conftest import FakeKeycloakType, Login


@pytest.mark.req("N13")
class TestRefresh:
    async def test_an_expired_access_token_is_refreshed(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        keycloak.expires_in = 20
        await login(client)
        last = backends.get("http://identity.test/logins/me/last").mock(
            return_value=httpx.Response(200, json={"last_login": None, "last_logout": None})
        )
        assert (await client.get("/")).status_code == 200
        assert keycloak.token_forms[-1]["grant_type"] == "refresh_token"
        assert last.calls.last.request.headers["authorization"].startswith("Bearer ")

    async def test_a_refused_refresh_sends_the_user_to_login(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType
    ) -> None:
        keycloak.expires_in = 20
        keycloak.refresh_fails = True
        await login(client)
        response = await client.get("/patients/new")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/patients/new"
