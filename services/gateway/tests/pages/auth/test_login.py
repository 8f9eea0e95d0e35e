"""Login with Keycloak: PKCE, state and nonce checked on the way back; logout ends Keycloak's session too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from gateway.web.oidc import code_challenge

from ...conftest import ISSUER, Login


def query_of(url: str) -> dict[str, str]:
    """The query parameters of a URL."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.mark.req("N09", partial=True)
class TestLoginRedirect:
    async def test_login_page_is_keycloaks_with_state_nonce_and_s256_challenge(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/login")
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.startswith(f"{ISSUER}/protocol/openid-connect/auth?")
        params = query_of(location)
        assert params["response_type"] == "code"
        assert params["client_id"] == "tbms-gateway"
        assert params["redirect_uri"] == "http://127.0.0.1:8000/auth/callback"
        assert params["code_challenge_method"] == "S256"
        assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
        assert params["code_challenge"] and "code_verifier" not in params

    async def test_each_login_gets_its_own_state_and_nonce(self, client: httpx.AsyncClient) -> None:
        first = query_of((await client.get("/login")).headers["location"])
        second = query_of((await client.get("/login")).headers["location"])
        assert first["state"] != second["state"] and first["nonce"] != second["nonce"]

    async def test_pages_send_a_stranger_to_login_and_back(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/patients/new")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/patients/new"


@pytest.mark.req("N09", partial=True)
class TestCallback:
    async def test_login_completes_and_returns_to_the_page_asked_for(
        self, client: httpx.AsyncClient, login: Login, keycloak: Any, no_last_login: respx.Route
    ) -> None:
        await login(client, "/patients/new")
        page = await client.get("/patients/new")
        assert page.status_code == 200
        assert "試験 花子 さん" in page.text
        assert keycloak.token_forms[0]["grant_type"] == "authorization_code"

    async def test_a_wrong_state_is_refused(self, client: httpx.AsyncClient, keycloak: Any) -> None:
        started = await client.get("/login")
        callback = keycloak.authorize(started.headers["location"]).replace("state=", "state=x")
        response = await client.get(callback)
        assert response.status_code == 400
        assert "ログインできませんでした" in response.text
        assert (await client.get("/patients/new")).status_code == 303

    async def test_a_callback_cannot_be_replayed(self, client: httpx.AsyncClient, keycloak: Any) -> None:
        started = await client.get("/login")
        callback = keycloak.authorize(started.headers["location"])
        assert (await client.get(callback)).status_code == 303
        assert (await client.get(callback)).status_code == 400

    async def test_a_callback_from_another_browser_is_refused(self, client: httpx.AsyncClient, keycloak: Any) -> None:
        started = await client.get("/login")
        callback = keycloak.authorize(started.headers["location"])
        client.cookies.clear()
        response = await client.get(callback)
        assert response.status_code == 400

    async def test_an_id_token_with_another_nonce_is_refused(self, client: httpx.AsyncClient, keycloak: Any) -> None:
        keycloak.nonce_override = "not-the-nonce-we-sent"
        started = await client.get("/login")
        response = await client.get(keycloak.authorize(started.headers["location"]))
        assert response.status_code == 400
        assert (await client.get("/patients/new")).status_code == 303

    async def test_the_code_is_only_exchanged_with_the_pkce_verifier(
        self, client: httpx.AsyncClient, keycloak: Any
    ) -> None:
        started = await client.get("/login")
        callback = keycloak.authorize(started.headers["location"])
        code = query_of(callback)["code"]
        keycloak.codes[code]["code_challenge"] = code_challenge("a-verifier-an-attacker-chose")
        assert (await client.get(callback)).status_code == 400

    async def test_an_error_from_keycloak_shows_a_japanese_page(self, client: httpx.AsyncClient) -> None:
        state = query_of((await client.get("/login")).headers["location"])["state"]
        response = await client.get("/auth/callback", params={"state": state, "error": "access_denied"})
        assert response.status_code == 400
        assert "もう一度ログインしてください" in response.text

    async def test_only_paths_on_this_site_are_returned_to(
        self, client: httpx.AsyncClient, login: Login, no_last_login: respx.Route
    ) -> None:
        for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            client.cookies.clear()
            started = await client.get("/login", params={"next": target})
            assert started.status_code == 303
        client.cookies.clear()
        await login(client, "//evil.example/x")
        assert (await client.get("/")).status_code == 200


@pytest.mark.req("N13")
class TestLogout:
    async def test_logout_ends_the_gateway_session_and_keycloaks(
        self, client: httpx.AsyncClient, login: Login, no_last_login: respx.Route, csrf_of: Callable[[str], str]
    ) -> None:
        await login(client)
        home = await client.get("/")
        response = await client.post("/logout", data={"csrf_token": csrf_of(home.text)})
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.startswith(f"{ISSUER}/protocol/openid-connect/logout?")
        params = query_of(location)
        assert params["id_token_hint"].count(".") == 2
        assert params["post_logout_redirect_uri"] == "http://127.0.0.1:8000/logged-out"
        assert 'tbms_session=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
        assert (await client.get("/")).status_code == 303

    async def test_logged_out_page_offers_login_again(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/logged-out")
        assert "ログアウトしました" in response.text and 'href="/login"' in response.text
