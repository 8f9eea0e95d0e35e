"""Server-side sessions: the cookie, a new id at login, idle and total limits, shorter for administrators (N03, N13)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from gateway.web.sessions import Session, SessionStore, Tokens, User

from ..conftest import ISSUER, FakeKeycloakType, Login, SessionOf, only_session, store_of, with_roles

ADMIN_ROLES = ["users:update", "audit:update", "patients:read", "masters:update"]


@pytest.mark.req("N13")
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
        async with only_session(client) as session:
            session.last_seen -= store_of(client).idle_seconds + 1
        assert (await client.get("/")).status_code == 303


@pytest.mark.req("N03")
class TestAdministratorSessions:
    async def test_an_administrators_idle_session_ends_sooner_than_a_nurses(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, last_login: respx.Route
    ) -> None:
        store = store_of(client)
        idle = store.privileged.idle_seconds + 60  # longer than an administrator may idle, shorter than others
        assert idle < store.idle_seconds
        await login(client)
        async with only_session(client) as session:
            session.last_seen -= idle
        assert (await client.get("/")).status_code == 200, "a nurse's session ended too early"
        client.cookies.clear()
        with_roles(keycloak, ADMIN_ROLES)
        await login(client)
        async with only_session(client) as session:
            session.last_seen -= idle
        response = await client.get("/admin/users")
        assert response.status_code == 303 and response.headers["location"] == "/login?next=/admin/users"

    async def test_an_administrators_session_has_a_shorter_total_limit(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, last_login: respx.Route
    ) -> None:
        store = store_of(client)
        assert store.privileged.max_seconds < store.max_seconds
        with_roles(keycloak, ADMIN_ROLES)
        await login(client)
        async with only_session(client) as session:
            session.created -= store.privileged.max_seconds + 1
            session.last_seen = session.created + store.privileged.max_seconds  # active until a second ago
        assert (await client.get("/")).status_code == 303

    async def test_a_timed_out_login_is_ended_at_keycloak_before_the_browser_returns_there(
        self, client: httpx.AsyncClient, login: Login, backends: respx.MockRouter, last_login: respx.Route
    ) -> None:
        ended = backends.post(f"{ISSUER}/protocol/openid-connect/logout").mock(return_value=httpx.Response(204))
        await login(client)
        async with only_session(client) as session:
            refresh_token = session.tokens.refresh_token
            session.last_seen -= store_of(client).idle_seconds + 1
        response = await client.get("/patients")
        assert response.status_code == 303 and response.headers["location"] == "/login?next=/patients"
        assert ended.call_count == 1
        sent = dict(httpx.QueryParams(ended.calls.last.request.content.decode()))
        assert sent == {"refresh_token": refresh_token}
        assert ended.calls.last.request.headers["authorization"].startswith("Basic ")


@pytest.mark.req("N13")
class TestAnonymousSessionCap:
    """A client requesting /login in a loop cannot fill the gateway's memory with sessions."""

    async def test_the_oldest_anonymous_sessions_are_forgotten_over_the_cap_and_logged_in_ones_never(self) -> None:
        store = SessionStore("secret", idle_seconds=600, max_seconds=3600, login_wait_seconds=600, max_anonymous=3)
        logged_in = Session(
            tokens=Tokens(access_token="a", refresh_token="r", id_token="i", expires_at=0.0, refresh_expires_at=0.0),
            user=User(user_id="s", username="nurse1", display_name="試験 花子"),
        )
        member_id, _ = await store.create(logged_in)
        anonymous = [(await store.create())[0] for _ in range(5)]
        assert [await store.get(sid) is not None for sid in anonymous] == [False, False, True, True, True]
        kept = await store.get(member_id)
        assert kept is not None and kept.user == logged_in.user and kept.tokens == logged_in.tokens
        assert await store.count() == 4
