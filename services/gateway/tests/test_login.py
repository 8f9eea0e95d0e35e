"""Login with Keycloak: PKCE, state and nonce checked; a new session id after login; refresh; logout."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from gateway.oidc import code_challenge, code_verifier

Login = Callable[..., Awaitable[str]]
SessionOf = Callable[[httpx.AsyncClient], str]
ISSUER = "http://kc.test/realms/tbms"


def query_of(url: str) -> dict[str, str]:
    """The query parameters of a URL."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.mark.req("N09", partial=True)
class TestPkce:
    def test_challenge_is_s256_of_the_verifier_as_rfc_7636_shows(self) -> None:
        verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    def test_verifiers_are_long_random_and_url_safe(self) -> None:
        verifiers = {code_verifier() for _ in range(20)}
        assert len(verifiers) == 20
        assert all(43 <= len(v) <= 128 and v.replace("-", "").replace("_", "").isalnum() for v in verifiers)


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


@pytest.mark.req("N13", partial=True)
class TestSessionCookie:
    async def test_cookie_is_httponly_and_samesite_lax_and_not_secure_over_http(
        self, client: httpx.AsyncClient
    ) -> None:
        cookie = (await client.get("/login")).headers["set-cookie"]
        assert cookie.startswith("tbms_session=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie

    async def test_cookie_is_secure_with_host_prefix_over_https(self, https_client: httpx.AsyncClient) -> None:
        response = await https_client.get("/login")
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-tbms_session=")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert response.headers["strict-transport-security"].startswith("max-age=")

    async def test_a_new_session_id_after_login(
        self,
        client: httpx.AsyncClient,
        login: Login,
        session_of: SessionOf,
        keycloak: Any,
        no_last_login: respx.Route,
    ) -> None:
        started = await client.get("/login")
        before = session_of(client)
        await client.get(keycloak.authorize(started.headers["location"]))
        after = session_of(client)
        assert before and after and before != after

    async def test_a_session_id_fixed_before_login_is_worthless_after_it(
        self, client: httpx.AsyncClient, session_of: SessionOf, keycloak: Any, no_last_login: respx.Route
    ) -> None:
        started = await client.get("/login")
        planted = session_of(client)
        await client.get(keycloak.authorize(started.headers["location"]))
        assert (await client.get("/")).status_code == 200
        client.cookies.clear()
        client.cookies.set("tbms_session", planted)
        assert (await client.get("/")).status_code == 303

    async def test_an_invented_session_id_is_ignored(self, client: httpx.AsyncClient) -> None:
        client.cookies.set("tbms_session", "made-up-by-an-attacker")
        assert (await client.get("/")).status_code == 303

    async def test_an_idle_session_times_out(
        self, client: httpx.AsyncClient, login: Login, no_last_login: respx.Route
    ) -> None:
        await login(client)
        store = client._transport.app.state.sessions  # type: ignore[attr-defined]
        for session in store._sessions.values():
            session.last_seen -= store.idle_seconds + 1
        assert (await client.get("/")).status_code == 303


@pytest.mark.req("N13", partial=True)
class TestRefresh:
    async def test_an_expired_access_token_is_refreshed(
        self, client: httpx.AsyncClient, login: Login, keycloak: Any, backends: respx.MockRouter
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
        self, client: httpx.AsyncClient, login: Login, keycloak: Any
    ) -> None:
        keycloak.expires_in = 20
        keycloak.refresh_fails = True
        await login(client)
        response = await client.get("/patients/new")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/patients/new"


@pytest.mark.req("N13", partial=True)
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
