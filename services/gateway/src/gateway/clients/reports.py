"""The reports service: printed forms (帳票) and their checks and batches, and the files users store (資料)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from gateway.clients.base import SaveResult, ServiceClient, created, detail, page_error, saved
from gateway.web.errors import BadRequest, ServiceUnavailable

DOCUMENT_RETRY_DELAYS = (0.3, 0.5, 0.7, 1.0, 1.0)


class ReportsClient(ServiceClient):
    """reports' REST API as one user sees it."""

    async def create_document(
        self, form: str, patient_id: str, record_id: str | None = None, **options: str
    ) -> dict[str, Any]:
        """Asks reports for a form, about one of the patient's records when given (the 管理検診 of an F29) and with
        its options (F06's period_from and period_to); waits briefly while the patient has not reached reports yet
        (409)."""
        body = {"form": form, "patient_id": patient_id, **options} | ({"record_id": record_id} if record_id else {})
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

    async def make_package(self, patient_id: str, document_ids: list[str]) -> SaveResult:
        """An AES-256 encrypted ZIP of the patient's chosen documents, with its key (answered this once)."""
        body = {"patient_id": patient_id, "document_ids": document_ids}
        response = await self.send("POST", "/documents/packages", json=body)
        return saved(response, "暗号化ファイルを作成できませんでした。")

    async def package(self, package_id: str) -> dict[str, Any]:
        """What an encrypted package holds and whose documents they are (never its key)."""
        return await self.get_json(f"/documents/packages/{package_id}")

    async def package_content(self, package_id: str) -> httpx.Response:
        """The encrypted file as it was made, opened as a stream (a refusal is shown as a page)."""
        response = await self.send("GET", f"/documents/packages/{package_id}/content", stream=True)
        if response.status_code != 200:
            await response.aread()
            await response.aclose()
            raise page_error(response)
        return response

    async def printed_documents(self, owner_type: str, owner_id: str) -> dict[str, Any]:
        """The forms printed about a record and filed with it (R20), newest first."""
        params = (
            {"patient_id": owner_id} if owner_type == "patient" else {"owner_type": owner_type, "owner_id": owner_id}
        )
        return await self.get_json("/documents", **params, limit=200)

    async def screening_day_documents(self, day: str, place: str) -> dict[str, Any]:
        """The forms printed for a screening day at a place (the F25 受付簿) and filed with that day, newest first."""
        return await self.get_json("/documents", owner_type="screening_day", day=day, place=place, limit=200)

    async def attachments(self, owner_type: str, owner_id: str, *, withdrawn: bool = False) -> dict[str, Any]:
        """A record's stored files (資料), newest first; withdrawn ones too when asked."""
        params = {"owner_type": owner_type, "owner_id": owner_id, "withdrawn": str(withdrawn).lower(), "limit": 200}
        return await self.get_json("/attachments", **params)

    async def upload_attachments(self, fields: dict[str, str], files: list[tuple[str, bytes, str]]) -> SaveResult:
        """Stores files with a record; a refusal (type, size, virus, no scanner) comes back as field messages."""
        multipart = [("files", file) for file in files]
        request = self.http.build_request(
            "POST", f"{self.base_url}/attachments", headers=self.headers, data=fields, files=multipart
        )
        try:
            response = await self.http.send(request)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable() from exc
        if response.status_code in (401, 403, 404):
            raise page_error(response)
        if response.status_code in (413, 503) and response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            body = response.json()
            return SaveResult(errors=body.get("errors") or {"files": body.get("detail", "")})
        result = saved(response, "資料を保存できませんでした。")
        return SaveResult(record={"items": result.record}) if result.record is not None else result

    async def attachment(self, attachment_id: str) -> dict[str, Any]:
        """One stored file with its versions."""
        return await self.get_json(f"/attachments/{attachment_id}")

    async def attachment_file(self, attachment_id: str, *, preview: bool, number: int | None = None) -> httpx.Response:
        """A version's bytes, opened as a stream: shown in the browser (preview) or downloaded."""
        path = f"/attachments/{attachment_id}/{'preview' if preview else 'content'}"
        return await self.send("GET", path, params={"number": number} if number else None, stream=True)

    async def withdraw_attachment(self, attachment_id: str, version: int, reason: str) -> SaveResult:
        """Withdraws a stored file with a reason (nothing is deleted)."""
        body = {"version": version, "reason": reason}
        return saved(
            await self.send("POST", f"/attachments/{attachment_id}/withdraw", json=body), "取り下げできませんでした。"
        )

    async def scanner(self) -> dict[str, Any]:
        """The virus signatures' state (ok, old, refused, unavailable), date and age (N22)."""
        return await self.get_json("/scanner", fresh="true")

    async def forms(self) -> list[dict[str, Any]]:
        """Every printable form with its genre and required items."""
        return await self.cache.get("reports:forms", 300, lambda: self.get_json("/forms"))

    async def check_form(self, form: str, patient_id: str) -> dict[str, Any]:
        """The required items of a form that would print empty for the patient."""
        return await self.get_json(f"/forms/{form}/check", patient_id=patient_id)

    async def form_preview(self, form: str, patient_id: str, template_id: str | None = None) -> httpx.Response:
        """The form as it would print (not stored; a chosen template version, else the one in force), as a stream."""
        params = {"patient_id": patient_id} | ({"template_id": template_id} if template_id else {})
        return await self.send("GET", f"/forms/{form}/preview", params=params, stream=True)

    async def form_templates(self, form: str) -> list[dict[str, Any]]:
        """The versions of a form's template, latest effective first, the one in force today marked."""
        return await self.get_json(f"/forms/{form}/templates")

    async def template_source(self, form: str, template_id: str | None) -> dict[str, Any]:
        """The HTML and CSS of a version of a form's template (the built-in files when none is named)."""
        return await self.get_json(
            f"/forms/{form}/templates/source", **({"template_id": template_id} if template_id else {})
        )

    async def upload_template(self, form: str, body: dict[str, str]) -> SaveResult:
        """A new version of a form's template (様式改正), in force from its effective date."""
        response = await self.send("POST", f"/forms/{form}/templates", json=body)
        return saved(response, "様式の版を登録できませんでした。")

    async def request_batch(
        self, genre: str, patient_ids: list[str], title: str = "", forms: list[str] | None = None, **chosen: str
    ) -> SaveResult:
        """Queues the forms of a genre (all, or those named) for the records (patients; `session_id` of a 診査会;
        `day` and `place` of a screening day); printing goes on in reports' background."""
        body: dict[str, Any] = {"genre": genre, "patient_ids": patient_ids, "title": title}
        body |= {k: v for k, v in chosen.items() if v} | ({"forms": forms} if forms else {})
        response = await self.send("POST", "/batches", json=body)
        if response.status_code == 202:  # accepted: the batch prints in the background
            return SaveResult(record=response.json())
        return saved(response, "一括印刷を開始できませんでした。")

    async def batch(self, batch_id: str) -> dict[str, Any]:
        """A batch's progress."""
        return await self.get_json(f"/batches/{batch_id}")

    async def batches(self) -> list[dict[str, Any]]:
        """The user's newest batches."""
        return await self.get_json("/batches")

    async def batch_content(self, batch_id: str) -> httpx.Response:
        """The merged PDF of a finished batch, opened as a stream."""
        return await self.send("GET", f"/batches/{batch_id}/content", stream=True)

    async def request_letter(self, request_id: str, form: str) -> httpx.Response:
        """A request's letter (F30 依頼, F27 回答) as a PDF stream; reports' refusal (409 not yet there, 422 the other
        direction's letter) is shown as an error page with its message."""
        response = await self.send("GET", f"/request-letters/{request_id}/{form}", stream=True)
        if response.status_code != 200:
            await response.aread()
            await response.aclose()
            raise BadRequest(detail(response) or None)
        return response

    async def contact_form(
        self, path: str, params: dict[str, str] | list[tuple[str, str]] | None = None
    ) -> httpx.Response:
        """A contact screening form (F18, F19 by contact; F25 by day and place; F05 by index patient) as a PDF
        stream; reports' refusal (the list of missing items, not yet there) is shown as an error page."""
        response = await self.send("GET", path, stream=True, params=params)
        if response.status_code != 200:
            await response.aread()
            await response.aclose()
            raise BadRequest(detail(response) or None)
        return response

    async def board_forms(self, path: str, forms: str) -> httpx.Response:
        """A 診査会 case's or session's forms as one PDF (`path`: cases/{id} or sessions/{id}), opened as a stream;
        a refusal (nothing applies, not yet in reports) is answered read, with its Japanese message."""
        response = await self.send("GET", f"/board/{path}/forms", stream=True, params={"forms": forms})
        if response.status_code != 200:
            await response.aread()
            await response.aclose()
        return response
