"""Contacts and the DOTS state in the one search box and 詳細検索 (against a fake search service): a contact hit
is marked 接触者, links to the contact's page and shows its index patient and district; a patient under DOTS shows its
type, intensity and next confirmation (or that confirmations stopped); axe finds nothing on the result page (R22)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import respx
from tbms_core.clock import frozen_at, jst

from ...chromium import look
from ...conftest import SEARCH, Login, logged_in_chromium

CONTACT_ID = "8a1d2e3f-4b5c-4d6e-9f70-81a2b3c4d5e6"
PATIENT_ID = "5b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a11"
CONTACT = {
    "record_type": "contact",
    "id": CONTACT_ID,
    "area": "contacts",
    "name": "髙橋 花子",
    "name_kana": "タカハシ ハナコ",
    "birth_date": "2015-06-01",
    "birth_date_wareki": "平成27年6月1日",
    "registration_no": "",
    "status": "active",
    "district": "北沢",
    "index_patient": "2026-00001 試験 太郎",
    "highlight": {"name": [["髙橋", True], [" 花子", False]], "name_kana": [["タカハシ", True], [" ハナコ", False]]},
}
PATIENT = {
    "record_type": "patient",
    "id": PATIENT_ID,
    "area": "patients",
    "name": "高橋 一郎",
    "name_kana": "タカハシ イチロウ",
    "birth_date": "1961-05-02",
    "birth_date_wareki": "昭和36年5月2日",
    "registration_no": "2026-00002",
    "status": "active",
    "district": "北沢",
    "dots_type_label": "訪問DOTS",
    "dots_intensity": "A",
    "dots_due_on": "2026-11-26",
}
FACETS = {"record_type": {"patient": 1, "contact": 1}, "status": {"active": 2}, "district": {"北沢": 2}}
TODAY = jst(2026, 12, 3, 10)


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login) -> httpx.AsyncClient:
    """A logged-in nurse's browser."""
    await login(client)
    return client


def rows_of(html: str) -> list[str]:
    """Each result row's text, tags removed and spaces collapsed."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>")[:-1]]


def answer(backends: respx.MockRouter, *items: dict) -> respx.Route:
    """search answers GET /search with these hits."""
    body = {"items": list(items), "total": len(items), "facets": FACETS}
    return backends.get(f"{SEARCH}/search").mock(return_value=httpx.Response(200, json=body))


@pytest.mark.req("R22", partial=True)
class TestContactHits:
    """A contact beside patients in the results and the suggestions."""

    async def test_a_contact_is_marked_and_links_to_its_page_with_its_index_patient(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        answer(backends, PATIENT, CONTACT)
        with frozen_at(TODAY):
            html = (await browser.get("/search", params={"q": "たかはし"})).text
        patient_row, contact_row = rows_of(html)
        assert contact_row == "接触者 髙橋 花子 タカハシ ハナコ 平成27年6月1日 2026-00001 試験 太郎 北沢 健診中"
        assert f'<a href="/contacts/{CONTACT_ID}"><mark>髙橋</mark> 花子</a>' in html
        assert '<td><span class="tag">接触者</span></td>' in html
        assert patient_row.startswith("患者 高橋 一郎 タカハシ イチロウ 昭和36年5月2日 2026-00002 北沢 登録中")
        assert "接触者</a>（1件）" in html  # the type facet counts the contacts apart

    async def test_a_contact_suggestion_is_marked_and_names_its_index_patient(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{SEARCH}/search/suggest").mock(return_value=httpx.Response(200, json={"items": [CONTACT]}))
        html = (await browser.get("/search/suggest", params={"q": "たかはし"}, headers={"HX-Request": "true"})).text
        assert f'<a href="/contacts/{CONTACT_ID}" tabindex="-1"><span class="tag">接触者</span>' in html
        assert "発端者 2026-00001 試験 太郎" in html


@pytest.mark.req("R07", "R22", partial=True)
class TestDotsInSearch:
    """The DOTS state in the results, and 詳細検索's DOTS conditions."""

    async def test_a_due_date_passed_reads_as_confirmations_stopped(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        later = PATIENT | {"id": CONTACT_ID, "dots_intensity": "B", "dots_due_on": "2026-12-05"}
        answer(backends, PATIENT, later)
        with frozen_at(TODAY):
            html = (await browser.get("/search", params={"q": "たかはし"})).text
        stopped, due = rows_of(html)
        assert stopped.endswith("登録中 訪問DOTS・支援強度A 確認途絶 令和8年11月26日から")
        assert due.endswith("登録中 訪問DOTS・支援強度B 次回確認 令和8年12月5日")
        assert '<span class="tag tag--alert">確認途絶</span>' in html

    async def test_the_dots_conditions_are_offered_passed_on_and_kept(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = answer(backends, PATIENT)
        empty = (await browser.get("/search/advanced")).text
        for label in ("服薬支援（DOTS）", "DOTSの種類", "支援強度", "次回の服薬確認の期日"):
            assert f">{label}<" in empty, label
        params = [("dots_type", "visit"), ("dots_type", "outpatient"), ("dots_intensity", "A")]
        params += [("dots_overdue", "true"), ("dots_due_from", "R8.11.1"), ("type", "patient")]
        html = (await browser.get("/search/advanced", params=params)).text
        sent = route.calls.last.request.url.params
        assert sent.get_list("dots_type") == ["visit", "outpatient"] and sent["dots_intensity"] == "A"
        assert (sent["dots_overdue"], sent["dots_due_from"]) == ("true", "R8.11.1")
        assert '<input type="checkbox" name="dots_type" value="visit" checked>' in html
        assert '<input type="checkbox" name="dots_overdue" value="true" checked>' in html
        assert 'value="R8.11.1"' in html


@pytest.mark.req("R22", partial=True)
async def test_the_result_page_with_a_contact_passes_axe(
    served: str, login: Login, shots: Path, backends: respx.MockRouter
) -> None:
    answer(backends, PATIENT, CONTACT)
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, "/search?q=%E3%81%9F%E3%81%8B%E3%81%AF%E3%81%97") as browser:
        assert await browser.run("return document.querySelectorAll('tbody tr').length;") == 2
        found["results"] = await look(browser, shots, "search-contact")
        await browser.go(f"{served}/search/advanced?q=%E3%81%9F%E3%81%8B%E3%81%AF%E3%81%97&type=contact")
        found["advanced"] = await look(browser, shots, "search-advanced-contact")
        await browser.run("document.querySelector('details.disclosure').open = true;")
        found["advanced form"] = await look(browser, shots, "search-advanced-dots")
    assert found == {"results": [], "advanced": [], "advanced form": []}
