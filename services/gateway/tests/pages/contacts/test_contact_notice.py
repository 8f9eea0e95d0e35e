"""A contact's 管理検診お知らせ (F29) from the contact page: each planned screening exam has its print link, the PDF is
relayed from reports (which prints and files it: services/reports/tests/contact_notice/test_api.py proves that against
the real service), and reports' refusal is shown with its Japanese message (F29)."""

from __future__ import annotations

import httpx
import pytest
import respx

from ...conftest import REPORTS, text_of
from .conftest import CONTACT, CONTACT_ID, EXAM, mock_contact

PAGE = f"/contacts/{CONTACT_ID}"


@pytest.mark.req("F29", partial=True)
async def test_a_planned_exam_prints_its_f29_from_the_contact_page(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    planned = EXAM | {
        "id": "5b0e7d1c-0000-4000-8000-0000000000f2",
        "status": "planned",
        "done_on": None,
        "result": "",
        "value": "",
        "appointment_on": "2027-03-04",
        "appointment_time": "14:30:00",
        "appointment_place": "世田谷保健所",
    }
    mock_contact(backends, CONTACT | {"exams": [*CONTACT["exams"], planned]})
    html = (await browser.get(PAGE)).text
    link = f'href="/contacts/{CONTACT_ID}/notices/F29?exam_id={planned["id"]}"'
    assert link in html and html.count("/notices/F29") == 1  # the done and the cancelled exam have none
    assert "管理検診お知らせ（F29）を印刷" in text_of(html)
    printed = backends.get(f"{REPORTS}/contact-letters/{CONTACT_ID}/F29").mock(
        return_value=httpx.Response(200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"})
    )
    answer = await browser.get(f"/contacts/{CONTACT_ID}/notices/F29", params={"exam_id": planned["id"]})
    assert answer.status_code == 200 and answer.content == b"%PDF-1.7"
    assert printed.calls.last.request.url.params["exam_id"] == planned["id"]
    refusal = {"detail": "お知らせする健診がありません。", "errors": {"exam_id": "お知らせする健診がありません。"}}
    printed.mock(return_value=httpx.Response(422, json=refusal))
    refused = await browser.get(f"/contacts/{CONTACT_ID}/notices/F29")
    assert refused.status_code == 400 and "お知らせする健診がありません" in refused.text
    assert "exam_id" not in str(printed.calls.last.request.url.params)
