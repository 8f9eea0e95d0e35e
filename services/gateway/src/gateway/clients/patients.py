"""The patients service: registration, the patient's record and its corrections, code lists, the CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from gateway.clients.base import SaveResult, ServiceClient, created, field_errors, saved
from gateway.forms import GENERAL_ERROR
from gateway.web.downloads import refuse_if_not_in_cp932
from gateway.web.errors import BadRequest, PageNotFound

CODES_TTL_SECONDS = 60.0  # masters' コード表 feeds the lists: a code added in マスタ管理 shows within a minute
EXPORT_FAILED = "CSVを出力できませんでした。条件を確認してください。"


@dataclass(frozen=True)
class ExportAnswer:
    """patients' answer to an export: the open CSV download, or its messages per condition."""

    download: httpx.Response | None = None
    errors: dict[str, str] | None = None


class PatientsClient(ServiceClient):
    """patients' REST API as one user sees it."""

    async def register_patient(self, data: dict[str, Any]) -> SaveResult:
        """Registers a patient: the new patient, or a Japanese message per field."""
        response = await self.send("POST", "/patients", json=data)
        if response.status_code == 422:
            return SaveResult(errors=field_errors(response.json()))
        return SaveResult(record=created(response, "登録できませんでした。"))

    async def patient(self, patient_id: str) -> dict[str, Any]:
        """One patient's registration data."""
        return await self.get_json(f"/patients/{patient_id}")

    async def patient_record(self, patient_id: str) -> dict[str, Any]:
        """Everything the patient page shows: patient, history, lab_results, care (by path) and alerts."""
        return await self.get_json(f"/patients/{patient_id}/record")

    async def patients(self, limit: int = 50, offset: int = 0, **conditions: str) -> dict[str, Any]:
        """Patients in the order and with the filters asked (newest first by default), from `offset`, with their
        注意事項 judged today: {"items": [...], "total": n}."""
        params = {"limit": limit, **({"offset": offset} if offset else {}), **conditions, "fresh": "true"}
        return await self.get_json("/patients", **params)

    async def nurse_loads(self) -> list[dict[str, Any]]:
        """Every 担当保健師 named on a patient with their patient counts."""
        return list((await self.get_json("/patients/nurses")).get("items") or [])

    async def correct_patient(self, patient_id: str, version: str, changes: dict[str, Any], reason: str) -> SaveResult:
        """Saves a correction of a patient based on the version the user saw."""
        return await self._correct(f"/patients/{patient_id}", version, changes, reason)

    async def correct_at_registration(
        self, patient_id: str, version: str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """履歴修正 of record #1 (the facts as at registration)."""
        return await self._correct(f"/patients/{patient_id}/at-registration", version, changes, reason)

    async def exclude(self, patient_id: str, body: dict[str, Any]) -> SaveResult:
        """登録除外 with its date, reason and note."""
        return await self._post(f"/patients/{patient_id}/exclusion", body, "登録除外できませんでした。")

    async def reinstate(self, patient_id: str, body: dict[str, Any]) -> SaveResult:
        """Cancels an exclusion (登録除外の取消)."""
        return await self._post(f"/patients/{patient_id}/reinstatement", body, "登録除外を取り消せませんでした。")

    async def patient_history(self, patient_id: str) -> list[dict[str, Any]]:
        """The patient's edit history (修正履歴), newest first."""
        body = await self.get_json(f"/patients/{patient_id}/history")
        return list(body.get("items", []))

    async def lab_results(self, patient_id: str) -> list[dict[str, Any]]:
        """The patient's test results (菌検査), newest collection first."""
        body = await self.get_json(f"/patients/{patient_id}/lab-results")
        return list(body.get("items", []))

    async def record_lab_result(self, patient_id: str, data: dict[str, Any]) -> SaveResult:
        """Records a test result for the patient."""
        return await self._post(f"/patients/{patient_id}/lab-results", data, "検査結果を登録できませんでした。")

    async def record_lab_results(self, patient_id: str, results: list[dict[str, Any]]) -> SaveResult:
        """Records results of one specimen at once (塗抹・培養・核酸増幅法): all of them or none."""
        body = {"results": results}
        return await self._post(f"/patients/{patient_id}/lab-results/batch", body, "検査結果を登録できませんでした。")

    async def correct_lab_result(
        self, patient_id: str, result_id: str, version: str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """Corrects one test result based on the version the user saw."""
        return await self._correct(f"/patients/{patient_id}/lab-results/{result_id}", version, changes, reason)

    async def care_records(self, patient_id: str, path: str) -> list[dict[str, Any]]:
        """The patient's treatments, hospital stays, transfers or progress notes, newest first."""
        body = await self.get_json(f"/patients/{patient_id}/{path}")
        return list(body.get("items", []))

    async def record_care(self, patient_id: str, path: str, data: dict[str, Any], failure: str) -> SaveResult:
        """Adds a treatment, hospital stay, 公費負担, transfer or progress note (`path` names the kind)."""
        return await self._post(f"/patients/{patient_id}/{path}", data, failure)

    async def correct_care(
        self, patient_id: str, path: str, record_id: str, version: str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """Corrects one care record based on the version the user saw."""
        return await self._correct(f"/patients/{patient_id}/{path}/{record_id}", version, changes, reason)

    async def send_transfer(self, patient_id: str, record_id: str, body: dict[str, Any]) -> SaveResult:
        """Records a sending of a 転出 patient's documents to the new health centre on the transfer's version."""
        path = f"/patients/{patient_id}/transfers/{record_id}/sendings"
        return await self._post(path, body, "送付を記録できませんでした。")

    async def correct_sending(
        self, patient_id: str, record_id: str, sending_id: str, version: str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """Corrects a wrong 転出 sending with a reason, based on the transfer's version the user saw."""
        path = f"/patients/{patient_id}/transfers/{record_id}/sendings/{sending_id}"
        return await self._correct(path, version, changes, reason)

    async def possible_duplicates(self, name: str, name_kana: str, birth_date: str) -> list[dict[str, Any]]:
        """Registered patients who may be the person about to be registered; none when the input is unreadable."""
        body = {"name": name, "name_kana": name_kana, "birth_date": birth_date or None}
        response = await self.send("POST", "/patients/duplicates", json=body)
        if response.status_code == 422:  # e.g. an impossible birth date: registration itself will say so
            return []
        return list(created(response, "重複の確認ができませんでした。").get("items", []))

    async def card_codes(self) -> dict[str, dict[str, str]]:
        """Every code list of the forms {list: {code: label}} as offered today, and `former:<list>` with the codes
        no longer offered (their labels for old records); kept a minute per gateway process."""
        return await self.cache.get("patients:card-codes", CODES_TTL_SECONDS, self._read_card_codes)

    async def _read_card_codes(self) -> dict[str, dict[str, str]]:
        return await self.get_json("/reference/card")

    async def custom_field_definitions(self, active_on: str) -> list[dict[str, Any]]:
        """The configurable fields in use on a day (R33), in form order; none while patients cannot say.

        Read fresh every time: an administrator may just have added one.
        """
        try:
            body = await self.get_json("/custom-fields", active_on=active_on)
        except (BadRequest, PageNotFound):
            return []
        return list(body.get("items", []))

    async def export(self, conditions: dict[str, str]) -> ExportAnswer:
        """患者データのCSV出力: the open download, or patients' messages per condition (from its 422)."""
        response = await self.send("GET", "/patients/export", params=conditions, stream=True)
        if response.status_code == 200:
            return ExportAnswer(download=response)
        try:
            await response.aread()
            body: dict[str, Any] = response.json()
        except ValueError:
            body = {}
        finally:
            await response.aclose()
        refuse_if_not_in_cp932(body)
        return ExportAnswer(errors=body.get("errors") or {GENERAL_ERROR: str(body.get("detail") or EXPORT_FAILED)})

    # ---- DOTS (服薬支援, docs/dots-api.md) ----

    async def dots_settings(self) -> dict[str, Any]:
        """The DOTS settings in force and its code lists (types, methods, statuses, outcomes…)."""
        return await self.get_json("/dots/settings")

    async def dots_change_setting(self, key: str, version: int, value: Any, reason: str) -> SaveResult:
        """Replaces one DOTS setting (マスタ管理 更新), based on the version the user saw (409 when stale)."""
        body = {"version": version, "value": value, "reason": reason}
        return saved(await self.send("PUT", f"/dots/settings/{key}", json=body), "設定を保存できませんでした。")

    async def dots_plans(self, patient_id: str) -> list[dict[str, Any]]:
        """The patient's support plans (F07), newest first."""
        return list(await self.get_json(f"/patients/{patient_id}/dots/plans"))

    async def dots_assessments(self, patient_id: str) -> list[dict[str, Any]]:
        """The patient's F01 assessments, newest first, each with its item list as it was."""
        return list(await self.get_json(f"/patients/{patient_id}/dots/assessments"))

    async def dots_confirmations(self, patient_id: str, first: str, last: str) -> list[dict[str, Any]]:
        """The patient's confirmations from `first` to `last`, in date order."""
        body = await self.get_json(f"/patients/{patient_id}/dots/confirmations", first=first, last=last)
        return list(body.get("items", []))

    async def dots_course(self, patient_id: str) -> list[dict[str, Any]]:
        """F04: per course the adherence per week and in all, interruptions, the next confirmation due, outcome."""
        body = await self.get_json(f"/patients/{patient_id}/dots/course")
        return list(body.get("items", []))

    async def dots_calendar(self, patient_id: str, items: list[dict[str, Any]]) -> SaveResult:
        """A month's confirmations in one request; messages keyed `items.<n>.<field>`, nothing stored on any."""
        response = await self.send("POST", f"/patients/{patient_id}/dots/confirmations/calendar", json={"items": items})
        return saved(response, "服薬確認を保存できませんでした。")

    async def dots_confirm(self, patient_id: str, body: dict[str, Any]) -> SaveResult:
        """One day's confirmation (the day sheet's line)."""
        return await self._post(f"/patients/{patient_id}/dots/confirmations", body, "服薬確認を保存できませんでした。")

    async def dots_record_assessment(self, patient_id: str, body: dict[str, Any]) -> SaveResult:
        """An F01 assessment; the answer has the derived level and the suggested DOTS type."""
        return await self._post(
            f"/patients/{patient_id}/dots/assessments", body, "アセスメントを保存できませんでした。"
        )

    async def dots_record_plan(self, patient_id: str, body: dict[str, Any]) -> SaveResult:
        """A new support plan (F07)."""
        return await self._post(f"/patients/{patient_id}/dots/plans", body, "支援計画を保存できませんでした。")

    async def dots_change_plan(
        self, patient_id: str, plan_id: str, version: str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """A change of plan with its reason, based on the version the user saw (409 when stale)."""
        return await self._correct(f"/patients/{patient_id}/dots/plans/{plan_id}", version, changes, reason)

    async def dots_outcome(self, patient_id: str, treatment_id: str) -> dict[str, Any]:
        """A course's cohort outcome: computed (with its rule), the override, and the review as stored."""
        return await self.get_json(f"/patients/{patient_id}/dots/outcomes/{treatment_id}")

    async def dots_review_outcome(self, patient_id: str, treatment_id: str, body: dict[str, Any]) -> SaveResult:
        """Records the end, a death, an override with its reason and the meeting note (409 when stale)."""
        response = await self.send("PUT", f"/patients/{patient_id}/dots/outcomes/{treatment_id}", json=body)
        return saved(response, "判定を保存できませんでした。")

    async def dots_day_sheet(self, day: str) -> dict[str, Any]:
        """The logged-in nurse's round on a day: one line per patient with what is due."""
        return await self.get_json("/dots/day-sheet", day=day)

    async def dots_cohort(self, period: str, offset: int = 0, ltbi_offset: int = 0) -> SaveResult:
        """One page of the コホート検討会 list of a period (2025 or 2025Q1) with the whole period's counts; a wrong
        period is a message, not an error page."""
        params = {"period": period, "offset": offset, "ltbi_offset": ltbi_offset}
        response = await self.send("GET", "/dots/cohort", params=params)
        if response.status_code == 422:
            return SaveResult(errors=field_errors(response.json()))
        return SaveResult(record=created(response, "コホート検討の一覧を読み込めませんでした。"))

    # ---- 管理検診 and 行動調査 (R06, R08) ----

    async def followup(self, patient_id: str) -> dict[str, Any]:
        """The patient's follow-up plan, schedule with the basis of each date, exams, next due and proposal."""
        return await self.get_json(f"/patients/{patient_id}/followup")

    async def followup_save_plan(self, patient_id: str, body: dict[str, Any]) -> SaveResult:
        """Creates or changes the plan (the dates of the exams not yet done are recomputed)."""
        response = await self.send("PUT", f"/patients/{patient_id}/followup/plan", json=body)
        return saved(response, "管理検診の計画を保存できませんでした。")

    async def followup_record_exam(
        self, patient_id: str, exam_id: str, version: str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """Records a notice, appointment, results, judgement or outreach (409 when stale)."""
        return await self._correct(f"/patients/{patient_id}/followup/exams/{exam_id}", version, changes, reason)

    async def followup_confirm_exclusion(self, patient_id: str, body: dict[str, Any]) -> SaveResult:
        """Confirms the proposed 登録除外 (経過観察終了)."""
        return await self._post(f"/patients/{patient_id}/followup/exclusion", body, "登録除外を確定できませんでした。")

    async def followup_list(self, view: str, month: str, district: str, offset: int) -> SaveResult:
        """The clerk's follow-up list; a wrong month is a message, not an error page."""
        params = {"view": view, "month": month, "district": district, "offset": offset, "limit": 100}
        response = await self.send("GET", "/followup/list", params={k: v for k, v in params.items() if v != ""})
        if response.status_code == 422:
            return SaveResult(errors=field_errors(response.json()))
        return SaveResult(record=created(response, "管理検診の一覧を読み込めませんでした。"))

    async def investigation(self, patient_id: str) -> dict[str, Any]:
        """The 行動調査 with its computed infectious period, delays and contact candidates."""
        return await self.get_json(f"/patients/{patient_id}/investigation")

    async def investigation_save(self, patient_id: str, body: dict[str, Any]) -> SaveResult:
        """Records or corrects the 行動調査 (409 when stale)."""
        response = await self.send("PUT", f"/patients/{patient_id}/investigation", json=body)
        return saved(response, "行動調査票を保存できませんでした。")

    async def followup_settings(self) -> dict[str, Any]:
        """The 管理検診 intervals (with the §7 defaults and their basis) and the 行動調査票's added items in force."""
        return await self.get_json("/followup/settings")

    async def followup_change_setting(self, key: str, body: dict[str, Any]) -> SaveResult:
        """Replaces one 管理検診 / 行動調査 setting (409 when somebody saved first)."""
        response = await self.send("PUT", f"/followup/settings/{key}", json=body)
        return saved(response, "設定を保存できませんでした。")

    async def followup_settings_history(self) -> list[dict[str, Any]]:
        """Every change of those settings, newest first."""
        return list(await self.get_json("/followup/settings/history"))

    # ---- 保存期間（登録除外後） ----

    async def retention_due(self) -> dict[str, Any]:
        """The setting with its basis, and the registration records whose retention period has ended today."""
        return dict(await self.get_json("/retention/due"))

    async def retention_deletions(self) -> list[dict[str, Any]]:
        """The records of past deletions, newest first."""
        return list(await self.get_json("/retention/deletions"))

    async def delete_expired(self, patient_ids: list[str], reason: str) -> SaveResult:
        """Deletes these due registration records for the reason given (422 with the messages otherwise)."""
        body = {"patient_ids": patient_ids, "reason": reason}
        return saved(await self.send("POST", "/retention/deletions", json=body), "削除できませんでした。")

    async def _correct(self, path: str, version: str, changes: dict[str, Any], reason: str) -> SaveResult:
        """PATCH {version, changes, reason} of a patient, record #1, a care record or a result (409 when stale)."""
        body = {"version": version, "changes": changes, "reason": reason}
        response = await self.send("PATCH", path, json=body)
        return saved(response, "保存できませんでした。", prefix="changes.")

    async def _post(self, path: str, body: dict[str, Any], failure: str) -> SaveResult:
        """POST of a new record or an action on the patient (登録除外, its 取消)."""
        return saved(await self.send("POST", path, json=body), failure)

    # ---- 診査会・公費 ----

    async def board_worklist(self) -> dict[str, Any]:
        """The clerk's list: awaiting a session, to notify, 患者票 to issue, covers expiring, 勧告 ending."""
        return await self.get_json("/board/worklist")

    async def board_sessions(self) -> list[dict[str, Any]]:
        """Sessions of the 協議会, newest first."""
        return list((await self.get_json("/board/sessions")).get("items", []))

    async def board_session(self, session_id: str) -> dict[str, Any]:
        """A session with its cases in agenda order and the legal basis of the rules."""
        return await self.get_json(f"/board/sessions/{session_id}")

    async def board_open_session(self, body: dict[str, Any]) -> SaveResult:
        """Schedules a session."""
        return await self._post("/board/sessions", body, "診査会を登録できませんでした。")

    async def board_change_session(self, session_id: str, version: str, changes: dict[str, Any]) -> SaveResult:
        """Saves attendance, minutes or status (409 when stale)."""
        return await self._correct(f"/board/sessions/{session_id}", version, changes, "")

    async def board_case(self, case_id: str) -> dict[str, Any]:
        """One case with its patient, due date and cover."""
        return await self.get_json(f"/board/cases/{case_id}")

    async def board_open_case(self, body: dict[str, Any]) -> SaveResult:
        """Records an application or a 諮問."""
        return await self._post("/board/cases", body, "案件を登録できませんでした。")

    async def board_change_case(self, case_id: str, version: str, changes: dict[str, Any]) -> SaveResult:
        """Corrects a case or puts it on an agenda (409 when stale)."""
        return await self._correct(f"/board/cases/{case_id}", version, changes, "")

    async def board_case_action(self, case_id: str, action: str, body: dict[str, Any]) -> SaveResult:
        """decision, withdrawal, notified or cards of a case."""
        return await self._post(f"/board/cases/{case_id}/{action}", body, "保存できませんでした。")

    async def board_of_patient(self, patient_id: str) -> dict[str, Any]:
        """A patient's cases, 患者票 and 勧告."""
        return await self.get_json(f"/patients/{patient_id}/board")

    async def board_rules(self) -> dict[str, Any]:
        """The rules' numbers and their legal basis."""
        return await self.get_json("/board/rules")

    async def board_issue_measure(self, patient_id: str, body: dict[str, Any]) -> SaveResult:
        """Records a 勧告 (18・19・20条 or an extension)."""
        return await self._post(f"/patients/{patient_id}/measures", body, "勧告を保存できませんでした。")

    async def board_change_measure(self, measure_id: str, version: str, changes: dict[str, Any]) -> SaveResult:
        """Records delivery, 意見陳述 or the end of a 勧告 (409 when stale)."""
        return await self._correct(f"/board/measures/{measure_id}", version, changes, "")

    async def board_numbers(self) -> dict[str, Any]:
        """Every 受給者番号 issued, voided ones included, and whether the serials run without a gap."""
        return await self.get_json("/board/numbers")

    async def board_card_action(self, card_id: str, action: str, body: dict[str, Any]) -> SaveResult:
        """reissue (lost) or return of a 患者票."""
        return await self._post(f"/board/cards/{card_id}/{action}", body, "患者票の記録を保存できませんでした。")
