"""利用統計 (N30): a month's logins, views per area, downloads and prints, the twelve months up to it, and search
words identity counted over the whole month and masked."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
import respx

from ...conftest import DISTRICTS, IDENTITY, FakeKeycloakType, Login, mock_usage, text_of, usage_month, with_roles

pytestmark = pytest.mark.req("N30", partial=True)


def words(request: httpx.Request) -> httpx.Response:
    assert request.url.params.get_list("keep") == DISTRICTS, "the districts are shown as typed"
    assert request.url.params["top"] == "10"
    counted = [{"word": "○○", "count": 4_321}, {"word": "S45", "count": 1}, {"word": "世田谷", "count": 1}]
    return httpx.Response(200, json={"searches": 4_322, "words": [*counted, {"word": "99-9999-9999", "count": 1}]})


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
    search_words = backends.get(f"{IDENTITY}/usage/search-words").mock(side_effect=words)
    raw = backends.get(f"{IDENTITY}/audit/events")
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
    assert search_words.calls.last.request.url.params["from"] == "2026-11-01", "the chosen month's searches"
    assert search_words.calls.last.request.url.params["to"] == "2026-11-30"
    assert not raw.called, "no raw search reaches the gateway"
    assert "この月のすべての検索から" in text and "最近の検索" not in text
    assert "○○ 4,321回" in text and "S45 1回" in text and "世田谷 1回" in text and "99-9999-9999 1回" in text


async def test_users_without_the_audit_area_are_refused(browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/admin/usage")).status_code == 403


async def test_the_twelve_months_download_as_csv_for_excel_or_in_shift_jis(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> None:
    with_roles(keycloak, ["audit:read"])
    await login(client)
    monthly = mock_usage(backends)
    page = await client.get("/admin/usage", params={"month": "2026-11"})
    assert 'href="/admin/usage/export.csv?month=2026-11"' in page.text
    exported = await client.get("/admin/usage/export.csv", params={"month": "2026-11"})
    assert exported.status_code == 200 and exported.content.startswith("\ufeff".encode())
    assert "filename*=UTF-8''" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["月", "ログイン", "ログインした職員"] and rows[0][-1] == "検索"
    assert len(rows) == 13 and rows[1][0] == "2025-12", "the twelve months, oldest first"
    assert rows[-1] == ["2026-11", "420", "12", "3100", "40", "0", "260"]
    assert monthly.calls.last.request.url.params["from"] == "2025-12-01"
    shift_jis = await client.get("/admin/usage/export.csv", params={"month": "2026-11", "encoding": "cp932"})
    assert shift_jis.content.decode("cp932").startswith("月,ログイン,")


async def test_users_without_the_audit_area_cannot_download_it(browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/admin/usage/export.csv")).status_code == 403
