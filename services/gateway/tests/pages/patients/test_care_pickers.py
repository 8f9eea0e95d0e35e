"""The care records' pickers keep the masters' code beside the name (R25): 治療・入院・公費負担 the 医療機関コード,
転入・転出 the 全国地方公共団体コード; a name typed without picking is sent with no code."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from ...chromium import Chromium
from ...conftest import (
    MASTERS,
    PATIENT_ID,
    PATIENTS,
    Login,
    csrf_token,
    logged_in_chromium,
    mock_patient_page,
)

pytestmark = pytest.mark.req("R25", partial=True)
HOSPITAL_CODE = "1319901232"  # synthetic, with a right 検証番号
TOWN_CODE = "131997"  # synthetic, with a right 検査数字
RECORD_ID = "00000000-0000-4000-8000-000000000025"
# (form id, name input, hidden code input, master, path)
PICKERS = (
    ("tr", "institution", "institution_code", "institution", "treatments"),
    ("ho", "hospital", "hospital_code", "institution", "hospitalisations"),
    ("pe", "institution", "institution_code", "institution", "public-expenses"),
    ("tf", "counterpart", "counterpart_code", "municipality", "transfers"),
)
NEW = {
    "treatments": {"regimen": "2HREZ/4HR", "started_on": "R8.10.5", "institution": "試験中央病院"},
    "hospitalisations": {"hospital": "試験中央病院", "admitted_on": "R8.10.5"},
    "public-expenses": {"basis": "37-2", "status": "applied", "institution": "試験中央病院"},
    "transfers": {"direction": "in", "moved_on": "R8.10.5", "counterpart": "試験市保健所"},
}
STAY = {
    "id": RECORD_ID,
    "patient_id": PATIENT_ID,
    "version": 1,
    "updated_at": "2026-10-05T09:00:00+09:00",
    "updated_by": "nurse1",
    "data": {
        "hospital": "試験中央病院",
        "hospital_code": HOSPITAL_CODE,
        "admitted_on": "2026-10-05",
        "discharged_on": None,
        "recommended": False,
        "note": "",
    },
    "labels": {},
}


def code_of(path: str) -> str:
    return HOSPITAL_CODE if path != "transfers" else TOWN_CODE


class TestOnThePage:
    @pytest.mark.parametrize(("key", "name", "code", "master", "path"), PICKERS)
    async def test_each_add_form_has_the_picker_with_a_hidden_code(
        self,
        browser: httpx.AsyncClient,
        backends: respx.MockRouter,
        key: str,
        name: str,
        code: str,
        master: str,
        path: str,
    ) -> None:
        mock_patient_page(backends)
        page = (await browser.get(f"/patients/{PATIENT_ID}")).text
        start = page.index(f'action="/patients/{PATIENT_ID}/care/{path}"')
        form = page[start : page.index("</form>", start)]
        assert re.search(
            rf'data-picker="/masters/{master}"[^>]*data-picker-code="f-{key}-new-{code}"[^>]*>\s*'
            rf'<label for="f-{key}-new-{name}"',
            form,
        )
        assert f'<input type="hidden" id="f-{key}-new-{code}" name="{code}" value="">' in form

    async def test_a_stored_code_shows_in_the_correction_form_and_the_list(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        stays = httpx.Response(200, json={"items": [STAY]})
        empty = httpx.Response(200, json={"items": []})
        backends.get(url__regex=rf"^{PATIENTS}/patients/[^/]+/({'|'.join(NEW)}|notes)$", name="care-records").mock(
            side_effect=lambda request: stays if request.url.path.endswith("/hospitalisations") else empty
        )
        page = (await browser.get(f"/patients/{PATIENT_ID}")).text
        hidden = f'id="f-ho-{RECORD_ID}-hospital_code" name="hospital_code" value="{HOSPITAL_CODE}"'
        assert f'<input type="hidden" {hidden}>' in page
        assert f"マスタの医療機関コード：{HOSPITAL_CODE}" in page


class TestSaving:
    @pytest.mark.parametrize(("key", "name", "code", "master", "path"), PICKERS)
    async def test_a_picked_code_is_sent_with_the_name(
        self,
        browser: httpx.AsyncClient,
        backends: respx.MockRouter,
        key: str,
        name: str,
        code: str,
        master: str,
        path: str,
    ) -> None:
        mock_patient_page(backends)
        saved = backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/{path}").mock(
            return_value=httpx.Response(201, json=STAY)
        )
        page = (await browser.get(f"/patients/{PATIENT_ID}")).text
        data = {"csrf_token": csrf_token(page), **NEW[path], code: code_of(path)}
        answer = await browser.post(f"/patients/{PATIENT_ID}/care/{path}", data=data)
        assert answer.status_code == 303
        sent = json.loads(saved.calls.last.request.content)
        assert (sent[name], sent[code]) == (NEW[path][name], code_of(path))

    async def test_a_name_typed_without_picking_is_sent_with_no_code(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        saved = backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/hospitalisations").mock(
            return_value=httpx.Response(201, json=STAY)
        )
        page = (await browser.get(f"/patients/{PATIENT_ID}")).text
        data = {"csrf_token": csrf_token(page), **NEW["hospitalisations"], "hospital_code": ""}
        assert (await browser.post(f"/patients/{PATIENT_ID}/care/hospitalisations", data=data)).status_code == 303
        sent = json.loads(saved.calls.last.request.content)
        assert sent["hospital"] == "試験中央病院" and sent["hospital_code"] == ""

    async def test_a_refused_code_is_explained_beside_the_name_in_japanese(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        message = "医療機関コードの検証番号（最後の1桁）が合いません。医療機関を候補から選び直してください。"
        backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/hospitalisations").mock(
            return_value=httpx.Response(
                422, json={"detail": "入力内容に誤りがあります。", "errors": {"hospital_code": message}}
            )
        )
        page = (await browser.get(f"/patients/{PATIENT_ID}")).text
        data = {"csrf_token": csrf_token(page), **NEW["hospitalisations"], "hospital_code": "1319901233"}
        refused = await browser.post(f"/patients/{PATIENT_ID}/care/hospitalisations", data=data)
        assert refused.status_code == 422
        assert (
            f'id="f-ho-new-hospital_code-error"><span class="visually-hidden">エラー：</span>医療機関コード：{message}'
            in (refused.text)
        )
        assert re.search(
            r'id="f-ho-new-hospital"[^>]*aria-describedby="[^"]*f-ho-new-hospital_code-error', refused.text
        )
        summary = refused.text[refused.text.index('id="error-summary"') :]
        assert f'<a href="#f-ho-new-hospital">医療機関コード：{message}</a>' in summary, "links to the picker's input"


MUNICIPALITIES = [{"code": TOWN_CODE, "name": "試験市", "kana": "シケンシ", "label": "", "detail": "試験市保健所"}]


@pytest.fixture
async def page_in_chromium(served: str, login: Login, backends: respx.MockRouter) -> AsyncIterator[Chromium]:
    """Chromium with a nurse's session on the patient page, the 転入・転出 add form open."""
    mock_patient_page(backends)
    async with logged_in_chromium(served, login, f"/patients/{PATIENT_ID}") as browser:
        await browser.click("#tf-new-title")
        yield browser


class TestInChromium:
    async def test_picking_a_municipality_fills_its_code_and_retyping_forgets_it(
        self, page_in_chromium: Chromium, backends: respx.MockRouter
    ) -> None:
        browser = page_in_chromium
        backends.get(f"{MASTERS}/masters/municipality/suggest").mock(
            return_value=httpx.Response(200, json=MUNICIPALITIES)
        )
        code = "return document.getElementById('f-tf-new-counterpart_code').value;"
        await browser.type("#f-tf-new-counterpart", "しけん")
        await browser.wait_for(
            "document.querySelectorAll('#f-tf-new-counterpart-options [role=\"option\"]').length === 1"
        )
        await browser.press("ArrowDown")
        await browser.press("Enter")
        assert await browser.run("return document.getElementById('f-tf-new-counterpart').value;") == "試験市"
        assert await browser.run(code) == TOWN_CODE
        await browser.type("#f-tf-new-counterpart", "（旧）")
        await browser.press("Escape")
        assert await browser.run(code) == ""
