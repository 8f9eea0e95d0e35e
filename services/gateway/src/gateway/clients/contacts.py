"""The contacts service: contacts (接触者) of index patients, their exposures, screening exams and edit history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import httpx

from gateway.clients.base import SaveResult, ServiceClient, detail, field_errors
from gateway.forms import GENERAL_ERROR
from gateway.web.downloads import refuse_if_not_in_cp932
from gateway.web.errors import BadRequest, PageNotFound

PAGE_SIZE = 50
MAX_OFFSET = 10_000  # contacts pages no deeper; the conditions narrow the list instead
EXPORT_FAILED = "CSVを出力できませんでした。"


@dataclass
class ExportAnswer:
    """contacts' answer to an export: the open CSV download, or its messages."""

    download: httpx.Response | None = None
    errors: dict[str, str] | None = None


class Duplicates(NamedTuple):
    """What the duplicate check found: contacts, and registered patients, who may be the person typed."""

    contacts: list[dict[str, Any]]
    patients: list[dict[str, Any]]


class ContactsClient(ServiceClient):
    """contacts' REST API as one user sees it."""

    async def index_case(self, patient_id: str) -> dict[str, Any] | None:
        """The index patient as contacts knows them (from patients' events); None while contacts does not yet."""
        try:
            return await self.get_json(f"/index-cases/{patient_id}")
        except PageNotFound:
            return None

    async def contacts(
        self,
        *,
        index_patient_id: str = "",
        conditions: dict[str, str] | None = None,
        limit: int = PAGE_SIZE,
        offset: int = 0,
    ) -> dict[str, Any]:
        """One page of the screening list, of one index patient or of all, with the list's conditions (due,
        district, setting, priority, status, sort): {"items", "total"}."""
        params: dict[str, Any] = {k: v for k, v in (conditions or {}).items() if v} | {"limit": limit, "offset": offset}
        if index_patient_id:
            params["index_patient_id"] = index_patient_id
        body = await self.get_json("/contacts", **params)
        return {"items": list(body.get("items", [])), "total": int(body.get("total") or 0)}

    async def codes(self) -> dict[str, Any]:
        """The contact forms' code lists from masters' コード表 as contacts keeps them: {"lists": {list: {code:
        label}, "former:<list>": …}, "rules": {list: {code: {rule, label, basis}}}}."""
        return await self.get_json("/reference/codes")

    async def counts(self, index_patient_id: str) -> dict[str, int]:
        """How many contacts an index patient has, how many are followed and how many are overdue (counts only:
        contacts does not record it as a read of personal data)."""
        body = await self.get_json("/contacts/counts", index_patient_id=index_patient_id)
        return {name: int(body.get(name) or 0) for name in ("total", "active", "overdue")}

    async def count_of(self, index_patient_id: str) -> int:
        """How many contacts an index patient has."""
        return (await self.counts(index_patient_id))["total"]

    async def export(self, conditions: dict[str, str]) -> ExportAnswer:
        """The screening list as CSV: the open download, or contacts' message (too many rows, a bad condition)."""
        params = {k: v for k, v in conditions.items() if v}
        response = await self.send("GET", "/contacts/export", params=params, stream=True)
        if response.status_code == 200:
            return ExportAnswer(download=response)
        try:
            await response.aread()
            body: dict[str, Any] = response.json()
        except ValueError:
            body = {}
        finally:
            await response.aclose()
        if response.status_code not in (422, 400):
            raise BadRequest(str(body.get("detail") or EXPORT_FAILED))
        refuse_if_not_in_cp932(body)
        return ExportAnswer(errors=body.get("errors") or {GENERAL_ERROR: str(body.get("detail") or EXPORT_FAILED)})

    async def duplicates(self, typed: dict[str, str]) -> Duplicates:
        """Contacts and registered patients who may already be the person typed on the registration form; none
        when contacts refuses what was typed (a 422: the registration that follows answers it field by field)."""
        body = {name: typed.get(name, "") for name in ("name", "name_kana", "birth_date", "phone")}
        response = await self.send("POST", "/contacts/duplicates", json=body)
        if response.status_code != 200:
            return Duplicates([], [])
        found = response.json()
        return Duplicates(list(found.get("items", [])), list(found.get("patients", [])))

    async def add_exposure(self, contact_id: str, version: str, exposure: dict[str, Any]) -> SaveResult:
        """Links an existing contact to another index patient with this exposure (the duplicate check's choice)."""
        body = {"version": _version(version), "exposure": exposure}
        response = await self.send("POST", f"/contacts/{contact_id}/exposures", json=body)
        return _saved(response, "接触状況を追加できませんでした。")

    async def contact(self, contact_id: str) -> dict[str, Any]:
        """One contact with exposures, priority, the screening plan and the exams (ContactRead)."""
        return await self.get_json(f"/contacts/{contact_id}")

    async def history(self, contact_id: str) -> list[dict[str, Any]]:
        """The contact's edit history (修正履歴) of the contact, its exposures and exams, newest first."""
        body = await self.get_json(f"/contacts/{contact_id}/history")
        return list(body.get("items", []))

    async def register(self, data: dict[str, Any]) -> SaveResult:
        """Registers a contact with its exposure: the new contact, or a Japanese message per field."""
        return _saved(await self.send("POST", "/contacts", json=data), "登録できませんでした。")

    async def correct(self, contact_id: str, version: str, changes: dict[str, Any], reason: str) -> SaveResult:
        """Corrects the contact (identity, priority override, outcome) based on the version the user saw."""
        body = {"version": _version(version), "changes": changes, "reason": reason}
        return _saved(await self.send("PATCH", f"/contacts/{contact_id}", json=body), "保存できませんでした。")

    async def correct_exposure(
        self, contact_id: str, exposure_id: str, version: str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """Corrects one exposure based on the contact's version the user saw; the plan follows its dates."""
        body = {"version": _version(version), "changes": changes, "reason": reason}
        path = f"/contacts/{contact_id}/exposures/{exposure_id}"
        return _saved(await self.send("PATCH", path, json=body), "保存できませんでした。")

    async def end(self, contact_id: str, version: str, body: dict[str, Any]) -> SaveResult:
        """Ends the contact's follow-up (終了) or excludes them (対象外); the record stays."""
        response = await self.send("POST", f"/contacts/{contact_id}/end", json={"version": _version(version), **body})
        return _saved(response, "終了できませんでした。")

    async def record_exam(self, contact_id: str, data: dict[str, Any]) -> SaveResult:
        """Records a screening exam, planned or done with its result."""
        response = await self.send("POST", f"/contacts/{contact_id}/exams", json=data)
        return _saved(response, "検査を登録できませんでした。")

    async def correct_exam(
        self, contact_id: str, exam_id: str, version: str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """Corrects an exam or enters its result, based on the exam's version the user saw."""
        body = {"version": _version(version), "changes": changes, "reason": reason}
        path = f"/contacts/{contact_id}/exams/{exam_id}"
        return _saved(await self.send("PATCH", path, json=body), "保存できませんでした。")

    async def cancel_exam(self, contact_id: str, exam_id: str, version: str, reason: str) -> SaveResult:
        """Cancels an exam (取消); it stays in the list and the history, out of the plan."""
        body = {"version": _version(version), "reason": reason}
        path = f"/contacts/{contact_id}/exams/{exam_id}/cancel"
        return _saved(await self.send("POST", path, json=body), "取り消せませんでした。")

    async def issue_recommendation(self, contact_id: str, data: dict[str, Any]) -> SaveResult:
        """Records a 17条 勧告 issued to the contact."""
        response = await self.send("POST", f"/contacts/{contact_id}/recommendations", json=data)
        return _saved(response, "勧告を登録できませんでした。")

    async def correct_recommendation(
        self, contact_id: str, recommendation_id: str, version: str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """Corrects a 勧告, based on its version the user saw."""
        body = {"version": _version(version), "changes": changes, "reason": reason}
        path = f"/contacts/{contact_id}/recommendations/{recommendation_id}"
        return _saved(await self.send("PATCH", path, json=body), "保存できませんでした。")

    async def cancel_recommendation(
        self, contact_id: str, recommendation_id: str, version: str, data: dict[str, Any]
    ) -> SaveResult:
        """Cancels a 勧告 (取消) with the reason and the day; it stays listed, marked 取消."""
        body = {"version": _version(version), **data}
        path = f"/contacts/{contact_id}/recommendations/{recommendation_id}/cancel"
        return _saved(await self.send("POST", path, json=body), "取り消せませんでした。")

    async def set_appointment(self, contact_id: str, exam_id: str, version: str, data: dict[str, Any]) -> SaveResult:
        """Sets or moves an exam's appointment (予約), based on the exam's version the user saw."""
        body = {"version": _version(version), **data}
        path = f"/contacts/{contact_id}/exams/{exam_id}/appointment"
        return _saved(await self.send("PUT", path, json=body), "予約を保存できませんでした。")

    async def record_reception(self, contact_id: str, exam_id: str, version: str, receipt_no: str) -> SaveResult:
        """Records the reception (受付) of the contact for an exam; the day's next receipt number when none is given."""
        body: dict[str, Any] = {"version": _version(version)}
        if receipt_no.strip():
            body["receipt_no"] = _version(receipt_no.strip())
        path = f"/contacts/{contact_id}/exams/{exam_id}/reception"
        return _saved(await self.send("POST", path, json=body), "受付を記録できませんでした。")


def _version(version: str) -> int | str:
    return int(version) if version.isdigit() else version


def _saved(response: httpx.Response, failure: str) -> SaveResult:
    """A change's outcome: messages per field on 422 (keys without `changes.`), the message on 409, else the record."""
    if response.status_code == 422:
        try:
            body = response.json()
        except ValueError:
            body = {}
        errors = field_errors(body if isinstance(body, dict) else {}, prefix="changes.")
        return SaveResult(errors={key or GENERAL_ERROR: message for key, message in errors.items()})
    if response.status_code == 409:
        return SaveResult(conflict=detail(response) or failure)
    if response.status_code not in (200, 201):
        raise BadRequest(detail(response) or failure)
    return SaveResult(record=response.json())
