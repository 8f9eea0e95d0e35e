"""Printing a form from the patient page: reports is waited for, the PDF opens inline under its staff name."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from ...conftest import PATIENT_ID, REPORTS, CsrfOf, mock_patient_page

DOCUMENT_ID = "0c6f1d9e-2f4b-4a43-8f0e-6f1b2a3c4d5e"


class TestRegistrationForm:
    async def test_f03_is_generated_after_waiting_for_reports_and_opened_as_pdf(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_patient_page(backends)
        created = backends.post(f"{REPORTS}/documents").mock(
            side_effect=[
                httpx.Response(409, json={"detail": "not yet"}),
                httpx.Response(201, json={"id": DOCUMENT_ID, "kind": "F03"}),
            ]
        )
        token = csrf_of((await browser.get(f"/patients/{PATIENT_ID}")).text)
        response = await browser.post(f"/patients/{PATIENT_ID}/documents", data={"csrf_token": token, "form": "F03"})
        assert response.status_code == 303 and response.headers["location"] == f"/documents/{DOCUMENT_ID}"
        assert created.call_count == 2
        assert json.loads(created.calls.last.request.content) == {"form": "F03", "patient_id": PATIENT_ID}
        meta = {"id": DOCUMENT_ID, "kind": "F03", "patient_id": PATIENT_ID}
        backends.get(f"{REPORTS}/documents/{DOCUMENT_ID}").mock(return_value=httpx.Response(200, json=meta))
        backends.get(f"{REPORTS}/documents/{DOCUMENT_ID}/content").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7 test", headers={"content-type": "application/pdf"})
        )
        pdf = await browser.get(f"/documents/{DOCUMENT_ID}")
        assert pdf.status_code == 200 and pdf.content == b"%PDF-1.7 test"
        assert pdf.headers["content-type"] == "application/pdf"
        disposition = pdf.headers["content-disposition"]
        assert disposition.startswith("inline;") and "filename*=UTF-8''F03_2026-00001.pdf" in disposition


@pytest.mark.req("F06", partial=True)
class TestProgressRecordPeriod:
    """F06 prints the notes of a period typed beside its button (和暦 or 西暦); a wrong date is said beside it."""

    async def test_the_patient_page_offers_the_period_with_the_button(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        html = (await browser.get(f"/patients/{PATIENT_ID}")).text
        assert 'name="period_from"' in html and 'name="period_to"' in html
        assert "経過記録（2号記録・F06）の期間" in html and "和暦（例: R8.4.1）" in html

    async def test_a_period_in_wareki_is_sent_to_reports_as_dates(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_patient_page(backends)
        created = backends.post(f"{REPORTS}/documents").mock(
            return_value=httpx.Response(201, json={"id": DOCUMENT_ID, "kind": "F06"})
        )
        token = csrf_of((await browser.get(f"/patients/{PATIENT_ID}")).text)
        data = {"csrf_token": token, "form": "F06", "period_from": "R8.4.1", "period_to": "2026-09-30"}
        response = await browser.post(f"/patients/{PATIENT_ID}/documents", data=data)
        assert response.status_code == 303 and response.headers["location"] == f"/documents/{DOCUMENT_ID}"
        assert json.loads(created.calls.last.request.content) == {
            "form": "F06", "patient_id": PATIENT_ID, "period_from": "2026-04-01", "period_to": "2026-09-30",
        }  # fmt: skip

    async def test_without_a_period_every_note_is_printed(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_patient_page(backends)
        created = backends.post(f"{REPORTS}/documents").mock(
            return_value=httpx.Response(201, json={"id": DOCUMENT_ID, "kind": "F06"})
        )
        token = csrf_of((await browser.get(f"/patients/{PATIENT_ID}")).text)
        data = {"csrf_token": token, "form": "F06", "period_from": "", "period_to": ""}
        assert (await browser.post(f"/patients/{PATIENT_ID}/documents", data=data)).status_code == 303
        assert json.loads(created.calls.last.request.content) == {"form": "F06", "patient_id": PATIENT_ID}

    @pytest.mark.parametrize(
        ("period_from", "period_to", "field", "message"),
        [
            ("R8.13.1", "", "period_from", "期間の始まり：「令和8年13月1日」は存在しない日付です。"),
            ("R8.9.30", "R8.4.1", "period_to", "期間の終わり：始まり（令和8年9月30日（2026年9月30日））と同じ日か"),
        ],
    )
    async def test_a_wrong_period_is_said_beside_its_field_and_nothing_is_printed(
        self,
        browser: httpx.AsyncClient,
        backends: respx.MockRouter,
        csrf_of: CsrfOf,
        period_from: str,
        period_to: str,
        field: str,
        message: str,
    ) -> None:
        mock_patient_page(backends)
        created = backends.post(f"{REPORTS}/documents").mock(return_value=httpx.Response(201, json={"id": "x"}))
        token = csrf_of((await browser.get(f"/patients/{PATIENT_ID}")).text)
        data = {"csrf_token": token, "form": "F06", "period_from": period_from, "period_to": period_to}
        response = await browser.post(f"/patients/{PATIENT_ID}/documents", data=data)
        assert response.status_code == 422 and not created.called
        html = response.text
        assert f'id="f06-{field}-error"' in html and message in html
        assert f'value="{period_from}"' in html  # what was typed stays
