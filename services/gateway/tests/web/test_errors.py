"""What the user sees when a back end refuses, fails or asks for a new login: Japanese pages, never a trace."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from ..conftest import PATIENTS


class TestBackendFailures:
    async def test_403_is_a_japanese_no_permission_page_with_the_services_message(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        message = "「患者管理」の参照権限がありません。管理者に確認してください。"
        backends.get(f"{PATIENTS}/patients").mock(return_value=httpx.Response(403, json={"detail": message}))
        response = await browser.get("/patients")
        assert response.status_code == 403 and "権限がありません" in response.text and message in response.text

    async def test_401_sends_the_user_to_login_again(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients").mock(return_value=httpx.Response(401, json={"detail": "x"}))
        response = await browser.get("/patients")
        assert response.status_code == 303 and response.headers["location"] == "/login?next=/patients"
        relogin = await browser.get("/login", params={"next": "/patients"})
        assert relogin.headers["location"].startswith("http://kc.test/")

    @pytest.mark.parametrize("failure", [httpx.Response(500), httpx.Response(502), httpx.ReadTimeout("slow")])
    async def test_outages_and_timeouts_are_a_temporary_failure_page(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, failure: Any
    ) -> None:
        route = backends.get(f"{PATIENTS}/patients")
        route.mock(side_effect=failure) if isinstance(failure, Exception) else route.mock(return_value=failure)
        response = await browser.get("/patients")
        assert response.status_code == 503
        assert "一時的にサービスに接続できません" in response.text and "Traceback" not in response.text

    async def test_htmx_requests_are_sent_to_login_as_a_whole_page(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/search/suggest",
            params={"q": "試験"},
            headers={"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1:8000/patients?x=1"},
        )
        assert response.headers["hx-redirect"] == "/login?next=/patients"
