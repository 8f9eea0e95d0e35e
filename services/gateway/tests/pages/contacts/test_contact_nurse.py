"""A contact's own 担当保健師 (R25): at registration the nurse of the address by masters' staff assignment when none
is chosen (as for a new patient), chosen by name among the assigned nurses, shown on the contact page, corrected
with a reason, and read by name in the history."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from ...conftest import CONTACTS, MASTERS, csrf_token
from .conftest import CONTACT, CONTACT_ID, INDEX_ID, mock_contact, mock_index
from .test_index_contacts import registration

pytestmark = pytest.mark.req("R25", partial=True)
PAGE = f"/contacts/index-patients/{INDEX_ID}"
RECORDED: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "patients" / "nurse_lookup.json").read_text(encoding="utf-8")
)
ADDRESS = "東京都架空区見本町一丁目2番3号"


@pytest.fixture
def assigned(backends: respx.MockRouter) -> respx.Route:
    """masters has the 見本地区 nurses 試験 佐藤 (見本町), 試験 鈴木 (見本町1丁目) and 試験 田中 (the rest)."""
    backends.routes["staff"].mock(return_value=httpx.Response(200, json=RECORDED["staff_assignment"]))
    lookup = f"{MASTERS}/masters/staff_assignment/lookup"
    return backends.get(lookup, name="nurse-lookup").mock(return_value=httpx.Response(200, json=RECORDED["lookup"]))


async def test_a_contact_registered_without_a_nurse_gets_the_nurse_of_the_address(
    browser: httpx.AsyncClient, backends: respx.MockRouter, assigned: respx.Route
) -> None:
    mock_index(backends, [])
    form = (await browser.get(PAGE)).text
    select = re.search(r'<select id="f-new-nurse".*?</select>', form, re.S)
    assert select is not None and '<option value="nurse_suzuki">試験 鈴木</option>' in select.group(0)
    register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
    mock_contact(backends)
    saved = await browser.post(PAGE, data=registration(csrf_token(form), address=ADDRESS, nurse=""))
    assert saved.status_code == 303
    assert assigned.calls.last.request.url.params["address"] == ADDRESS
    assert json.loads(register.calls.last.request.content)["nurse"] == "nurse_suzuki"


async def test_a_nurse_chosen_at_registration_is_kept_and_nothing_is_looked_up(
    browser: httpx.AsyncClient, backends: respx.MockRouter, assigned: respx.Route
) -> None:
    mock_index(backends, [])
    form = (await browser.get(PAGE)).text
    register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
    mock_contact(backends)
    await browser.post(PAGE, data=registration(csrf_token(form), address=ADDRESS, nurse="nurse_tanaka"))
    assert json.loads(register.calls.last.request.content)["nurse"] == "nurse_tanaka"
    assert not assigned.called


async def test_no_assignment_for_the_address_registers_no_nurse_of_its_own(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_index(backends, [])
    form = (await browser.get(PAGE)).text
    register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
    mock_contact(backends)
    await browser.post(PAGE, data=registration(csrf_token(form), address="どこか遠く", nurse=""))
    assert json.loads(register.calls.last.request.content)["nurse"] == ""


async def test_the_contact_page_shows_the_nurse_by_name_offers_the_correction_and_reads_the_history(
    browser: httpx.AsyncClient, backends: respx.MockRouter, assigned: respx.Route
) -> None:
    contact = copy.deepcopy(CONTACT) | {"nurse": "nurse_suzuki"}
    routes = mock_contact(backends, contact)
    item = {
        "record_type": "contact",
        "record_id": CONTACT["id"],
        "version": 10,
        "changed_at": "2026-12-03T10:00:00Z",
        "changed_by": CONTACT["id"],
        "changed_by_name": "試験 保健師",
        "reason": "地区担当の変更",
        "changes": {"nurse": ["nurse_tanaka", "nurse_suzuki"]},
    }
    routes["history"].mock(return_value=httpx.Response(200, json={"items": [item]}))
    html = (await browser.get(f"/contacts/{CONTACT_ID}")).text
    assert re.search(r"<dt>担当保健師</dt>\s*<dd>試験 鈴木</dd>", html)
    select = re.search(r'<select id="f-person-nurse".*?</select>', html, re.S)
    assert select is not None and '<option value="nurse_suzuki" selected>試験 鈴木</option>' in select.group(0)
    row = '<th scope="row">担当保健師</th><td class="multiline">試験 田中</td><td class="multiline">試験 鈴木</td>'
    assert row in html

    changed = copy.deepcopy(contact) | {"nurse": "nurse_sato"}
    patch = backends.patch(f"{CONTACTS}/contacts/{CONTACT_ID}").mock(return_value=httpx.Response(200, json=changed))
    form = {
        "csrf_token": csrf_token(html),
        "version": str(contact["version"]),
        "name": contact["name"],
        "nurse": "nurse_sato",
        "reason": "地区担当の変更",
    }
    done = await browser.post(f"/contacts/{CONTACT_ID}/person", data=form)
    assert done.status_code == 303, done.text
    sent = json.loads(patch.calls.last.request.content)
    assert sent["changes"]["nurse"] == "nurse_sato" and sent["reason"] == "地区担当の変更"


async def test_a_nurse_no_longer_assigned_stays_shown_and_choosable(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_contact(backends, copy.deepcopy(CONTACT) | {"nurse": "nurse_retired"})
    html = (await browser.get(f"/contacts/{CONTACT_ID}")).text
    select = re.search(r'<select id="f-person-nurse".*?</select>', html, re.S)
    assert select is not None and '<option value="nurse_retired" selected>nurse_retired</option>' in select.group(0)
