"""The registration form proposes the 担当保健師 from the typed address and district (R25): the nurse is chosen by
name among masters' staff assignments (its user name is stored), and masters' lookup (GET
/masters/staff_assignment/lookup, whose rules masters' own tests prove against the real service) pre-selects the
one serving the address, with why and the basis, still editable. The answers are recorded from the real masters
service (nurse_lookup.json: synthetic district and nurses)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from ...chromium import axe_violations
from ...conftest import MASTERS, PATIENT, PATIENTS, CsrfOf, Login, logged_in_chromium

pytestmark = pytest.mark.req("R25", partial=True)
RECORDED: dict[str, Any] = json.loads((Path(__file__).parent / "nurse_lookup.json").read_text(encoding="utf-8"))
LOOKUP = f"{MASTERS}/masters/staff_assignment/lookup"


@pytest.fixture
def assigned(backends: respx.MockRouter) -> respx.Route:
    """masters has the 見本地区 nurses 試験 佐藤 (見本町), 試験 鈴木 (見本町1丁目) and 試験 田中 (the rest)."""
    backends.routes["staff"].mock(return_value=httpx.Response(200, json=RECORDED["staff_assignment"]))
    return backends.get(LOOKUP, name="nurse-lookup").mock(return_value=httpx.Response(200, json=RECORDED["lookup"]))


async def test_the_nurse_is_chosen_by_name_and_the_field_asks_for_a_proposal_when_the_address_changes(
    browser: httpx.AsyncClient, assigned: respx.Route
) -> None:
    html = (await browser.get("/patients/new")).text
    select = re.search(r'<select id="f-nurse".*?</select>', html, re.S)
    assert select is not None
    assert '<option value="nurse_suzuki">試験 鈴木</option>' in select.group(0)
    assert '<option value="nurse_tanaka">試験 田中</option>' in select.group(0)
    assert (
        'hx-get="/patients/new/nurse"' in html
        and 'hx-trigger="change from:#f-address, change from:#f-district"' in html
    )
    assert not assigned.called, "nothing typed yet: nothing looked up"


async def test_the_address_and_district_typed_propose_the_nurse_of_the_most_specific_area(
    browser: httpx.AsyncClient, assigned: respx.Route
) -> None:
    params = {"district": "見本地区", "address": "東京都架空区見本町一丁目2番3号", "nurse": ""}
    fragment = (await browser.get("/patients/new/nurse", params=params)).text
    asked = assigned.calls.last.request.url.params
    assert (asked["district"], asked["address"]) == ("見本地区", "東京都架空区見本町一丁目2番3号")
    assert '<option value="nurse_suzuki" selected>試験 鈴木</option>' in fragment
    assert "提案: 試験 鈴木（見本地区・住所が担当町丁目「見本町1丁目」にあるため）" in fragment
    assert "最も詳しいもの" in fragment and '<option value="nurse_sato">試験 佐藤</option>' in fragment


async def test_no_assignment_for_the_address_proposes_nobody_and_keeps_the_choice(
    browser: httpx.AsyncClient, assigned: respx.Route
) -> None:
    assigned.mock(return_value=httpx.Response(200, json=RECORDED["lookup_none"]))
    params = {"district": "どこにもない地区", "address": "", "nurse": "nurse_tanaka"}
    fragment = (await browser.get("/patients/new/nurse", params=params)).text
    assert '<option value="nurse_tanaka" selected>試験 田中</option>' in fragment
    assert "担当保健師はマスタ管理に登録されていません" in fragment


async def test_the_chosen_nurse_is_registered_by_user_name(
    browser: httpx.AsyncClient, backends: respx.MockRouter, assigned: respx.Route, csrf_of: CsrfOf
) -> None:
    route = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
    form = {
        "csrf_token": csrf_of((await browser.get("/patients/new")).text),
        "name": "試験 太郎",
        "name_kana": "しけん たろう",
        "sex": "male",
        "birth_date": "S45.3.1",
        "address": "東京都架空区見本町一丁目2番3号",
        "category": "patient",
        "nurse": "nurse_suzuki",
    }
    confirming = await browser.post("/patients", data=form)
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirming.text))
    saved = await browser.post("/patients", data={**kept, "step": "confirmed"})
    assert saved.status_code == 303
    assert json.loads(route.calls.last.request.content)["nurse"] == "nurse_suzuki"


async def test_in_chromium_leaving_the_address_selects_the_proposed_nurse_and_the_page_passes_axe(
    served: str, login: Login, assigned: respx.Route
) -> None:
    async with logged_in_chromium(served, login, "/patients/new") as browser:
        await browser.type("#f-address", "東京都架空区見本町一丁目2番3号")
        await browser.press("Enter")  # moves to the next field, as the form says: the address is changed
        await browser.wait_for("document.getElementById('f-nurse').value === 'nurse_suzuki'")
        assert assigned.calls.last.request.url.params["address"] == "東京都架空区見本町一丁目2番3号"
        shown = await browser.run("return document.getElementById('nurse-proposal').textContent;")
        assert "提案: 試験 鈴木" in shown
        assert await axe_violations(browser) == []
