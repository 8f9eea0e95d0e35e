"""Printing a form from the patient page: reports is waited for, the PDF opens inline under its staff name."""

from __future__ import annotations

import json

import httpx
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
