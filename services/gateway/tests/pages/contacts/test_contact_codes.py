"""The contact forms offer 接触の場, 検査の種類 and 終了の理由 from masters' コード表 as contacts keeps it (R25): a
code added in マスタ管理 is offered with its label and the default rule with its basis, an ended one only where an
old record holds it, and contacts' refusal of an unknown or ended code is shown beside the field; 続柄・関係 is
offered as choices beside free text."""

from __future__ import annotations

import copy
import json
import re

import httpx
import pytest
import respx

from ...conftest import CONTACT_CODES, CONTACTS, csrf_token
from .conftest import CONTACT, CONTACT_ID, INDEX_ID, mock_contact, mock_index
from .test_index_contacts import registration

pytestmark = pytest.mark.req("R25", partial=True)
PAGE = f"/contacts/index-patients/{INDEX_ID}"
# contacts' own words for a code of the コード表 not in force on the record's day (contacts.code_list.book)
ENDED = (
    "接触の場「バス」は令和8年12月3日には使えません（マスタ管理のコード表で終了または開始前です）。"
    "選択肢から選んでください。"
)
SHIP_RULE = {
    "rule": "",
    "label": "時間・換気で判定（既定）",
    "basis": "既定の規則: 接触の場だけでは濃厚接触としない。換気の悪い閉鎖空間か、接触時間の合計で判定する"
    "（マスタ管理で追加した接触の場も、設定の「濃厚接触とする接触の場」に加えるまではこの規則）。",
}


def with_masters_codes(backends: respx.MockRouter) -> None:
    """contacts has received from masters a 船舶 added, a バス ended and a 胸部CT added (without rules)."""
    codes = copy.deepcopy(CONTACT_CODES)
    codes["lists"]["contact_setting"]["ship"] = "船舶"
    codes["lists"]["former:contact_setting"]["bus"] = "バス"
    codes["rules"]["contact_setting"]["ship"] = SHIP_RULE
    codes["rules"]["contact_setting"]["bus"] = SHIP_RULE
    codes["lists"]["screening_exam"]["chest_ct"] = "胸部CT"
    codes["rules"]["screening_exam"]["chest_ct"] = {
        "rule": "",
        "label": "記録のみ",
        "basis": "既定の規則: 予定に数えない。",
    }
    codes["lists"]["contact_end_reason"]["moved_abroad"] = "国外へ転出"
    codes["lists"]["former:contact_end_reason"]["old_reason"] = "旧区分"
    backends.routes["contact-codes"].mock(return_value=httpx.Response(200, json=codes))


async def test_the_registration_offers_the_codes_in_force_with_labels_and_the_default_rule(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    with_masters_codes(backends)
    mock_index(backends, [])
    html = (await browser.get(PAGE)).text
    select = re.search(r'<select id="f-new-exposure-setting".*?</select>', html, re.S)
    assert select is not None
    assert '<option value="ship">船舶</option>' in select.group(0)
    assert '<option value="household">同居家族</option>' in select.group(0)
    assert 'value="bus"' not in select.group(0), "ended: not offered for a new contact"
    assert "「船舶」には個別の規則がありません" in html and SHIP_RULE["basis"] in html
    assert 'list="f-new-exposure-relation-choices"' in html and '<option value="配偶者"></option>' in html


async def test_an_ended_code_refused_by_contacts_is_said_beside_the_field_with_everything_kept(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    with_masters_codes(backends)
    mock_index(backends, [])
    refusal = {"detail": "入力内容に誤りがあります。", "errors": {"exposures.0.setting": ENDED}}
    register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(422, json=refusal))
    form = (await browser.get(PAGE)).text
    refused = await browser.post(PAGE, data=registration(csrf_token(form), **{"exposure.setting": "bus"}))
    assert refused.status_code == 422
    assert json.loads(register.calls.last.request.content)["exposures"][0]["setting"] == "bus"
    assert re.search(r'id="f-new-exposure-setting-error"[^>]*>.*使えません', refused.text)
    assert 'value="同僚"' in refused.text


async def test_an_old_exposure_keeps_its_ended_setting_choosable_and_the_new_exam_offers_added_kinds(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    with_masters_codes(backends)
    contact = copy.deepcopy(CONTACT)
    contact["exposures"][0] |= {"setting": "bus", "setting_label": "バス"}
    mock_contact(backends, contact)
    html = (await browser.get(f"/contacts/{CONTACT_ID}")).text
    exposure_id = contact["exposures"][0]["id"]
    kept = re.search(rf'<select id="f-exp-{exposure_id}-setting".*?</select>', html, re.S)
    assert kept is not None and '<option value="bus" selected>バス</option>' in kept.group(0)
    kinds = re.search(r'<select id="f-exam-new-kind".*?</select>', html, re.S)
    assert kinds is not None and '<option value="chest_ct">胸部CT</option>' in kinds.group(0)
    assert "「胸部CT」には個別の規則がありません" in html


async def test_the_screening_list_filters_by_the_codes_of_the_code_list_ended_ones_too(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    with_masters_codes(backends)
    listed = backends.routes["contact-list"]
    html = (await browser.get("/contacts", params={"setting": "ship"})).text
    assert listed.calls.last.request.url.params["setting"] == "ship"
    select = re.search(r'<select class="input input--medium" id="c-setting".*?</select>', html, re.S)
    assert select is not None and '<option value="ship" selected>船舶</option>' in select.group(0)
    assert '<option value="bus">バス</option>' in select.group(0), "old contacts hold it"
    await browser.get("/contacts", params={"setting": "nowhere"})
    assert "setting" not in listed.calls.last.request.url.params, "a code contacts does not know is not sent"


async def test_the_history_reads_an_added_setting_and_exam_kind_by_their_labels(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    with_masters_codes(backends)
    routes = mock_contact(backends)
    exposure_id = CONTACT["exposures"][0]["id"]
    changed = {
        "record_type": "exposure",
        "record_id": exposure_id,
        "version": 10,
        "changed_at": "2026-12-03T10:00:00Z",
        "changed_by": CONTACT["id"],
        "changed_by_name": "試験 保健師",
        "reason": "船内での接触と判明",
        "changes": {"setting": ["bus", "ship"]},
    }
    exam = {**changed, "record_type": "exam", "record_id": CONTACT["id"], "reason": ""}
    exam["changes"] = {"exam.kind": [None, "chest_ct"], "exam.done_on": [None, "2026-12-01"]}
    routes["history"].mock(return_value=httpx.Response(200, json={"items": [changed, exam]}))
    html = (await browser.get(f"/contacts/{CONTACT_ID}")).text
    row = '<th scope="row">接触の場</th><td class="multiline">バス</td><td class="multiline">船舶</td>'
    assert row in html
    assert "検査（胸部CT）" in html


async def test_the_end_form_offers_the_reasons_in_force_and_sends_an_added_one(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    with_masters_codes(backends)
    mock_contact(backends)
    html = (await browser.get(f"/contacts/{CONTACT_ID}")).text
    select = re.search(r'<select id="f-end-reason".*?</select>', html, re.S)
    assert select is not None
    assert '<option value="moved_abroad">国外へ転出</option>' in select.group(0)
    assert '<option value="completed">健診終了</option>' in select.group(0)
    assert 'value="old_reason"' not in select.group(0), "ended: not offered"

    ended = copy.deepcopy(CONTACT) | {"status": "ended", "ended_on": "2026-12-01", "end_reason": "moved_abroad"}
    end = backends.post(f"{CONTACTS}/contacts/{CONTACT_ID}/end").mock(return_value=httpx.Response(200, json=ended))
    form = {"csrf_token": csrf_token(html), "version": str(CONTACT["version"]), "ended_on": "R8.12.1"}
    done = await browser.post(f"/contacts/{CONTACT_ID}/end", data=form | {"reason": "moved_abroad"})
    assert done.status_code == 303
    assert json.loads(end.calls.last.request.content)["reason"] == "moved_abroad"


async def test_a_contact_ended_with_an_ended_reason_reads_with_its_label_and_so_does_its_history(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    with_masters_codes(backends)
    contact = copy.deepcopy(CONTACT) | {
        "status": "ended",
        "ended_on": "2026-12-01",
        "end_reason": "old_reason",
        "end_reason_label": "旧区分",
    }
    routes = mock_contact(backends, contact)
    item = {
        "record_type": "contact",
        "record_id": CONTACT["id"],
        "version": 10,
        "changed_at": "2026-12-03T10:00:00Z",
        "changed_by": CONTACT["id"],
        "changed_by_name": "試験 保健師",
        "reason": "",
        "changes": {"end_reason": ["", "old_reason"]},
    }
    routes["history"].mock(return_value=httpx.Response(200, json={"items": [item]}))
    html = (await browser.get(f"/contacts/{CONTACT_ID}")).text
    assert "（旧区分）" in html
    row = '<th scope="row">終了の理由</th><td class="multiline">（空欄）</td><td class="multiline">旧区分</td>'
    assert row in html
