"""利用統計 (N30): a month's logins, views per area, downloads and prints, and search words with names masked."""

from __future__ import annotations

import httpx
import pytest
import respx
from gateway.pages.admin.usage import masked

from ...conftest import IDENTITY, FakeKeycloakType, Login, text_of, with_roles

pytestmark = pytest.mark.req("N30", partial=True)


def events(request: httpx.Request) -> httpx.Response:
    operation = request.url.params.get("operation")
    rows = {
        "read": [{"service": "patients"}] * 3 + [{"service": "contacts"}],
        "search": [
            {"query": "q=試験 太郎"},
            {"query": "q=S45 世田谷"},
            {"query": "q=試験 花子"},
            {"query": "q=03-1234-5678"},
        ],
        "print": [{"service": "reports"}] * 2,
        "download": [{"service": "reports"}],
        "export": [{"service": "patients"}],
    }[operation or "read"]
    return httpx.Response(200, json={"items": rows})


async def test_an_auditor_sees_the_month_in_numbers_and_masked_words(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> None:
    with_roles(keycloak, ["audit:read"])
    await login(client)
    logins = backends.get(f"{IDENTITY}/logins").mock(
        return_value=httpx.Response(200, json={"items": [{"user_id": "a"}, {"user_id": "b"}, {"user_id": "a"}]})
    )
    backends.get(f"{IDENTITY}/audit/events").mock(side_effect=events)
    page = await client.get("/admin/usage", params={"month": "2026-11"})
    assert page.status_code == 200
    text = text_of(page.text)
    assert logins.calls.last.request.url.params["from"] == "2026-11-01"
    assert logins.calls.last.request.url.params["to"] == "2026-11-30"
    assert "ログイン 3件" in text and "ログインした職員 2人" in text and "閲覧（画面） 4件" in text
    assert "帳票の出力 2件" in text and "ダウンロード・CSV出力 2件" in text and "検索 4件" in text
    assert "患者管理 3件 接触者管理 1件" in text
    assert "試験" not in text.split("よく検索された語")[1].split("伏字：")[0], "no name in the word list"
    assert "○○ 4回" in text and "S45 1回" in text and "世田谷 1回" in text and "99-9999-9999 1回" in text


async def test_users_without_the_audit_area_are_refused(browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/admin/usage")).status_code == 403


def test_masking_keeps_only_era_years_and_districts() -> None:
    assert masked("S45") == "S45" and masked("1970") == "1970" and masked("世田谷", ["世田谷"]) == "世田谷"
    assert masked("シケン") == "○○○" and masked("2026-00001") == "9999-99999"
