"""利用統計 (N30): a month's logins, views per area, downloads and prints, the twelve months up to it, and search
words with names masked."""

from __future__ import annotations

import httpx
import pytest
import respx
from gateway.pages.admin.usage import masked

from ...conftest import IDENTITY, FakeKeycloakType, Login, text_of, usage_month, with_roles

pytestmark = pytest.mark.req("N30", partial=True)


def searches(request: httpx.Request) -> httpx.Response:
    assert request.url.params.get("operation") == "search", "only the search words are read as rows"
    rows = [{"query": "q=試験 太郎"}, {"query": "q=S45 世田谷"}, {"query": "q=試験 花子"}, {"query": "q=03-1234-5678"}]
    return httpx.Response(200, json={"items": rows})


async def test_an_auditor_sees_the_month_in_numbers_the_twelve_months_and_masked_words(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> None:
    with_roles(keycloak, ["audit:read"])
    await login(client)
    earlier = [usage_month(f"2025-{n:02d}") for n in range(12, 13)] + [
        usage_month(f"2026-{n:02d}") for n in range(1, 10)
    ]
    counted = [
        *earlier,
        usage_month("2026-10", logins=1, users=1, reads=2_000),
        usage_month(
            "2026-11",
            logins=3_456,
            users=2,
            reads=4_000,
            prints=2,
            downloads=1,
            exports=1,
            searches=4,
            areas={"patients": 3_000, "contacts": 1_000},
        ),
    ]
    usage = backends.get(f"{IDENTITY}/usage/monthly").mock(return_value=httpx.Response(200, json={"months": counted}))
    backends.get(f"{IDENTITY}/audit/events").mock(side_effect=searches)
    page = await client.get("/admin/usage", params={"month": "2026-11"})
    assert page.status_code == 200
    text = text_of(page.text)
    assert usage.calls.last.request.url.params["from"] == "2025-12-01", "the twelve months up to the chosen one"
    assert usage.calls.last.request.url.params["to"] == "2026-11-30"
    assert "ログイン 3,456件" in text and "ログインした職員 2人" in text and "閲覧（画面） 4,000件" in text
    assert "帳票の出力 2件" in text and "ダウンロード・CSV出力 2件" in text and "検索 4件" in text
    assert "患者管理 3,000件 接触者管理 1,000件" in text
    trend = text.split("月ごとの推移")[1].split("業務ごとの閲覧")[0]
    assert "12か月" in trend and trend.index("2025年12月") < trend.index("2026年10月") < trend.index("2026年11月")
    assert 'value="50"' in page.text and 'value="100"' in page.text, "October's bar is half of November's"
    assert "試験" not in text.split("よく検索された語")[1].split("伏字：")[0], "no name in the word list"
    assert "○○ 4回" in text and "S45 1回" in text and "世田谷 1回" in text and "99-9999-9999 1回" in text


async def test_users_without_the_audit_area_are_refused(browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/admin/usage")).status_code == 403


def test_masking_keeps_only_era_years_and_districts() -> None:
    assert masked("S45") == "S45" and masked("1970") == "1970" and masked("世田谷", ["世田谷"]) == "世田谷"
    assert masked("シケン") == "○○○" and masked("2026-00001") == "9999-99999"
