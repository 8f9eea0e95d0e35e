"""The session seen from the browser (N04): the idle-timeout warning, 「延長する」, and the 利用上の注意 banner."""

from __future__ import annotations

import re

import httpx
import pytest
import respx
from gateway.settings import DEFAULT_LOGIN_BANNER, Settings

from ...conftest import CsrfOf, FakeKeycloakType, Login, gateway_with, only_session, text_of


@pytest.mark.req("N04")
class TestIdleWarning:
    async def test_every_page_tells_the_browser_when_to_warn_and_carries_the_dialog(
        self, client: httpx.AsyncClient, login: Login, last_login: respx.Route
    ) -> None:
        await login(client)
        html = (await client.get("/")).text
        remaining = int(re.search(r'data-session-remaining="(\d+)"', html).group(1))  # type: ignore[union-attr]
        assert 1790 <= remaining <= 1800
        assert 'data-session-warn="120"' in html and '<script src="/static/session.js" defer></script>' in html
        dialog = html[html.index('<dialog id="session-timeout"') : html.index("</dialog>")]
        assert 'role="alertdialog"' in dialog and 'aria-labelledby="session-timeout-title"' in dialog
        assert ">延長する</button>" in dialog and "まもなく自動的にログアウトします" in dialog
        script = await client.get("/static/session.js")
        assert script.status_code == 200 and "/session/keep-alive" in script.text and "showModal" in script.text

    async def test_asking_for_the_time_left_does_not_keep_the_session_alive(
        self, client: httpx.AsyncClient, login: Login
    ) -> None:
        await login(client)
        async with only_session(client) as session:
            session.last_seen -= 1700
        seen = session.last_seen
        answer = (await client.get("/session/remaining")).json()
        assert 90 <= answer["remaining_seconds"] <= 100 and answer["extendable"] is True
        async with only_session(client) as stored:
            assert stored.last_seen == seen

    async def test_extending_restarts_the_idle_time_and_needs_the_csrf_token(
        self, client: httpx.AsyncClient, login: Login, csrf_of: CsrfOf, last_login: respx.Route
    ) -> None:
        await login(client)
        token = csrf_of((await client.get("/")).text)
        async with only_session(client) as session:
            session.last_seen -= 1700
        refused = await client.post("/session/keep-alive")
        assert refused.status_code == 403
        extended = await client.post("/session/keep-alive", headers={"X-CSRF-Token": token})
        assert extended.status_code == 200 and extended.json()["remaining_seconds"] >= 1790

    async def test_once_timed_out_the_time_left_is_zero_and_extending_needs_a_new_login(
        self, client: httpx.AsyncClient, login: Login, csrf_of: CsrfOf, last_login: respx.Route
    ) -> None:
        await login(client)
        token = csrf_of((await client.get("/")).text)
        async with only_session(client) as session:
            session.last_seen -= 1801
        assert (await client.get("/session/remaining")).json() == {"remaining_seconds": 0, "extendable": False}
        late = await client.post("/session/keep-alive", headers={"X-CSRF-Token": token})
        assert late.status_code == 303 and late.headers["location"].startswith("/login")


@pytest.mark.req("N04")
class TestLoginBanner:
    async def test_the_banner_is_shown_before_login_and_on_the_home_page_after_it(
        self, client: httpx.AsyncClient, login: Login, last_login: respx.Route
    ) -> None:
        before = text_of((await client.get("/logged-out")).text)
        assert "利用上の注意" in before and DEFAULT_LOGIN_BANNER[:40] in before
        await login(client)
        home = text_of((await client.get("/")).text)
        assert "利用上の注意" in home and "許可された職員が、業務上必要な範囲でのみ利用できます。" in home

    async def test_the_text_is_configurable_and_can_come_first(
        self, settings: Settings, keycloak: FakeKeycloakType
    ) -> None:
        banner = "本システムの利用は許可された職員に限ります。\n操作はすべて記録されます。"
        async for browser in gateway_with(settings, login_banner=banner, login_banner_before_login=True):
            page = await browser.get("/patients")
            assert page.status_code == 303 and page.headers["location"] == "/welcome?next=/patients"
            welcome = await browser.get(page.headers["location"])
            assert "<p>本システムの利用は許可された職員に限ります。</p>" in welcome.text
            assert "<p>操作はすべて記録されます。</p>" in welcome.text
            assert 'href="/login?next=/patients"' in welcome.text
            assert DEFAULT_LOGIN_BANNER[:20] not in welcome.text
            elsewhere = await browser.get("/welcome", params={"next": "//evil.example/"})
            assert 'href="/login?next=/"' in elsewhere.text, "only paths on this site follow a login"

    async def test_the_banner_can_be_left_off_the_home_page(
        self, settings: Settings, keycloak: FakeKeycloakType, last_login: respx.Route
    ) -> None:
        async for browser in gateway_with(settings, login_banner_after_login=False):
            started = await browser.get("/login")
            await browser.get(keycloak.authorize(started.headers["location"]))
            home = await browser.get("/")
            assert home.status_code == 200 and "利用上の注意" not in home.text
