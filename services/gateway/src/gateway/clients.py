"""Calls to the back-end services' REST APIs, made with the user's access token and terminal address."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from gateway.errors import BadRequest, Forbidden, LoginRequired, PageNotFound, ServiceUnavailable
from gateway.settings import Settings

log = logging.getLogger(__name__)
DOCUMENT_RETRY_DELAYS = (0.3, 0.5, 0.7, 1.0, 1.0)
MAX_QUERY = 200
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class Registration:
    """The outcome of a registration: the new patient, or a Japanese message per field."""

    patient: dict[str, Any] | None = None
    errors: dict[str, str] | None = None


@dataclass(frozen=True)
class Saved:
    """The outcome of a save: the stored record, a Japanese message per field, or why it was refused (409)."""

    record: dict[str, Any] | None = None
    errors: dict[str, str] | None = None
    conflict: str | None = None


@dataclass(frozen=True)
class LastUse:
    """The user's previous login and last logout (each {"time", "ip_address", …} or None) (N04)."""

    login: dict[str, Any] | None
    logout: dict[str, Any] | None
    failed_logins: int = 0


@dataclass(frozen=True)
class PdfStream:
    """An open PDF download from reports, to be relayed to the browser and then closed."""

    response: httpx.Response
    filename: str


class Backend:
    """The back-end services as one user sees them."""

    def __init__(self, http: httpx.AsyncClient, settings: Settings, *, token: str, client_ip: str) -> None:
        self.http, self.settings = http, settings
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if client_ip:
            self.headers["X-Forwarded-For"] = client_ip

    async def send(self, method: str, url: str, *, stream: bool = False, **kwargs: Any) -> httpx.Response:
        """One call; 401, 403, 404, 5xx and network failures become the matching error page."""
        request = self.http.build_request(method, url, headers=self.headers, **kwargs)
        try:
            response = await self.http.send(request, stream=stream)
        except httpx.HTTPError as exc:
            log.warning("back-end call failed: %s %s: %s", method, url, type(exc).__name__)
            raise ServiceUnavailable() from exc
        if response.status_code in (401, 403, 404) or response.status_code >= 500:
            await response.aread()
            await response.aclose()
            raise _page_error(response)
        return response

    async def register_patient(self, data: dict[str, Any]) -> Registration:
        """Registers a patient at the patients service."""
        response = await self.send("POST", f"{self.settings.patients_url}/patients", json=data)
        if response.status_code == 422:
            body = response.json()
            return Registration(errors=body.get("errors") or {"_": body.get("detail", "入力内容に誤りがあります。")})
        return Registration(patient=_created(response, "登録できませんでした。"))

    async def get_json(self, url: str, **params: Any) -> dict[str, Any]:
        """A GET that must succeed; any other answer becomes an error page with the service's message."""
        response = await self.send("GET", url, params=params or None)
        if response.status_code != 200:
            raise BadRequest(_detail(response) or None)
        return response.json()

    async def patient(self, patient_id: str) -> dict[str, Any]:
        """One patient's registration data."""
        return await self.get_json(f"{self.settings.patients_url}/patients/{patient_id}")

    async def patient_record(self, patient_id: str) -> dict[str, Any]:
        """Everything the patient page shows: patient, history, lab_results, care (by path) and alerts."""
        return await self.get_json(f"{self.settings.patients_url}/patients/{patient_id}/record")

    async def patients(self, limit: int = 50) -> dict[str, Any]:
        """The newest registered patients: {"items": [...], "total": n}."""
        return await self.get_json(f"{self.settings.patients_url}/patients", limit=limit)

    async def correct_patient(self, patient_id: str, version: str, changes: dict[str, Any], reason: str) -> Saved:
        """Saves a correction of a patient based on the version the user saw."""
        return await self.correct(f"/patients/{patient_id}", version, changes, reason)

    async def correct(self, path: str, version: str, changes: dict[str, Any], reason: str) -> Saved:
        """PATCH {version, changes, reason} of a patient, record #1, a care record or a result (409 when stale)."""
        body = {"version": version, "changes": changes, "reason": reason}
        response = await self.send("PATCH", f"{self.settings.patients_url}{path}", json=body)
        return _saved(response, "保存できませんでした。", prefix="changes.")

    async def save(self, path: str, body: dict[str, Any], failure: str = "保存できませんでした。") -> Saved:
        """POST of a new record or an action on the patient (登録除外, its 取消)."""
        return _saved(await self.send("POST", f"{self.settings.patients_url}{path}", json=body), failure)

    async def patient_history(self, patient_id: str) -> list[dict[str, Any]]:
        """The patient's edit history (修正履歴), newest first."""
        body = await self.get_json(f"{self.settings.patients_url}/patients/{patient_id}/history")
        return list(body.get("items", []))

    async def lab_results(self, patient_id: str) -> list[dict[str, Any]]:
        """The patient's test results (菌検査), newest collection first."""
        body = await self.get_json(f"{self.settings.patients_url}/patients/{patient_id}/lab-results")
        return list(body.get("items", []))

    async def record_lab_result(self, patient_id: str, data: dict[str, Any]) -> Saved:
        """Records a test result for the patient."""
        return await self.save(f"/patients/{patient_id}/lab-results", data, "検査結果を登録できませんでした。")

    async def care_records(self, patient_id: str, path: str) -> list[dict[str, Any]]:
        """The patient's treatments, hospital stays, transfers or progress notes, newest first."""
        body = await self.get_json(f"{self.settings.patients_url}/patients/{patient_id}/{path}")
        return list(body.get("items", []))

    async def possible_duplicates(self, name: str, name_kana: str, birth_date: str) -> list[dict[str, Any]]:
        """Registered patients who may be the person about to be registered; none when the input is unreadable."""
        body = {"name": name, "name_kana": name_kana, "birth_date": birth_date or None}
        response = await self.send("POST", f"{self.settings.patients_url}/patients/duplicates", json=body)
        if response.status_code == 422:  # e.g. an impossible birth date: registration itself will say so
            return []
        return list(_created(response, "重複の確認ができませんでした。").get("items", []))

    async def card_codes(self) -> dict[str, dict[str, str]]:
        """Every code list of the registration card with its Japanese labels."""
        return await self.get_json(f"{self.settings.patients_url}/reference/card")

    async def custom_field_definitions(self, active_on: str) -> list[dict[str, Any]]:
        """The configurable fields in use on a day (R33), in form order; none while patients cannot say."""
        try:
            body = await self.get_json(f"{self.settings.patients_url}/custom-fields", active_on=active_on)
        except (BadRequest, PageNotFound):
            return []
        return list(body.get("items", []))

    async def suggest(self, query: str) -> list[dict[str, Any]]:
        """Search suggestions while the user types."""
        body = await self.get_json(f"{self.settings.search_url}/search/suggest", q=query[:MAX_QUERY])
        return [_hit(item) for item in body.get("items", [])]

    async def search(self, query: str) -> dict[str, Any]:
        """Search results: {"items": [...], "total": n}."""
        body = await self.get_json(f"{self.settings.search_url}/search", q=query[:MAX_QUERY], limit=SEARCH_LIMIT)
        return {"items": [_hit(item) for item in body.get("items", [])], "total": body.get("total", 0)}

    async def last_use(self) -> LastUse | None:
        """The user's previous login and last logout, or None when identity cannot say."""
        try:
            body = await self.get_json(f"{self.settings.identity_url}/logins/me/last")
        except (BadRequest, Forbidden, PageNotFound, ServiceUnavailable, ValueError):
            return None
        return LastUse(
            login=body.get("previous_login", body.get("last_login")),
            logout=body.get("last_logout"),
            failed_logins=int(body.get("failed_logins_since_previous") or 0),
        )

    async def create_document(self, form: str, patient_id: str) -> dict[str, Any]:
        """Asks reports for a form; waits briefly while the patient has not reached reports yet (409)."""
        url, body = f"{self.settings.reports_url}/documents", {"form": form, "patient_id": patient_id}
        for delay in (*DOCUMENT_RETRY_DELAYS, None):
            response = await self.send("POST", url, json=body)
            if response.status_code != 409:
                return _created(response, "帳票を作成できませんでした。")
            if delay is not None:
                await asyncio.sleep(delay)
        raise ServiceUnavailable(
            "帳票の作成に必要な患者情報がまだ反映されていません。少し待ってからもう一度出力してください。"
        )

    async def document_pdf(self, document_id: str) -> PdfStream:
        """The generated PDF, opened as a stream, with the file name staff expect (F03_<登録番号>.pdf)."""
        meta = (await self.send("GET", f"{self.settings.reports_url}/documents/{document_id}")).json()
        filename = await self._document_filename(meta)
        response = await self.send("GET", f"{self.settings.reports_url}/documents/{document_id}/content", stream=True)
        return PdfStream(response, filename)

    async def _document_filename(self, meta: dict[str, Any]) -> str:
        form = str(meta.get("form") or meta.get("kind") or "document")
        number = meta.get("registration_no")
        if not number and meta.get("patient_id"):
            number = (await self.patient(str(meta["patient_id"]))).get("registration_no")
        return f"{form}_{number}.pdf" if number else f"{form}.pdf"


def _hit(item: dict[str, Any]) -> dict[str, Any]:
    """A search hit with its record type under "type" whichever name search used."""
    return {**item, "type": item.get("type") or item.get("record_type") or "patient"}


def _created(response: httpx.Response, failure: str) -> dict[str, Any]:
    """The created record; a refusal (4xx) is shown with the service's own message."""
    if response.status_code not in (200, 201):
        raise BadRequest(_detail(response) or failure)
    return response.json()


def _saved(response: httpx.Response, failure: str, *, prefix: str = "") -> Saved:
    """A save's outcome: field messages on 422 (keys without `prefix`), the service's message on 409."""
    if response.status_code == 422:
        body = response.json()
        errors = {key.removeprefix(prefix): message for key, message in (body.get("errors") or {}).items()}
        return Saved(errors=errors or {"_": body.get("detail", "入力内容に誤りがあります。")})
    if response.status_code == 409:
        return Saved(conflict=_detail(response) or failure)
    return Saved(record=_created(response, failure))


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail") or "")
    except ValueError:
        return ""


def _page_error(response: httpx.Response) -> Exception:
    if response.status_code == 401:
        return LoginRequired()
    if response.status_code == 403:
        return Forbidden(_detail(response) or None)
    if response.status_code == 404:
        return PageNotFound(_detail(response) or None)
    return ServiceUnavailable()
