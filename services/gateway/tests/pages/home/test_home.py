"""The home page against a fake identity: the greeting, the previous login and logout, the layout."""

from __future__ import annotations

import re

import httpx
import respx

from ...conftest import IDENTITY, text_of


class TestHome:
    async def test_greets_the_user_and_shows_the_previous_login_in_wareki_and_tokyo_time(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        last = {
            "current_login": {"time": "2026-11-21T01:00:00Z", "ip_address": "192.0.2.20"},
            "previous_login": {"time": "2026-11-20T00:05:00Z", "ip_address": "192.0.2.10"},
            "last_logout": {"time": "2026-11-20T08:30:00+00:00", "ip_address": "192.0.2.10"},
            "failed_logins_since_previous": 2,
        }
        backends.get(f"{IDENTITY}/logins/me/last").mock(return_value=httpx.Response(200, json=last))
        page = text_of((await browser.get("/")).text)
        assert "ようこそ、試験 花子さん" in page
        assert "前回ログイン 令和8年11月20日 09:05（接続元: 192.0.2.10）" in page
        assert "前回ログアウト 令和8年11月20日 17:30" in page
        assert "2回" in page

    async def test_still_renders_when_identity_is_down(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{IDENTITY}/logins/me/last").mock(side_effect=httpx.ConnectError("refused"))
        response = await browser.get("/")
        assert response.status_code == 200
        assert "前回ログイン情報を取得できませんでした" in response.text

    async def test_layout_has_search_navigation_user_and_logout(
        self, browser: httpx.AsyncClient, no_last_login: respx.Route
    ) -> None:
        html = (await browser.get("/")).text
        assert '<html lang="ja">' in html and 'href="#main"' in html and '<main id="main"' in html
        assert 'role="search"' in html and '<label for="global-search-q">検索</label>' in html
        assert 'hx-get="/search/suggest"' in html
        assert "結核患者管理システム" in html and "試験 花子 さん" in html and "ログアウト" in html
        assert re.search(r'<a href="/" aria-current="page">ホーム</a>', html)
        assert ">患者登録</a>" in html and ">患者一覧</a>" in html

    async def test_the_token_goes_to_the_back_end_with_the_users_address(
        self, browser: httpx.AsyncClient, no_last_login: respx.Route
    ) -> None:
        await browser.get("/", headers={"X-Forwarded-For": "203.0.113.9"})
        sent = no_last_login.calls.last.request.headers
        assert sent["authorization"].startswith("Bearer ey")
        assert sent["x-forwarded-for"] == "127.0.0.1"
