"""The forms' choices come from the code lists patients serves at /reference/card, which masters' コード表 feeds
(R25): a code added in マスタ管理 is offered, in its place; an ended one is offered no more, yet an old record
still reads its label and its correction form keeps it; a code patients refuses gets its message beside the field.

patients is a fake here (its answers as its own tests prove them: services/patients/tests/code_list)."""

from __future__ import annotations

import copy
import re
from typing import Any

import httpx
import pytest
import respx

from ...conftest import CARD_CODES, PATIENT, PATIENT_ID, PATIENTS, CsrfOf, mock_patient_page, text_of

ADDED = {
    "occupation": "t_driver",
    "specimen": "試験穿刺液",
    "drug": "RBT",
    "regimen": "4HRZ/2HR",
    "exclusion_reason": "t_moved",
}
ENDED = {
    "occupation": "t_miner",
    "specimen": "試験旧検体",
    "drug": "T_OLD",
    "regimen": "T_OLD",
    "exclusion_reason": "t_old",
}


def served_codes() -> dict[str, Any]:
    """/reference/card after an administrator added one code to each コード表 list (second in its list) and ended
    another one of each."""
    codes = copy.deepcopy(CARD_CODES)
    for name, value in ADDED.items():
        first, *rest = codes[name].items()
        codes[name] = dict([first, (value, f"試験追加（{value}）"), *rest])
        codes[f"former:{name}"] = {ENDED[name]: f"試験終了（{ENDED[name]}）"}
    return codes


@pytest.fixture
def codes(backends: respx.MockRouter) -> respx.Route:
    """patients serves the changed code lists."""
    return backends.get(f"{PATIENTS}/reference/card", name="card-codes").mock(
        return_value=httpx.Response(200, json=served_codes())
    )


def options(html: str, select_id: str) -> list[tuple[str, str]]:
    """(value, label) of each option of a select, in order."""
    start = html.index(f'id="{select_id}"')
    body = html[start : html.index("</select>", start)]
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body)


@pytest.mark.req("R25", partial=True)
class TestChoices:
    async def test_the_registration_form_offers_an_added_occupation_in_its_place_and_not_an_ended_one(
        self, browser: httpx.AsyncClient, codes: respx.Route
    ) -> None:
        html = (await browser.get("/patients/new")).text
        offered = options(html, "f-occupation")
        values = [value for value, _ in offered]
        assert values[1:3] == ["employee", "t_driver"], "after the blank, the first code, then the added one"
        assert ("t_driver", "試験追加（t_driver）") in offered
        assert "t_miner" not in values

    async def test_the_patient_page_forms_offer_the_added_codes_of_every_list_and_none_ended(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, codes: respx.Route
    ) -> None:
        mock_patient_page(backends)
        html = (await browser.get(f"/patients/{PATIENT_ID}")).text
        lists = {
            "specimen": options(html, "f-lab-new-specimen"),
            "regimen": options(html, "f-tr-new-regimen"),
            "exclusion_reason": options(html, "f-ex-reason"),
        }
        for name, offered in lists.items():
            values = [value for value, _ in offered]
            assert ADDED[name] in values and ENDED[name] not in values, name
        assert 'id="f-lab-new-dst-results-RBT"' in html, "a DST choice for the added drug"
        assert 'id="f-lab-new-dst-results-T_OLD"' not in html

    async def test_an_old_record_reads_the_label_of_an_ended_code_and_its_correction_keeps_it(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, codes: respx.Route
    ) -> None:
        mock_patient_page(backends)
        old = PATIENT | {"occupation": "t_miner", "status": "excluded", "excluded_on": "2026-11-25"}
        old |= {"exclusion_reason": "t_old", "exclusion_note": ""}
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=old))
        html = (await browser.get(f"/patients/{PATIENT_ID}")).text
        shown = text_of(html)
        assert "職業区分 試験終了（t_miner）" in shown
        assert "除外理由 試験終了（t_old）" in shown
        kept = options(html, "f-occupation")
        assert ("t_miner", "試験終了（t_miner）") in kept, "the correction form keeps the stored code"
        assert re.search(r'<option value="t_miner" selected>', html)

    async def test_a_code_patients_refuses_gets_its_message_beside_the_field(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, codes: respx.Route, csrf_of: CsrfOf
    ) -> None:
        message = "職業区分「試験終了（t_miner）」は令和8年12月3日には使えません（マスタ管理のコード表で終了）。"
        backends.post(f"{PATIENTS}/patients").mock(
            return_value=httpx.Response(
                422,
                json={
                    "detail": "入力内容に誤りがあります。",
                    "code": "invalid_input",
                    "errors": {"occupation": message},
                },
            )
        )
        token = csrf_of((await browser.get("/patients/new")).text)
        form = {
            "csrf_token": token,
            "name": "試験 太郎",
            "name_kana": "しけん たろう",
            "sex": "male",
            "birth_date": "S45.3.1",
            "district": "世田谷",
            "category": "patient",
            "occupation": "t_miner",
            "step": "confirmed",
        }
        refused = await browser.post("/patients", data=form)
        assert refused.status_code == 422
        assert re.search(r'id="f-occupation-error"[^>]*>.*?' + re.escape(message), refused.text, re.S)
        assert re.search(r'id="f-occupation"[^>]*aria-invalid="true"', refused.text)


@pytest.mark.req("R25", partial=True)
async def test_the_lab_kinds_follow_the_code_list_labels_and_end_and_only_kinds_with_items_are_offered(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    served = copy.deepcopy(CARD_CODES)
    kinds = dict(served["exam_kind"])
    kinds["naat"] = "核酸増幅法（試験改名）"
    ended = {"tst": kinds.pop("tst")}
    served["exam_kind"] = {"t_ct": "試験CT", **kinds}  # added first in マスタ管理, without items on this page
    served["former:exam_kind"] = ended
    backends.get(f"{PATIENTS}/reference/card", name="card-codes").mock(return_value=httpx.Response(200, json=served))
    mock_patient_page(backends)
    html = (await browser.get(f"/patients/{PATIENT_ID}")).text
    offered = options(html, "f-lab-new-kind")
    values = [value for value, _ in offered]
    assert values[:3] == ["", "specimen_set", "smear"], "after the blank, the set of one specimen, then the list order"
    assert ("naat", "核酸増幅法（試験改名）") in offered
    assert "tst" not in values, "ended in マスタ管理"
    assert "t_ct" not in values, "no items to record it with"
