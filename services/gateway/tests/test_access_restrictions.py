"""Access restriction in the gateway (R32, R35, N03, N04) against a fake Keycloak and fake back-ends.

Allowed client networks, shorter administrator sessions ended at Keycloak too, the idle-timeout warning
and 「延長する」, the 利用上の注意 banner, and pages and buttons that follow the user's access levels.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import jwt
import pytest
import respx
from gateway.assembly import build_gateway
from gateway.main import ROUTERS
from gateway.settings import DEFAULT_LOGIN_BANNER, Settings

Login = Callable[..., Awaitable[str]]
CsrfOf = Callable[[str], str]
ISSUER = "http://kc.test/realms/tbms"
PATIENTS, IDENTITY = "http://patients.test", "http://identity.test"
PATIENT_ID = "5b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a11"
VIEWER_ROLES = ["patients:read", "contacts:read", "forms:read", "documents:read"]
ADMIN_ROLES = ["users:update", "audit:update", "patients:read", "masters:update"]
PATIENT = {
    "id": PATIENT_ID,
    "version": 1,
    "registration_no": "2026-00001",
    "registered_on": "2026-11-20",
    "category": "patient",
    "name": "試験 太郎",
    "name_kana": "シケン タロウ",
    "sex": "male",
    "birth_date": "1970-03-01",
    "postal_code": "",
    "address": "",
    "phone": "",
    "status": "active",
    "district": "世田谷",
    "nurse": "",
    "excluded_on": None,
    "updated_at": None,
}


FakeKeycloak = Any  # conftest.FakeKeycloak


def with_roles(keycloak: FakeKeycloak, roles: list[str]) -> None:
    """Makes the fake Keycloak put these realm roles into the access tokens it issues from now on."""
    issue = type(keycloak).tokens

    def tokens(nonce: str | None) -> dict[str, Any]:
        body = issue(keycloak, nonce)
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        body["access_token"] = keycloak.sign({**claims, "realm_access": {"roles": roles}})
        return body

    keycloak.tokens = tokens  # type: ignore[method-assign]


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def nav_of(html: str) -> str:
    """The text of the main menu."""
    start = html.index("<ul>", html.index('class="main-nav"'))
    return text_of(html[start : html.index("</nav>")]).strip()


def store_of(browser: httpx.AsyncClient) -> Any:
    """The gateway's session store behind a test browser."""
    return browser._transport.app.state.sessions  # type: ignore[attr-defined]


def only_session(browser: httpx.AsyncClient) -> Any:
    """The one session the store holds."""
    sessions = list(store_of(browser)._sessions.values())
    assert len(sessions) == 1
    return sessions[0]


def changed(settings: Settings, **overrides: Any) -> Settings:
    """The test settings with some values changed (validated like environment values)."""
    return Settings(**{**settings.model_dump(), **overrides})


async def gateway_with(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A browser on a gateway with these settings changed."""
    app = build_gateway(changed(settings, **overrides), ROUTERS)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as browser:
        yield browser


@pytest.fixture
def last_login(backends: respx.MockRouter) -> respx.Route:
    """identity knows no earlier login."""
    return backends.get(f"{IDENTITY}/logins/me/last").mock(
        return_value=httpx.Response(200, json={"previous_login": None, "last_logout": None})
    )


@pytest.mark.req("R35")
class TestAllowedNetworks:
    @pytest.fixture
    async def office_only(self, settings: Settings, keycloak: FakeKeycloak) -> AsyncIterator[httpx.AsyncClient]:
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
        self, settings: Settings, keycloak: FakeKeycloak
    ) -> None:
        office = {"X-Forwarded-For": "10.20.3.4, 203.0.113.9"}
        async for trusting in gateway_with(settings, allowed_networks="10.20.0.0/16", trust_forwarded_for=True):
            assert (await trusting.get("/login", headers=office)).status_code == 303
            outside = await trusting.get("/login", headers={"X-Forwarded-For": "203.0.113.9"})
            assert outside.status_code == 403
        async for direct in gateway_with(settings, allowed_networks="10.20.0.0/16", trust_forwarded_for=False):
            assert (await direct.get("/login", headers=office)).status_code == 403, "a forged header let it in"

    async def test_inside_the_networks_login_proceeds_and_no_list_means_everyone(
        self, settings: Settings, keycloak: FakeKeycloak
    ) -> None:
        async for loopback in gateway_with(settings, allowed_networks="127.0.0.0/8"):
            assert (await loopback.get("/login")).status_code == 303
        async for everyone in gateway_with(settings):
            assert (await everyone.get("/login")).status_code == 303

    def test_a_malformed_network_is_refused_at_startup(self, settings: Settings) -> None:
        with pytest.raises(ValueError, match=r"10\.0\.0\.0/33"):
            changed(settings, allowed_networks="10.0.0.0/33")


@pytest.mark.req("N03", partial=True)
class TestAdministratorSessions:
    async def test_an_administrators_idle_session_ends_sooner_than_a_nurses(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloak, last_login: respx.Route
    ) -> None:
        store = store_of(client)
        idle = store.privileged.idle_seconds + 60  # longer than an administrator may idle, shorter than others
        assert idle < store.idle_seconds
        await login(client)
        only_session(client).last_seen -= idle
        assert (await client.get("/")).status_code == 200, "a nurse's session ended too early"
        client.cookies.clear()
        store._sessions.clear()
        with_roles(keycloak, ADMIN_ROLES)
        await login(client)
        only_session(client).last_seen -= idle
        response = await client.get("/admin/users")
        assert response.status_code == 303 and response.headers["location"] == "/login?next=/admin/users"

    async def test_an_administrators_session_has_a_shorter_total_limit(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloak, last_login: respx.Route
    ) -> None:
        store = store_of(client)
        assert store.privileged.max_seconds < store.max_seconds
        with_roles(keycloak, ADMIN_ROLES)
        await login(client)
        session = only_session(client)
        session.created -= store.privileged.max_seconds + 1
        session.last_seen = session.created + store.privileged.max_seconds  # active until a second ago
        assert (await client.get("/")).status_code == 303

    async def test_a_timed_out_login_is_ended_at_keycloak_before_the_browser_returns_there(
        self, client: httpx.AsyncClient, login: Login, backends: respx.MockRouter, last_login: respx.Route
    ) -> None:
        ended = backends.post(f"{ISSUER}/protocol/openid-connect/logout").mock(return_value=httpx.Response(204))
        await login(client)
        session = only_session(client)
        refresh_token = session.tokens.refresh_token
        session.last_seen -= store_of(client).idle_seconds + 1
        response = await client.get("/patients")
        assert response.status_code == 303 and response.headers["location"] == "/login?next=/patients"
        assert ended.call_count == 1
        sent = dict(httpx.QueryParams(ended.calls.last.request.content.decode()))
        assert sent == {"refresh_token": refresh_token}
        assert ended.calls.last.request.headers["authorization"].startswith("Basic ")


@pytest.mark.req("N04", partial=True)
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
        session = only_session(client)
        session.last_seen -= 1700
        seen = session.last_seen
        answer = (await client.get("/session/remaining")).json()
        assert 90 <= answer["remaining_seconds"] <= 100 and answer["extendable"] is True
        assert session.last_seen == seen

    async def test_extending_restarts_the_idle_time_and_needs_the_csrf_token(
        self, client: httpx.AsyncClient, login: Login, csrf_of: CsrfOf, last_login: respx.Route
    ) -> None:
        await login(client)
        token = csrf_of((await client.get("/")).text)
        session = only_session(client)
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
        only_session(client).last_seen -= 1801
        assert (await client.get("/session/remaining")).json() == {"remaining_seconds": 0, "extendable": False}
        late = await client.post("/session/keep-alive", headers={"X-CSRF-Token": token})
        assert late.status_code == 303 and late.headers["location"].startswith("/login")


@pytest.mark.req("N04", partial=True)
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
        self, settings: Settings, keycloak: FakeKeycloak
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
        self, settings: Settings, keycloak: FakeKeycloak, last_login: respx.Route
    ) -> None:
        async for browser in gateway_with(settings, login_banner_after_login=False):
            started = await browser.get("/login")
            await browser.get(keycloak.authorize(started.headers["location"]))
            home = await browser.get("/")
            assert home.status_code == 200 and "利用上の注意" not in home.text


@pytest.mark.req("R32")
class TestReadOnlyUser:
    @pytest.fixture
    async def viewer(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloak, backends: respx.MockRouter
    ) -> httpx.AsyncClient:
        """A logged-in viewer (参照のみ) on a patient page the fake patients service answers."""
        with_roles(keycloak, VIEWER_ROLES)
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        for tail in ("history", "lab-results"):
            backends.get(f"{PATIENTS}/patients/{PATIENT_ID}/{tail}").mock(
                return_value=httpx.Response(200, json={"items": []})
            )
        await login(client)
        return client

    async def test_the_patient_page_offers_no_form_that_would_change_the_patient(
        self, viewer: httpx.AsyncClient
    ) -> None:
        page = await viewer.get(f"/patients/{PATIENT_ID}")
        html = page.text
        assert page.status_code == 200 and "試験 太郎" in html
        posts = set(re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html))
        posts |= set(re.findall(r'<form[^>]*action="([^"]+)"[^>]*method="post"', html))
        assert posts == {f"/patients/{PATIENT_ID}/documents", "/logout"}, "printing needs only 帳票 参照"
        assert "検査結果を追加する" not in html
        assert "患者登録" not in nav_of(html) and "患者一覧" in nav_of(html)
        assert "ユーザ管理" not in nav_of(html) and "操作履歴" not in nav_of(html)

    async def test_the_gateway_itself_refuses_changes_and_sends_nothing_on(
        self, viewer: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        edit = backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json={}))
        register = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
        token = csrf_of((await viewer.get(f"/patients/{PATIENT_ID}")).text)
        for path in (f"/patients/{PATIENT_ID}/edit", "/patients", f"/patients/{PATIENT_ID}/lab-results"):
            response = await viewer.post(path, data={"csrf_token": token, "name": "改ざん 太郎", "version": "1"})
            assert response.status_code == 403, path
            assert "権限がありません" in response.text and "「患者管理」の更新権限がありません。" in response.text
        form = await viewer.get("/patients/new")
        assert form.status_code == 403 and "「患者管理」の更新権限がありません。" in form.text
        assert not edit.called and not register.called

    async def test_administration_pages_are_refused_without_calling_identity(
        self, viewer: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        users = backends.route(host="identity.test").mock(return_value=httpx.Response(200, json={"items": []}))
        for path, area in (("/admin/users", "ユーザ管理"), ("/admin/access", "ユーザ管理"), ("/admin/audit", "監査")):
            page = await viewer.get(path)
            assert page.status_code == 403 and f"「{area}」の" in page.text, path
        token = csrf_of((await viewer.get(f"/patients/{PATIENT_ID}")).text)
        created = await viewer.post("/admin/users", data={"csrf_token": token, "username": "intruder"})
        assert created.status_code == 403 and "「ユーザ管理」の更新権限がありません。" in created.text
        assert not users.called

    async def test_new_roles_apply_from_the_next_token_refresh(
        self, viewer: httpx.AsyncClient, keycloak: FakeKeycloak, last_login: respx.Route
    ) -> None:
        assert "患者登録" not in nav_of((await viewer.get("/")).text)
        with_roles(keycloak, ["patients:update", *VIEWER_ROLES])
        session = only_session(viewer)
        session.tokens = type(session.tokens)(**{**session.tokens.__dict__, "expires_at": 0})
        html = (await viewer.get("/")).text
        assert keycloak.token_forms[-1]["grant_type"] == "refresh_token"
        assert "患者登録" in nav_of(html)


@pytest.mark.req("R36")
class TestTamperCheckPage:
    async def test_a_broken_chain_is_reported_with_where_and_how(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloak, backends: respx.MockRouter
    ) -> None:
        outcome = {
            "ok": False,
            "checked": 16,
            "last_seq": 40,
            "broken_seq": 17,
            "problem": "missing",
            "message": "操作履歴 17 番が削除されています。",
        }
        backends.get(f"{IDENTITY}/audit/verify").mock(return_value=httpx.Response(200, json=outcome))
        with_roles(keycloak, ["audit:read"])
        await login(client)
        page = text_of((await client.get("/admin/audit/verify")).text)
        assert "結果：改ざんを検出しました" in page and "操作履歴 17 番が削除されています。" in page
        assert "異常のある番号 17" in page and "異常の種類 削除" in page and "検査した件数 16件" in page


def test_generated_passwords_meet_the_realm_policy() -> None:
    from gateway.routes.admin.forms import temporary_password

    passwords = {temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) >= 12
        assert re.search("[A-Z]", password) and re.search("[a-z]", password) and re.search("[0-9]", password)
        assert re.search(r"[^A-Za-z0-9]", password) and not re.search("[0O1lI]", password)
    assert json.dumps(sorted(passwords))  # printable, JSON-safe
