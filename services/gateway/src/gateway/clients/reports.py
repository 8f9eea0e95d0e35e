"""The reports service: printed forms (帳票) generated for a patient, and their PDFs."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from gateway.clients.base import ServiceClient, created
from gateway.web.errors import ServiceUnavailable

DOCUMENT_RETRY_DELAYS = (0.3, 0.5, 0.7, 1.0, 1.0)


class ReportsClient(ServiceClient):
    """reports' REST API as one user sees it."""

    async def create_document(self, form: str, patient_id: str) -> dict[str, Any]:
        """Asks reports for a form; waits briefly while the patient has not reached reports yet (409)."""
        body = {"form": form, "patient_id": patient_id}
        for delay in (*DOCUMENT_RETRY_DELAYS, None):
            response = await self.send("POST", "/documents", json=body)
            if response.status_code != 409:
                return created(response, "帳票を作成できませんでした。")
            if delay is not None:
                await asyncio.sleep(delay)
        raise ServiceUnavailable(
            "帳票の作成に必要な患者情報がまだ反映されていません。少し待ってからもう一度出力してください。"
        )

    async def document(self, document_id: str) -> dict[str, Any]:
        """What reports knows of a generated document: its form, patient and registration number."""
        return (await self.send("GET", f"/documents/{document_id}")).json()

    async def document_content(self, document_id: str) -> httpx.Response:
        """The generated PDF, opened as a stream, to be relayed to the browser and then closed."""
        return await self.send("GET", f"/documents/{document_id}/content", stream=True)

    async def board_forms(self, path: str, forms: str) -> httpx.Response:
        """A 診査会 case's or session's forms as one PDF (`path`: cases/{id} or sessions/{id}), opened as a stream;
        a refusal (nothing applies, not yet in reports) is answered read, with its Japanese message."""
        response = await self.send("GET", f"/board/{path}/forms", stream=True, params={"forms": forms})
        if response.status_code != 200:
            await response.aread()
            await response.aclose()
        return response
