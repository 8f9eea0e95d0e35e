"""The patient page and the list against a fake patients service: the header's key facts, not found."""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from ...conftest import PATIENT, PATIENT_ID, PATIENTS, mock_patient_page, text_of


@pytest.mark.req("R30")
class TestPatientPage:
    async def test_the_header_shows_the_patients_key_facts(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        html = (await browser.get(f"/patients/{PATIENT_ID}")).text
        header = text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        for fact in (
            "試験 太郎",
            "カナ シケン タロウ",
            "性別 男性",
            "生年月日 昭和45年3月1日（1970年3月1日）",
            "登録番号 2026-00001",
            "登録区分 患者",
            "状態 登録中",
            "地区 世田谷",
        ):
            assert fact in header, fact
        assert re.search(r"年齢 \d+歳", header)
        assert "結核登録票（F03）を出力" in html

    async def test_the_header_shows_the_measures_in_force_with_the_days_left(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        measures = [
            {"id": "7d1f0c1e-0000-4000-8000-000000000020", "article": "20", "label": "20条 入院勧告",
             "starts_on": "2026-11-29", "ends_on": "2026-12-28", "days_left": 24, "hospital": "試験病院",
             "restricted_work": ""},
            {"id": "7d1f0c1e-0000-4000-8000-000000000018", "article": "18", "label": "18条 就業制限",
             "starts_on": "2026-11-30", "ends_on": None, "days_left": None, "hospital": "",
             "restricted_work": "接客業その他の多数の者に接触する業務"},
        ]  # fmt: skip
        record = {"patient": PATIENT, "history": [], "lab_results": [], "care": {}, "alerts": [], "measures": measures}
        backends.routes["patient-record"].mock(return_value=httpx.Response(200, json=record))
        html = (await browser.get(f"/patients/{PATIENT_ID}")).text
        header = text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        assert "勧告 20条 入院勧告 令和8年11月29日から令和8年12月28日まで（残り24日）・試験病院" in header
        assert "18条 就業制限 令和8年11月30日から感染のおそれがなくなるまで" in header

    async def test_an_unknown_patient_is_a_japanese_not_found_page(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(
            return_value=httpx.Response(404, json={"detail": "指定された患者が見つかりません。"})
        )
        response = await browser.get(f"/patients/{PATIENT_ID}")
        assert response.status_code == 404 and "指定された患者が見つかりません。" in response.text

    async def test_the_list_shows_the_newest_patients(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = backends.get(f"{PATIENTS}/patients").mock(
            return_value=httpx.Response(200, json={"items": [PATIENT], "total": 1})
        )
        html = (await browser.get("/patients")).text
        assert route.calls.last.request.url.params["limit"] == "50"
        assert f'<a href="/patients/{PATIENT_ID}">試験 太郎</a>' in html and "昭和45年3月1日" in html


class TestWithoutMasters:
    async def test_the_patient_page_opens_and_its_basic_form_asks_for_the_district_as_text(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        backends.routes["districts"].mock(return_value=httpx.Response(503))
        page = await browser.get(f"/patients/{PATIENT_ID}")
        assert page.status_code == 200
        assert re.search(r'<input[^>]*id="f-district"[^>]*value="世田谷"', page.text)
        assert "地区の一覧を読み込めませんでした" in page.text
