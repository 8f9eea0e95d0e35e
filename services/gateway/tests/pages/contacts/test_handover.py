"""The hand-over of a contact who fell ill to patients (R12): the contact page's 「患者として登録する」 opens the
patient registration filled with the contact's identity and the contact's id, which the registration sends on (the
patients service carries it in PatientRegistered and contacts links the contact: services/contacts/tests/handover
proves that against the real service); a contact already linked shows their patient and is not registered twice."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import CONTACTS, PATIENT, PATIENTS, Login, csrf_token, logged_in_chromium, text_of
from .conftest import CONTACT, CONTACT_ID, mock_contact

pytestmark = pytest.mark.req("R12", partial=True)
PAGE = f"/contacts/{CONTACT_ID}"
ILL = CONTACT | {"outcome": "disease", "patient_id": None, "patient_name": ""}
NEW = f"/patients/new?from_contact={CONTACT_ID}"


def value_of(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    return found.group(1) if found else ""


async def test_a_contact_who_fell_ill_is_registered_as_a_patient_from_the_contact_page(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_contact(backends, ILL)
    page = (await browser.get(PAGE)).text
    assert f'href="{NEW}"' in page and "患者として登録する（引継ぎ）" in page
    form = await browser.get(NEW)
    assert form.status_code == 200
    html = form.text
    assert value_of(html, "name") == "試験 花子" and value_of(html, "name_kana") == "シケン ハナコ"
    assert value_of(html, "birth_date") == "S50.4.1" and value_of(html, "phone") == "03-0000-0002"
    assert value_of(html, "address") == "東京都世田谷区世田谷1-1-1"
    assert re.search(r'value="female"[^>]*checked', html) and re.search(r'value="provisional"[^>]*selected', html)
    assert value_of(html, "source_contact_id") == CONTACT_ID and "接触者からの引継ぎ" in html
    assert "data-draft-filled" in html  # a draft of another registration does not replace the contact's identity

    registered = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
    typed = {
        "csrf_token": csrf_token(html),
        "name": "試験 花子",
        "name_kana": "シケン ハナコ",
        "sex": "female",
        "birth_date": "S50.4.1",
        "category": "provisional",
        "source_contact_id": CONTACT_ID,
        "step": "confirmed",
    }
    saved = await browser.post("/patients", data=typed)
    assert saved.status_code == 303, text_of(saved.text)[:1000]
    sent = json.loads(registered.calls.last.request.content)
    assert sent["source_contact_id"] == CONTACT_ID and sent["name"] == "試験 花子"

    registered.reset()
    plain = {k: v for k, v in typed.items() if k != "source_contact_id"}
    assert (await browser.post("/patients", data=plain)).status_code == 303
    assert "source_contact_id" not in json.loads(registered.calls.last.request.content)


async def test_the_confirmation_page_keeps_the_contact_to_link(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_contact(backends, ILL)
    html = (await browser.get(NEW)).text
    typed = {
        "csrf_token": csrf_token(html),
        "name": "試験 花子",
        "name_kana": "シケン ハナコ",
        "sex": "female",
        "birth_date": "S50.4.1",
        "category": "provisional",
        "source_contact_id": CONTACT_ID,
    }
    confirm = await browser.post("/patients", data=typed)
    assert confirm.status_code == 200 and "患者登録（確認）" in confirm.text
    assert f'name="source_contact_id" value="{CONTACT_ID}"' in confirm.text


async def test_a_contact_already_linked_shows_the_patient_and_is_not_registered_again(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    linked = ILL | {"patient_id": PATIENT["id"], "patient_name": "試験 花子"}
    mock_contact(backends, linked)
    link = {
        "record_type": "contact",
        "record_id": CONTACT_ID,
        "version": 11,
        "changed_at": "2026-12-03T09:30:00Z",
        "changed_by": "u1",
        "changed_by_name": "患者登録（接触者からの引継ぎ）",
        "reason": "発病のため患者として登録（接触者からの引継ぎ）",
        "changes": {"patient_id": [None, PATIENT["id"]]},
    }
    backends.get(f"{CONTACTS}/contacts/{CONTACT_ID}/history").mock(
        return_value=httpx.Response(200, json={"items": [link]})
    )
    page = (await browser.get(PAGE)).text
    history = text_of(page[page.index('id="history-title"') :])
    assert "結び付けた患者 試験 花子" in history and "接触者からの引継ぎ" in history
    assert f'href="/patients/{PATIENT["id"]}">試験 花子（患者の記録）' in page and NEW not in page
    again = await browser.get(NEW)
    assert again.status_code == 303 and again.headers["location"] == f"/patients/{PATIENT['id']}"


async def test_no_button_before_the_outcome_calls_for_it(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_contact(backends, CONTACT | {"outcome": "no_disease"})
    assert NEW not in (await browser.get(PAGE)).text
    mock_contact(backends, CONTACT | {"outcome": "ltbi_treatment"})
    assert NEW in (await browser.get(PAGE)).text
    assert re.search(r'value="ltbi"[^>]*selected', (await browser.get(NEW)).text)


async def test_the_prefilled_registration_and_the_contact_page_pass_axe(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
) -> None:
    mock_contact(backends, ILL)
    settings.public_url = served
    async with logged_in_chromium(served, login, PAGE) as browser:
        assert await look(browser, shots, "contact-handover-button") == []
        await browser.go(f"{served}{NEW}")
        assert await look(browser, shots, "patient-new-from-contact") == []
