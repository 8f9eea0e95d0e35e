"""塗抹・培養・核酸増幅法 of one specimen in one form (issue 23): one save sends each filled kind as a result of its own
(all or none in patients), a refused item is shown beside its own field, and an empty set is refused here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
import pytest
import respx

from ...conftest import PATIENT_ID, PATIENTS, Login, mock_patient_page

CsrfOf = Callable[[str], str]
PAGE = f"/patients/{PATIENT_ID}"
BATCH = f"{PATIENTS}/patients/{PATIENT_ID}/lab-results/batch"


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login, backends: respx.MockRouter) -> httpx.AsyncClient:
    """A logged-in nurse's browser on a patient page of the fake patients service."""
    mock_patient_page(backends)
    await login(client)
    return client


async def _typed(browser: httpx.AsyncClient, csrf_of: CsrfOf, **items: str) -> dict[str, str]:
    token = csrf_of((await browser.get(PAGE)).text)
    common = {"specimen": "喀痰", "collected_on": "R8.10.1", "result_on": "R8.10.3", "laboratory": "見本検査所"}
    return {"csrf_token": token, "kind": "specimen_set", **common, **items}


@pytest.mark.req("R04")
class TestSpecimenSet:
    async def test_the_form_offers_the_set_and_shows_its_three_kinds_for_it(self, browser: httpx.AsyncClient) -> None:
        html = (await browser.get(PAGE)).text

        assert '<option value="specimen_set">塗抹・培養・核酸増幅（まとめて入力）</option>' in html
        for kind in ("smear", "culture", "naat"):
            assert f'data-shown-when="kind={kind}|specimen_set"' in html
        assert 'data-shown-when="kind=identification"' in html

    async def test_smear_and_culture_are_sent_in_one_save_with_the_specimen_typed_once(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        route = backends.post(BATCH).mock(return_value=httpx.Response(201, json={"items": []}))
        form = await _typed(
            browser, csrf_of, **{"smear.grade": "1+", "culture.medium": "液体", "culture.result": "培養中"}
        )

        response = await browser.post(f"{PAGE}/lab-results", data=form)

        assert response.status_code == 303 and response.headers["location"] == f"{PAGE}#labs-title"
        sent = json.loads(route.calls.last.request.content)["results"]
        common = {"specimen": "喀痰", "collected_on": "R8.10.1", "result_on": "R8.10.3", "laboratory": "見本検査所"}
        assert sent == [
            {"kind": "smear", **common, "details": {"grade": "1+"}},
            {"kind": "culture", **common, "details": {"medium": "液体", "result": "培養中"}},
        ]

    async def test_a_refused_item_is_shown_beside_its_own_kinds_field(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        errors = {
            "results.1.details.result": "選択肢から選んでください。",
            "results.0.collected_on": "日付が不正です。",
        }
        backends.post(BATCH).mock(return_value=httpx.Response(422, json={"detail": "誤り", "errors": errors}))
        form = await _typed(browser, csrf_of, **{"smear.grade": "1+", "naat.method": "PCR", "naat.result": "?"})

        response = await browser.post(f"{PAGE}/lab-results", data=form)

        html = response.text
        assert response.status_code == 422
        assert re.search(r'id="f-lab-new-naat-result-error"[^>]*>.*?選択肢から選んでください。', html, re.S)
        assert re.search(r'id="f-lab-new-collected_on-error"[^>]*>.*?日付が不正です。', html, re.S)
        assert re.search(r'<option value="specimen_set" selected>', html)

    async def test_a_set_without_any_result_is_refused_without_asking_patients(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        route = backends.post(BATCH).mock(return_value=httpx.Response(201, json={"items": []}))

        response = await browser.post(f"{PAGE}/lab-results", data=await _typed(browser, csrf_of))

        assert response.status_code == 422 and not route.called
        assert re.search(
            r'id="f-lab-new-kind-error"[^>]*>.*?少なくとも一つの結果を入力してください', response.text, re.S
        )
