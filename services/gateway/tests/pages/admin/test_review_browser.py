"""不審なアクセスの確認, 点検の予定と実施記録 and 権限の見直し in headless Chromium against a fake identity: each page
is shown with planted findings, an overdue review and a dormant, over-privileged account, and axe (WCAG 2.0 A/AA)
finds nothing. Screenshots go to $TBMS_SHOTS (else the test's temporary directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import IDENTITY, FakeKeycloakType, Login, logged_in_chromium, with_roles
from .test_access_review_pages import CALENDAR, finding
from .test_rights_review_pages import report

RULES = [
    {"code": "no_relation", "name": "担当外の閲覧", "explanation": "担当でない職員が閲覧した", "level": "要確認"},
    {"code": "outside_district", "name": "担当地区外の大量閲覧", "explanation": "地区外を多数閲覧", "level": "確認"},
    {"code": "bulk_export", "name": "大量出力", "explanation": "500件以上を出力した", "level": "要確認"},
]


def findings() -> dict[str, Any]:
    """Three planted findings, one already reviewed."""
    return {
        "items": [
            finding(
                id="1b6f6a52-2d0c-4d8e-9a55-1d2f3c4b5a69",
                rule="no_relation",
                rule_name="担当外の閲覧",
                username="nurse9",
                person_id="P-0042",
                summary="担当外(地区 北地区、担当保健師 nurse1)の人の記録を 2回閲覧・出力",
            ),
            finding(
                id="2b6f6a52-2d0c-4d8e-9a55-1d2f3c4b5a69",
                rule="outside_district",
                rule_name="担当地区外の大量閲覧",
                level="確認",
                username="nurse7",
                summary="担当地区(南地区)以外の 24人を閲覧",
            ),
            finding(status="ok", status_label="確認済・問題なし", reviewer="admin1"),
        ],
        "total": 3,
    }


@pytest.mark.req("N21", partial=True)
async def test_the_review_list_the_calendar_and_the_rights_report_in_chromium_pass_axe(
    served: str, login: Login, shots: Path, settings: Settings, backends: respx.MockRouter, keycloak: FakeKeycloakType
) -> None:
    backends.get(f"{IDENTITY}/access-review/rules").mock(return_value=httpx.Response(200, json=RULES))
    backends.get(f"{IDENTITY}/access-review/findings").mock(return_value=httpx.Response(200, json=findings()))
    backends.get(f"{IDENTITY}/review-calendar").mock(return_value=httpx.Response(200, json=CALENDAR))
    backends.get(f"{IDENTITY}/rights-review").mock(return_value=httpx.Response(200, json=report()))
    with_roles(keycloak, ["audit:update", "users:update"])
    settings.public_url = served
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, "/admin/access-review") as browser:
        found["list"] = await look(browser, shots, "access-review-list")
        assert "担当外の閲覧" in await browser.run("return document.body.innerText;")
        await browser.go(f"{served}/admin/access-review/calendar")
        found["calendar"] = await look(browser, shots, "review-calendar")
        assert "期限超過" in await browser.run("return document.body.innerText;")
        await browser.go(f"{served}/admin/rights-review")
        found["rights"] = await look(browser, shots, "rights-review")
        assert "無効化を提案" in await browser.run("return document.body.innerText;")
    assert found == {key: [] for key in found}
