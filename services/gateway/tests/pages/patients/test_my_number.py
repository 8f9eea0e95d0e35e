"""The 個人番号 warning of free text (N17): tbms records no 個人番号, so a 12-digit number carrying its 検査用数字
is shown back beside its field and saved only after the user confirms. Synthetic numbers only: 1234 5678 9018 is
12345678901 with its computed 検査用数字 8; 1234 5678 9017 is not one."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx
from tbms_core.jp.my_number import MY_NUMBER_WARNING

from ...conftest import PATIENT, PATIENTS, CsrfOf, Login
from .test_card_pages import page_of, register, section

pytestmark = pytest.mark.req("N17", partial=True)
LOOKS_LIKE_ONE = "本人から 1234-5678-9018 と聞いた"


@pytest.fixture
async def nurse(client: httpx.AsyncClient, login: Login, real_patients: httpx.AsyncClient) -> httpx.AsyncClient:
    """A logged-in nurse's browser in front of the real patients service."""
    await login(client)
    return client


async def test_registration_asks_before_registering_a_my_number(
    browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
) -> None:
    route = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
    form = {
        "csrf_token": csrf_of((await browser.get("/patients/new")).text),
        "name": "試験 太郎",
        "name_kana": "しけん たろう",
        "sex": "male",
        "birth_date": "S45.3.1",
        "district": "世田谷",
        "category": "patient",
        "disease.imaging_note": LOOKS_LIKE_ONE,
    }
    confirming = await browser.post("/patients", data=form)
    assert confirming.status_code == 200 and not route.called
    warning = confirming.text[confirming.text.index('id="my-number-warning"') :]
    assert "画像所見" in warning[:400] and MY_NUMBER_WARNING in warning[:400]
    assert 'name="my_number_confirmed"' in confirming.text
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirming.text))
    unticked = await browser.post("/patients", data={**kept, "step": "confirmed"})
    assert unticked.status_code == 422 and not route.called
    assert "「個人番号ではないことを確認しました」に印を付けてください" in unticked.text
    ticked = await browser.post("/patients", data={**kept, "step": "confirmed", "my_number_confirmed": "yes"})
    assert ticked.status_code == 303 and route.called
    assert json.loads(route.calls.last.request.content)["disease"]["imaging_note"] == LOOKS_LIKE_ONE


async def test_registration_without_one_shows_no_warning(
    browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
) -> None:
    backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
    form = {
        "csrf_token": csrf_of((await browser.get("/patients/new")).text),
        "name": "試験 太郎",
        "name_kana": "しけん たろう",
        "sex": "male",
        "birth_date": "S45.3.1",
        "district": "世田谷",
        "category": "patient",
        "disease.imaging_note": "電話 1234-5678-9017 は誤り",
    }
    confirming = await browser.post("/patients", data=form)
    assert confirming.status_code == 200 and "my-number-warning" not in confirming.text


async def test_a_progress_note_with_one_is_held_until_confirmed(nurse: httpx.AsyncClient, csrf_of: CsrfOf) -> None:
    patient_id = await register(nurse, csrf_of)
    token = csrf_of(await page_of(nurse, patient_id))
    note = {"csrf_token": token, "noted_on": "R8.10.6", "kind": "visit", "text": f"家庭訪問。{LOOKS_LIKE_ONE}"}
    held = await nurse.post(f"/patients/{patient_id}/care/notes", data=note)
    assert held.status_code == 422
    notes = section(held.text, "notes-title")
    assert MY_NUMBER_WARNING in notes and 'name="my_number_confirmed"' in notes
    assert "1234-5678-9018" not in section(await page_of(nurse, patient_id), "notes-title"), "nothing saved"
    saved = await nurse.post(f"/patients/{patient_id}/care/notes", data={**note, "my_number_confirmed": "yes"})
    assert saved.status_code == 303
    assert "1234-5678-9018" in section(await page_of(nurse, patient_id), "notes-title")


async def test_the_exclusion_note_is_checked_too(nurse: httpx.AsyncClient, csrf_of: CsrfOf) -> None:
    patient_id = await register(nurse, csrf_of)
    html = await page_of(nurse, patient_id)
    form = {
        "csrf_token": csrf_of(html),
        "excluded_on": "R8.10.1",
        "reason": "other",
        "note": "１２３４５６７８９０１８",
    }
    held = await nurse.post(f"/patients/{patient_id}/exclusion", data=form)
    assert held.status_code == 422 and MY_NUMBER_WARNING in section(held.text, "exclusion-title")
