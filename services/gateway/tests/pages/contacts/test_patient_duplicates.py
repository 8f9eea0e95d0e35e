"""The duplicate check at a contact's registration looks among the registered patients too (R12): a patient born
the same day with the same name or カナ is listed before anything is registered, the contact is registered as that
patient (linked, not copied) only once every candidate was seen, and the warning passes axe. contacts' answers are
those its API gives (services/contacts/tests/handover/test_api.py proves them against the real service)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import CONTACTS, Login, csrf_token, logged_in_chromium, text_of
from .conftest import CHILD, CONTACT, INDEX_ID, RECORDED, mock_index

pytestmark = pytest.mark.req("R12", partial=True)
PAGE = f"/contacts/index-patients/{INDEX_ID}"
PATIENT = {
    "id": "0d5c2a9e-1111-4222-8333-444455556666",
    "registration_no": "2026-00042",
    "name": "髙橋 一郎",
    "name_kana": "タカハシ イチロウ",
    "birth_date": "1975-04-01",
    "status": "active",
    "why": ["生年月日と氏名が同じ"],
}
ONLY_PATIENT = {"items": [], "patients": [PATIENT]}
BOTH = RECORDED["duplicates"] | {"patients": [PATIENT]}


def registration(token: str, **typed: str) -> dict[str, str]:
    """The registration form as a nurse fills it in for 高橋 一郎."""
    return {
        "csrf_token": token,
        "name": "高橋 一郎",
        "name_kana": "たかはし いちろう",
        "birth_date": "S50.4.1",
        "residence": "here",
        "exposure.setting": "household",
        "exposure.last_contact_on": "R8.11.13",
        "exposure.infectiousness": "high",
        **typed,
    }


async def test_a_registered_patient_is_shown_before_anything_is_registered(
    browser: httpx.AsyncClient, backends: respx.MockRouter, no_duplicates: respx.Route
) -> None:
    mock_index(backends, [CHILD])
    no_duplicates.mock(return_value=httpx.Response(200, json=ONLY_PATIENT))
    register = backends.post(f"{CONTACTS}/contacts")
    page = await browser.post(PAGE, data=registration(csrf_token((await browser.get(PAGE)).text)))
    assert page.status_code == 200 and not register.called
    html = page.text
    assert "この人はすでに患者として登録されている可能性があります（1件）" in html
    assert "接触者として登録されている可能性" not in html
    row = text_of(re.findall(r"<tr>(.*?)</tr>", html[html.index("patient-duplicates-caption") :], re.S)[1])
    assert "髙橋 一郎" in row and "2026-00042" in row and "昭和50年4月1日" in row and "生年月日と氏名が同じ" in row
    assert f'name="as_patient" value="{PATIENT["id"]}"' in html
    assert f'name="checked_duplicates" value="{PATIENT["id"]}"' in html
    assert f'href="/patients/{PATIENT["id"]}"' in html  # the nurse may open patients
    assert "上の患者とは別人として新しく登録する" in html


async def test_the_contact_is_registered_as_the_patient_chosen_once_every_candidate_was_seen(
    browser: httpx.AsyncClient, backends: respx.MockRouter, no_duplicates: respx.Route
) -> None:
    mock_index(backends, [CHILD])
    no_duplicates.mock(return_value=httpx.Response(200, json=BOTH))
    register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
    token = csrf_token((await browser.get(PAGE)).text)
    contact_id = RECORDED["duplicates"]["items"][0]["id"]
    unseen = registration(token, as_patient=PATIENT["id"], checked_duplicates=PATIENT["id"])  # not the contact
    again = await browser.post(PAGE, data=unseen)
    assert again.status_code == 200 and not register.called and "接触者として登録されている可能性" in again.text
    other = registration(token, as_patient=contact_id, checked_duplicates=f"{contact_id} {PATIENT['id']}")
    assert (await browser.post(PAGE, data=other)).status_code == 200 and not register.called  # not a patient
    chosen = registration(token, as_patient=PATIENT["id"], checked_duplicates=f"{contact_id} {PATIENT['id']}")
    saved = await browser.post(PAGE, data=chosen)
    assert saved.status_code == 303 and register.call_count == 1
    sent = json.loads(register.calls.last.request.content)
    assert sent["patient_id"] == PATIENT["id"] and sent["exposures"][0]["index_patient_id"] == INDEX_ID

    register.reset()
    new = registration(token, confirm_new="yes", checked_duplicates=f"{contact_id} {PATIENT['id']}")
    assert (await browser.post(PAGE, data=new)).status_code == 303
    assert "patient_id" not in json.loads(register.calls.last.request.content)


async def test_the_warning_with_contacts_and_patients_passes_axe(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings, no_duplicates: respx.Route
) -> None:
    mock_index(backends, [])
    no_duplicates.mock(return_value=httpx.Response(200, json=BOTH))
    settings.public_url = served
    async with logged_in_chromium(served, login, PAGE) as browser:
        await browser.type("#f-new-name", "髙橋 一郎")
        await browser.run("document.getElementById('f-new-exposure-setting').selectedIndex = 1;")
        await browser.click("button[type=submit].button:not(.button--header)")
        await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
        text = await browser.run("return document.activeElement.textContent;")
        assert "この患者を接触者として登録する" in text and "この人に接触状況を追加する" in text
        assert await look(browser, shots, "contacts-register-patient-duplicates") == []
