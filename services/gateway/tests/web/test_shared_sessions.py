"""Sessions in the gateway's own PostgreSQL database: two gateway processes serve one user, a logout or a timeout
on one ends the session on both, a restart keeps everyone logged in, and the table holds neither a usable session
id nor a token in the clear (R28, N07, N13)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest
import respx
from fastapi import FastAPI
from gateway.app import build_gateway
from gateway.main import ROUTERS
from tbms_testing import services as scratch

from ..conftest import GATEWAY, ISSUER, FakeKeycloakType, csrf_token, make_settings

DATABASE = f"tbms_gateway_sessions_t{os.getpid()}"
DSN = f"postgresql://tbms@127.0.0.1:55432/{DATABASE}"
Gateways = Callable[[], Awaitable[FastAPI]]


@pytest.fixture(scope="module")
async def session_database() -> AsyncIterator[str]:
    """A freshly migrated gateway database for this module's tests; its URL."""
    env = await asyncio.to_thread(scratch.test_env, "gateway", DATABASE)
    await scratch.recreate_database(DATABASE)
    await asyncio.to_thread(scratch.migrate, "gateway", env)
    try:
        yield env["TBMS_GATEWAY_DATABASE_URL"]
    finally:
        await scratch.drop_database(DATABASE)


@pytest.fixture
async def gateways(session_database: str) -> AsyncIterator[Gateways]:
    """Builds gateway apps that share one session database, as two processes of one site would."""
    connection = await asyncpg.connect(DSN)
    try:
        await connection.execute("TRUNCATE sessions")
    finally:
        await connection.close()
    built: list[FastAPI] = []

    async def another() -> FastAPI:
        settings = make_settings(session_store="postgres", database_url=session_database)
        built.append(app := build_gateway(settings, ROUTERS))
        return app

    try:
        yield another
    finally:
        for app in built:
            await app.state.sessions.close()


def browser_of(app: FastAPI, cookies: httpx.Cookies | None = None) -> httpx.AsyncClient:
    """A browser talking to one gateway process, with the cookies it already holds."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=GATEWAY, follow_redirects=False, cookies=cookies)


async def log_in(first: httpx.AsyncClient, second: httpx.AsyncClient, keycloak: FakeKeycloakType) -> None:
    """Starts the login on one process and lets Keycloak send the browser back to the other (a load balancer may)."""
    started = await first.get("/login")
    assert started.status_code == 303
    second.cookies = first.cookies
    finished = await second.get(keycloak.authorize(started.headers["location"]))
    assert finished.status_code == 303 and finished.headers["location"] == "/", finished.text
    first.cookies = second.cookies


async def stored_rows() -> list[asyncpg.Record]:
    connection = await asyncpg.connect(DSN)
    try:
        return await connection.fetch("SELECT key, data, authenticated, expires_at FROM sessions")
    finally:
        await connection.close()


@pytest.mark.req("R28", partial=True)
@pytest.mark.req("N07", partial=True)
class TestTwoGateways:
    async def test_a_login_made_through_one_gateway_is_accepted_by_the_other_and_a_logout_ends_it_on_both(
        self, gateways: Gateways, keycloak: FakeKeycloakType, last_login: respx.Route
    ) -> None:
        one, two = await gateways(), await gateways()
        async with browser_of(one) as via_one, browser_of(two) as via_two:
            await log_in(via_one, via_two, keycloak)
            assert (await via_one.get("/")).status_code == 200
            page = await via_two.get("/")
            assert page.status_code == 200 and "試験 花子" in page.text
            logout = await via_two.post("/logout", data={"csrf_token": csrf_token(page.text)})
            assert logout.status_code == 303
            gone = await via_one.get("/")  # the browser's cookie as it was before the logout: a copy kept elsewhere
            assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
        assert [row for row in await stored_rows() if row["authenticated"]] == []

    async def test_a_restart_keeps_the_user_logged_in(
        self, gateways: Gateways, keycloak: FakeKeycloakType, last_login: respx.Route
    ) -> None:
        before = await gateways()
        async with browser_of(before) as browser:
            await log_in(browser, browser, keycloak)
            cookies = browser.cookies
        await before.state.sessions.close()  # the process stops
        async with browser_of(await gateways(), cookies) as after_restart:
            assert (await after_restart.get("/")).status_code == 200

    async def test_a_message_for_the_next_page_set_on_one_gateway_is_shown_by_the_other(
        self, gateways: Gateways, keycloak: FakeKeycloakType, last_login: respx.Route
    ) -> None:
        one, two = await gateways(), await gateways()
        async with browser_of(one) as via_one, browser_of(two) as via_two:
            await log_in(via_one, via_two, keycloak)
            session_id = via_one.cookies["tbms_session"]
            session = await one.state.sessions.get(session_id)
            session.flash = "保存しました"
            await one.state.sessions.save(session_id, session)
            shown = await via_two.get("/")
            assert "保存しました" in shown.text
            assert "保存しました" not in (await via_one.get("/")).text, "a message is shown once, on one page"


@pytest.mark.req("N13")
class TestStoredSessions:
    async def test_an_idle_session_times_out_on_every_gateway_and_its_keycloak_login_is_ended_once(
        self, gateways: Gateways, keycloak: FakeKeycloakType, last_login: respx.Route, backends: respx.MockRouter
    ) -> None:
        ended = backends.post(f"{ISSUER}/protocol/openid-connect/logout").mock(return_value=httpx.Response(204))
        one, two = await gateways(), await gateways()
        async with browser_of(one) as via_one, browser_of(two) as via_two:
            await log_in(via_one, via_two, keycloak)
            session_id = via_one.cookies["tbms_session"]
            store = one.state.sessions
            session = await store.get(session_id)
            session.last_seen -= store.idle_seconds + 1
            await store.save(session_id, session)
            timed_out = await via_two.get("/patients")
            assert timed_out.status_code == 303 and timed_out.headers["location"] == "/login?next=/patients"
            assert (await via_one.get("/")).status_code == 303
        assert ended.call_count == 1, "each timed-out login is ended at Keycloak by one gateway"
        assert [row for row in await stored_rows() if row["authenticated"]] == []

    async def test_the_table_holds_no_session_id_and_no_token_in_the_clear(
        self, gateways: Gateways, keycloak: FakeKeycloakType, last_login: respx.Route
    ) -> None:
        app = await gateways()
        async with browser_of(app) as browser:
            await log_in(browser, browser, keycloak)
            session_id = browser.cookies["tbms_session"]
            session = await app.state.sessions.get(session_id)
        (row,) = await stored_rows()
        assert row["authenticated"] and row["key"] != session_id
        raw = bytes(row["data"])
        for secret in (session.tokens.refresh_token, session.tokens.access_token[:40], session.csrf_token, "nurse1"):
            assert secret.encode() not in raw
        assert "試験".encode() not in raw
