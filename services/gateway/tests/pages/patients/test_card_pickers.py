"""The masters' pickers on the patient card (R25): 届出's 医療機関 and 届出医師, the care records' institutions;
free text stays allowed, a chosen institution keeps its code and fills the address and phone still empty."""

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
    PATIENT,
    PATIENT_ID,
    PATIENTS,
    Login,
    csrf_token,
    logged_in_chromium,
    mock_patient_page,
)

pytestmark = pytest.mark.req("R25", partial=True)
CODE = "1310112345"
INSTITUTIONS = [
    {
        "code": "1310199991",
        "name": "世田谷北クリニック",
        "kana": "セタガヤキタクリニック",
        "label": "",
        "detail": "世田谷区北沢",
    },
    {
        "code": CODE,
        "name": "世田谷中央病院",
        "kana": "セタガヤチュウオウビョウイン",
        "label": "",
        "detail": "世田谷区世田谷",
    },
]
INSTITUTION = {
    "kind": "institution",
    "code": CODE,
    "name": "世田谷中央病院",
    "kana": "セタガヤチュウオウビョウイン",
    "data": {"address": "東京都世田谷区世田谷1-2-3", "phone": "03-1111-2222", "type": "hospital"},
}
DOCTORS = [{"code": "D00001", "name": "見本 一郎", "kana": "ミホン イチロウ", "label": "", "detail": "呼吸器内科"}]
NOTIFIED = {
    **PATIENT,
    "notification": {
        "institution_name": "昔の医院（自由入力）",
        "institution_code": "",
        "institution_address": "",
        "institution_phone": "",
        "doctor_name": "",
    },
}


def mock_masters(backends: respx.MockRouter) -> dict[str, respx.Route]:
    """masters suggests institutions and doctors, and answers the chosen institution."""
    return {
        "institutions": backends.get(f"{MASTERS}/masters/institution/suggest").mock(
            return_value=httpx.Response(200, json=INSTITUTIONS)
        ),
        "doctors": backends.get(f"{MASTERS}/masters/doctor/suggest").mock(
            return_value=httpx.Response(200, json=DOCTORS)
        ),
        "institution": backends.get(f"{MASTERS}/masters/institution/{CODE}").mock(
            return_value=httpx.Response(200, json=INSTITUTION)
        ),
    }


def notification_form(html: str) -> str:
    """The 届出 correction form of the patient page."""
    start = html.index(f'action="/patients/{PATIENT_ID}/sections/notification"')
    return html[start : html.index("</form>", start)]


class TestOnThePage:
    async def test_the_notification_form_has_the_institution_and_doctor_pickers_keeping_free_text(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends).mock(return_value=httpx.Response(200, json=NOTIFIED))
        form = notification_form((await browser.get(f"/patients/{PATIENT_ID}")).text)
        assert 'data-picker="/masters/institution"' in form and 'data-picker-keeps="name"' in form
        assert 'data-picker-code="f-nt-notification-institution_code"' in form
        fills = "address=f-nt-notification-institution_address phone=f-nt-notification-institution_phone"
        assert f'data-picker-fills="{fills}"' in form
        assert re.search(
            r'id="f-nt-notification-institution_name" name="notification.institution_name" type="text"'
            r' value="昔の医院（自由入力）"[^>]*role="combobox"',
            form,
        )
        code = 'id="f-nt-notification-institution_code" name="notification.institution_code" value=""'
        assert f'<input type="hidden" {code}>' in form
        assert (
            'data-picker="/masters/doctor"' in form
            and 'data-picker-narrow="f-nt-notification-institution_code"' in form
        )
        doctor = re.search(r'data-picker="/masters/doctor"[^>]*>', form)
        assert doctor and 'data-picker-code="f-nt-notification-doctor_code"' in doctor.group(0)
        assert (
            '<input type="hidden" id="f-nt-notification-doctor_code" name="notification.doctor_code" value="">' in form
        )

    async def test_care_records_pick_their_institution_as_text(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        page = (await browser.get(f"/patients/{PATIENT_ID}")).text
        for input_id in ("f-tr-new-institution", "f-ho-new-hospital", "f-pe-new-institution"):
            assert re.search(rf'id="{input_id}"[^>]*role="combobox"', page), input_id
        assert re.search(r'data-picker="/masters/municipality"[^>]*>\s*<label for="f-tf-new-counterpart"', page)

    async def test_registration_keeps_the_chosen_institutions_code(self, browser: httpx.AsyncClient) -> None:
        page = (await browser.get("/patients/new")).text
        assert 'name="notification.institution_code" value=""' in page

    async def test_the_chosen_code_is_saved_with_the_section(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        saved = backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        page = (await browser.get(f"/patients/{PATIENT_ID}")).text
        data = {
            "csrf_token": csrf_token(page),
            "version": "1",
            "notification.institution_name": "世田谷中央病院",
            "notification.institution_code": CODE,
            "notification.doctor_name": "見本 一郎",
            "notification.doctor_code": "D00001",
        }
        answer = await browser.post(f"/patients/{PATIENT_ID}/sections/notification", data=data)
        assert answer.status_code == 303
        changes = json.loads(saved.calls.last.request.content)["changes"]["notification"]
        assert changes["institution_name"] == "世田谷中央病院" and changes["institution_code"] == CODE
        assert (changes["doctor_name"], changes["doctor_code"]) == ("見本 一郎", "D00001")


# What a screen reader is told about the institution picker, and what the form would send.
PICKER_STATE = """
const box = document.getElementById("f-nt-notification-institution_name");
const options = document.querySelectorAll('#f-nt-notification-institution_name-options [role="option"]');
return {
  selected: Array.from(options, (option) => option.getAttribute("aria-selected")),
  active: box.getAttribute("aria-activedescendant"),
  expanded: box.getAttribute("aria-expanded"),
  focused: document.activeElement === box,
  typed: box.value,
  code: document.getElementById("f-nt-notification-institution_code").value,
  address: document.getElementById("f-nt-notification-institution_address").value,
  phone: document.getElementById("f-nt-notification-institution_phone").value,
  chosen: document.getElementById("f-nt-notification-institution_name-chosen").textContent,
  status: document.getElementById("f-nt-notification-institution_name-status").textContent,
};
"""
INSTITUTIONS_SHOWN = (
    "document.querySelectorAll('#f-nt-notification-institution_name-options [role=\"option\"]').length === 2"
)


@pytest.fixture
async def card_in_chromium(served: str, login: Login, backends: respx.MockRouter) -> AsyncIterator[Chromium]:
    """Chromium with a nurse's session on the patient page, the 届出 correction form open."""
    mock_patient_page(backends)
    async with logged_in_chromium(served, login, f"/patients/{PATIENT_ID}") as browser:
        await browser.click("#notification-edit-title")
        yield browser


class TestInChromium:
    async def test_an_institution_is_picked_with_the_keyboard_filling_its_code_address_and_phone(
        self, card_in_chromium: Chromium, backends: respx.MockRouter
    ) -> None:
        browser = card_in_chromium
        routes = mock_masters(backends)
        await browser.type("#f-nt-notification-institution_name", "せたがや")
        await browser.wait_for(INSTITUTIONS_SHOWN)
        assert routes["institutions"].calls.last.request.url.params["q"] == "せたがや"
        state = await browser.run(PICKER_STATE)
        assert state["expanded"] == "true" and state["active"] is None and state["status"] == "候補2件"

        await browser.press("ArrowDown")
        await browser.press("ArrowDown")
        state = await browser.run(PICKER_STATE)
        assert state["selected"] == ["false", "true"] and state["focused"]
        assert state["active"] == "f-nt-notification-institution_name-option-2"

        await browser.press("Enter")
        await browser.wait_for("document.getElementById('f-nt-notification-institution_address').value !== ''")
        state = await browser.run(PICKER_STATE)
        assert state["typed"] == "世田谷中央病院" and state["code"] == CODE and state["expanded"] == "false"
        assert state["address"] == "東京都世田谷区世田谷1-2-3" and state["phone"] == "03-1111-2222"
        assert state["chosen"] == f"マスタの医療機関コード：{CODE}" and state["focused"]
        assert "医療機関の所在地、医療機関の電話番号も入力しました。" in state["status"]
        assert await browser.run("return location.pathname;") == f"/patients/{PATIENT_ID}", "Enter did not send"

        await browser.type("#f-nt-notification-doctor_name", "見本")
        await browser.wait_for(
            "document.querySelectorAll('#f-nt-notification-doctor_name-options [role=\"option\"]').length === 1"
        )
        assert routes["doctors"].calls.last.request.url.params["ref"] == CODE, "doctors of the chosen institution"
        await browser.press("ArrowDown")
        await browser.press("Enter")
        assert (
            await browser.run("return document.getElementById('f-nt-notification-doctor_name').value;") == "見本 一郎"
        )
        assert await browser.run("return document.getElementById('f-nt-notification-doctor_code').value;") == "D00001"

    async def test_typing_over_a_chosen_institution_keeps_the_text_and_forgets_the_code(
        self, card_in_chromium: Chromium, backends: respx.MockRouter
    ) -> None:
        browser = card_in_chromium
        mock_masters(backends)
        await browser.type("#f-nt-notification-institution_name", "せたがや")
        await browser.wait_for(INSTITUTIONS_SHOWN)
        await browser.press("ArrowDown")
        await browser.press("Enter")
        assert (await browser.run(PICKER_STATE))["code"] == "1310199991"
        await browser.type("#f-nt-notification-institution_name", "（分院）")
        await browser.press("Escape")
        state = await browser.run(PICKER_STATE)
        assert state["typed"] == "世田谷北クリニック（分院）" and state["code"] == "" and state["chosen"] == ""
        assert state["expanded"] == "false"
