"""Per-area access (R32): every endpoint of every service refuses, with a Japanese 403, whoever lacks its level.

The endpoints are those each running service publishes in its OpenAPI document: a new endpoint fails
`test_every_endpoint_declares_the_access_it_needs` until ENDPOINTS says which area and level it needs, and from
then on it is called below for every area and level. Every call goes over real HTTP to the services of the
running stack, with real Keycloak tokens of accounts that hold exactly the levels a case needs: for an endpoint
needing {帳票: 参照, 患者管理: 参照}, the 患者管理 cases use accounts with 帳票 参照 and 患者管理 at 更新, 参照 or
使用不可, so a refusal can only come from the area under test (and must name it).
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from tbms_core.auth import Access, Area
from tbms_testing import wait_for
from tbms_testing.keycloak_users import AccessUser, log_in_all
from tbms_tools import config

R, U = Access.READ, Access.UPDATE
SERVICES = ("patients", "contacts", "reports", "search", "identity", "masters", "workflow")  # the gateway forwards
MISSING = "00000000-0000-4000-8000-00000000a32f"  # an id no record has: a permitted call answers 404 after the check
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモ"
GIVEN = "".join(random.choice(KATAKANA) for _ in range(5))
SUBJECT = {  # the synthetic patient the permitted registration creates; later calls read and search for it
    "name": f"権限試験 {GIVEN}",
    "name_kana": f"ケンゲンシケン {GIVEN}",
    "sex": "female",
    "birth_date": "S50.4.1",
    "district": "世田谷",
}
NEW_PASSWORD = "Acl-Temp-2026!pw"  # satisfies the realm's password policy, so only the access check can refuse
NEW_PASSWORD_BODY = {"temporary_password": NEW_PASSWORD}
PROBE_FIELD = {  # created by the first permitted call only (then 409): out of use since 2000, no form shows it
    "target": "patient",
    "key": "acl_access_probe",
    "label": "権限試験用（使用しない）",
    "type": "text",
    "active_from": "2000-01-01",
    "active_to": "2000-01-01",
}

CONTACT = {  # a contact of an index patient no record has: a permitted registration answers 422
    "name": f"権限試験 {GIVEN}",
    "exposures": [{"index_patient_id": MISSING, "setting": "other"}],
}


def change(changes: dict[str, Any]) -> dict[str, Any]:
    """A correction based on version 1 of a record."""
    return {"version": 1, "changes": changes}


@dataclass(frozen=True)
class Endpoint:
    """One endpoint, the level it needs in each area (none: any logged-in user) and a request it accepts."""

    service: str
    method: str
    path: str
    needs: Mapping[Area, Access] = field(default_factory=dict)
    body: Any = None
    params: Mapping[str, str | int] = field(default_factory=dict)
    variant: str = ""  # names a second declaration of one endpoint whose parameters need other areas
    ids: Mapping[str, str] = field(default_factory=dict)  # path values of its own (a review kind, not a master kind)

    @property
    def key(self) -> tuple[str, str, str]:
        """What the service's OpenAPI document calls this endpoint."""
        return self.service, self.method, self.path

    @property
    def case(self) -> tuple[str, str, str, str]:
        """The endpoint with its variant: what is declared once and called once per account."""
        return *self.key, self.variant

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path}"


CARE_RECORDS = ("treatments", "hospitalisations", "transfers", "notes", "public-expenses")
ENDPOINTS = [
    # patients
    Endpoint("patients", "POST", "/patients", {Area.PATIENTS: U}, body=SUBJECT),
    Endpoint("patients", "POST", "/deadlines/sweep", {Area.PATIENTS: U}),
    # retention after 登録除外 (N17): the due list and the deletion are the 監査 area's (a permitted deletion of an id
    # that is not due answers 422 and deletes nothing)
    Endpoint("patients", "GET", "/retention/settings", {Area.AUDIT: R}),
    Endpoint("patients", "GET", "/retention/due", {Area.AUDIT: R}),
    Endpoint("patients", "GET", "/retention/deletions", {Area.AUDIT: R}),
    Endpoint(
        "patients",
        "POST",
        "/retention/deletions",
        {Area.AUDIT: U},
        body={"patient_ids": [MISSING], "reason": "権限試験"},
    ),
    Endpoint("patients", "GET", "/patients", {Area.PATIENTS: R}, params={"limit": 1}),
    Endpoint("patients", "GET", "/patients/nurses", {Area.PATIENTS: R}),
    Endpoint("patients", "POST", "/patients/duplicates", {Area.PATIENTS: R}, body={"name_kana": SUBJECT["name_kana"]}),
    # exporting reads personal data (audited as 出力); a district nobody has keeps the permitted calls small
    Endpoint(
        "patients", "GET", "/patients/export", {Area.PATIENTS: R, Area.STATS: R}, params={"district": "権限試験用地区"}
    ),
    Endpoint("patients", "GET", "/patients/{patient_id}", {Area.PATIENTS: R}),
    Endpoint("patients", "PATCH", "/patients/{patient_id}", {Area.PATIENTS: U}, body=change({"address": "東京都"})),
    Endpoint("patients", "GET", "/patients/{patient_id}/history", {Area.PATIENTS: R}),
    Endpoint("patients", "GET", "/patients/{patient_id}/record", {Area.PATIENTS: R}),
    Endpoint("patients", "PATCH", "/patients/{patient_id}/at-registration", {Area.PATIENTS: U}, body=change({})),
    Endpoint(
        "patients",
        "POST",
        "/patients/{patient_id}/exclusion",
        {Area.PATIENTS: U},
        body={"version": 1, "excluded_on": "2025-01-06", "reason": "other"},
    ),
    Endpoint(
        "patients",
        "POST",
        "/patients/{patient_id}/reinstatement",
        {Area.PATIENTS: U},
        body={"version": 1, "reason": "再発"},
    ),
    Endpoint(
        "patients",
        "POST",
        "/patients/{patient_id}/lab-results",
        {Area.PATIENTS: U},
        body={"kind": "smear", "collected_on": "2025-01-06"},
    ),
    Endpoint(
        "patients",
        "POST",
        "/patients/{patient_id}/lab-results/batch",
        {Area.PATIENTS: U},
        body={"results": [{"kind": "smear", "collected_on": "2025-01-06", "details": {"grade": "−"}}]},
    ),
    Endpoint("patients", "GET", "/patients/{patient_id}/lab-results", {Area.PATIENTS: R}),
    Endpoint(
        "patients",
        "PATCH",
        "/patients/{patient_id}/lab-results/{result_id}",
        {Area.PATIENTS: U},
        body=change({"laboratory": "権限試験検査室"}),
    ),
    *(
        endpoint
        for kind in CARE_RECORDS
        for endpoint in (
            Endpoint("patients", "POST", f"/patients/{{patient_id}}/{kind}", {Area.PATIENTS: U}, body={}),
            Endpoint("patients", "GET", f"/patients/{{patient_id}}/{kind}", {Area.PATIENTS: R}),
            Endpoint(
                "patients",
                "PATCH",
                f"/patients/{{patient_id}}/{kind}/{{record_id}}",
                {Area.PATIENTS: U},
                body=change({}),
            ),
        )
    ),
    # a 転出's sending to the new health centre (施行規則27条の8), recorded on the transfer
    Endpoint("patients", "POST", "/patients/{patient_id}/transfers/{record_id}/sendings", {Area.PATIENTS: U}, body={}),
    Endpoint(
        "patients",
        "PATCH",
        "/patients/{patient_id}/transfers/{record_id}/sendings/{sending_id}",
        {Area.PATIENTS: U},
        body={"version": 1, "changes": {}, "reason": "権限試験"},
    ),
    Endpoint("patients", "GET", "/reference/card", {Area.PATIENTS: R}),
    # patients: DOTS (服薬支援); its settings are kept under マスタ管理
    Endpoint("patients", "GET", "/dots/settings", {Area.PATIENTS: R}),
    Endpoint(
        "patients",
        "PUT",
        "/dots/settings/{key}",
        {Area.MASTERS: U},
        body={"version": 0, "value": [], "reason": "権限試験"},
    ),
    Endpoint("patients", "GET", "/dots/day-sheet", {Area.PATIENTS: R}, params={"day": "2026-12-01"}),
    Endpoint("patients", "GET", "/dots/cohort", {Area.PATIENTS: R}, params={"period": "2025Q1"}),
    *(
        endpoint
        for kind in ("assessments", "plans", "confirmations")
        for endpoint in (
            Endpoint("patients", "POST", f"/patients/{{patient_id}}/dots/{kind}", {Area.PATIENTS: U}, body={}),
            Endpoint("patients", "GET", f"/patients/{{patient_id}}/dots/{kind}", {Area.PATIENTS: R}),
            Endpoint(
                "patients",
                "PATCH",
                f"/patients/{{patient_id}}/dots/{kind}/{{record_id}}",
                {Area.PATIENTS: U},
                body=change({}),
            ),
        )
    ),
    Endpoint("patients", "POST", "/patients/{patient_id}/dots/confirmations/calendar", {Area.PATIENTS: U}, body={}),
    Endpoint("patients", "GET", "/patients/{patient_id}/dots/course", {Area.PATIENTS: R}),
    Endpoint("patients", "GET", "/patients/{patient_id}/dots/outcomes/{treatment_id}", {Area.PATIENTS: R}),
    Endpoint(
        "patients",
        "PUT",
        "/patients/{patient_id}/dots/outcomes/{treatment_id}",
        {Area.PATIENTS: U},
        body={"version": 0},
    ),
    # patients: 管理検診 (follow-up examinations) and 行動調査 (behavioural investigation)
    Endpoint("patients", "GET", "/followup/list", {Area.PATIENTS: R}, params={"view": "due"}),
    Endpoint("patients", "GET", "/patients/{patient_id}/followup", {Area.PATIENTS: R}),
    Endpoint("patients", "PUT", "/patients/{patient_id}/followup/plan", {Area.PATIENTS: U}, body={}),
    Endpoint(
        "patients", "PATCH", "/patients/{patient_id}/followup/exams/{exam_id}", {Area.PATIENTS: U}, body=change({})
    ),
    Endpoint("patients", "POST", "/patients/{patient_id}/followup/exclusion", {Area.PATIENTS: U}, body={"version": 1}),
    Endpoint("patients", "GET", "/patients/{patient_id}/investigation", {Area.PATIENTS: R}),
    Endpoint("patients", "PUT", "/patients/{patient_id}/investigation", {Area.PATIENTS: U}, body={}),
    Endpoint("patients", "GET", "/patients/{patient_id}/investigation/candidates", {Area.PATIENTS: R}),
    # their settings (intervals, the 行動調査票's added items) are kept under マスタ管理, as DOTS's
    Endpoint("patients", "GET", "/followup/settings", {Area.PATIENTS: R}),
    Endpoint("patients", "GET", "/followup/settings/history", {Area.PATIENTS: R}),
    Endpoint(
        "patients",
        "PUT",
        "/followup/settings/{key}",
        {Area.MASTERS: U},
        body={"version": 0, "value": {}, "reason": "権限試験"},
    ),
    # patients: 診査会・公費 (sessions, cases and decisions, 受給者番号, 患者票, 勧告)
    Endpoint("patients", "GET", "/board/rules", {Area.REVIEW: R}),
    Endpoint("patients", "GET", "/board/sessions", {Area.REVIEW: R}),
    Endpoint("patients", "POST", "/board/sessions", {Area.REVIEW: U}, body={}),
    Endpoint("patients", "GET", "/board/sessions/{session_id}", {Area.REVIEW: R}),
    Endpoint("patients", "PATCH", "/board/sessions/{session_id}", {Area.REVIEW: U}, body=change({})),
    Endpoint("patients", "POST", "/board/cases", {Area.REVIEW: U}, body={}),
    Endpoint("patients", "GET", "/board/cases/{case_id}", {Area.REVIEW: R}),
    Endpoint("patients", "PATCH", "/board/cases/{case_id}", {Area.REVIEW: U}, body=change({})),
    *(
        Endpoint("patients", "POST", f"/board/cases/{{case_id}}/{action}", {Area.REVIEW: U}, body={})
        for action in ("decision", "withdrawal", "notified", "cards", "receipt")
    ),
    Endpoint("patients", "GET", "/board/numbers", {Area.REVIEW: R}),
    Endpoint("patients", "POST", "/board/cards/{card_id}/reissue", {Area.REVIEW: U}, body={}),
    Endpoint("patients", "POST", "/board/cards/{card_id}/return", {Area.REVIEW: U}, body={}),
    Endpoint("patients", "POST", "/patients/{patient_id}/measures", {Area.REVIEW: U}, body={}),
    Endpoint("patients", "PATCH", "/board/measures/{measure_id}", {Area.REVIEW: U}, body=change({})),
    Endpoint("patients", "GET", "/patients/{patient_id}/board", {Area.REVIEW: R}),
    Endpoint("patients", "GET", "/board/worklist", {Area.REVIEW: R}),
    # patients: configurable fields are defined under マスタ管理 and read by every patient form
    Endpoint("patients", "GET", "/custom-fields", {Area.PATIENTS: R}),
    Endpoint("patients", "POST", "/custom-fields", {Area.MASTERS: U}, body=PROBE_FIELD),
    Endpoint("patients", "GET", "/custom-fields/{definition_id}", {Area.PATIENTS: R}),
    Endpoint("patients", "PATCH", "/custom-fields/{definition_id}", {Area.MASTERS: U}, body=change({})),
    Endpoint("patients", "POST", "/custom-fields/{definition_id}/deactivate", {Area.MASTERS: U}, body={"version": 1}),
    Endpoint("patients", "GET", "/custom-fields/{definition_id}/history", {Area.MASTERS: R}),
    # contacts
    Endpoint("contacts", "GET", "/reference/codes", {Area.CONTACTS: R}),
    Endpoint("contacts", "GET", "/index-cases/{patient_id}", {Area.CONTACTS: R}),
    Endpoint("contacts", "GET", "/contacts/counts", {Area.CONTACTS: R}, params={"index_patient_id": "{patient_id}"}),
    Endpoint(
        "contacts", "GET", "/contacts/export", {Area.CONTACTS: R, Area.STATS: R}, params={"district": "権限試験用地区"}
    ),
    Endpoint("contacts", "POST", "/contacts/duplicates", {Area.CONTACTS: R}, body={"name": "試験"}),
    Endpoint(
        "contacts", "GET", "/contacts", {Area.CONTACTS: R}, params={"index_patient_id": "{patient_id}", "limit": 1}
    ),
    # the index patient is MISSING, so a permitted registration is refused with 422 and stores nothing
    Endpoint("contacts", "POST", "/contacts", {Area.CONTACTS: U}, body=CONTACT),
    Endpoint("contacts", "POST", "/deadlines/sweep", {Area.CONTACTS: U}),
    Endpoint("contacts", "GET", "/contacts/{contact_id}", {Area.CONTACTS: R}),
    Endpoint("contacts", "PATCH", "/contacts/{contact_id}", {Area.CONTACTS: U}, body=change({"phone": "03-0000"})),
    Endpoint("contacts", "GET", "/contacts/{contact_id}/history", {Area.CONTACTS: R}),
    Endpoint(
        "contacts",
        "POST",
        "/contacts/{contact_id}/exposures",
        {Area.CONTACTS: U},
        body={"version": 1, "exposure": CONTACT["exposures"][0]},
    ),
    Endpoint(
        "contacts", "PATCH", "/contacts/{contact_id}/exposures/{exposure_id}", {Area.CONTACTS: U}, body=change({})
    ),
    Endpoint(
        "contacts",
        "POST",
        "/contacts/{contact_id}/end",
        {Area.CONTACTS: U},
        body={"version": 1, "ended_on": "2025-01-06", "reason": "excluded"},
    ),
    Endpoint("contacts", "GET", "/contacts/{contact_id}/exams", {Area.CONTACTS: R}),
    Endpoint("contacts", "POST", "/contacts/{contact_id}/exams", {Area.CONTACTS: U}, body={"kind": "xray"}),
    Endpoint("contacts", "PATCH", "/contacts/{contact_id}/exams/{exam_id}", {Area.CONTACTS: U}, body=change({})),
    Endpoint(
        "contacts",
        "POST",
        "/contacts/{contact_id}/exams/{exam_id}/cancel",
        {Area.CONTACTS: U},
        body={"version": 1, "reason": "権限試験"},
    ),
    Endpoint(
        "contacts",
        "PUT",
        "/contacts/{contact_id}/exams/{exam_id}/appointment",
        {Area.CONTACTS: U},
        body={
            "version": 1,
            "appointment_on": "2025-01-06",
            "appointment_time": "10:00",
            "appointment_place": "権限試験",
        },
    ),
    Endpoint(
        "contacts", "POST", "/contacts/{contact_id}/exams/{exam_id}/reception", {Area.CONTACTS: U}, body={"version": 1}
    ),
    Endpoint("contacts", "GET", "/contacts/{contact_id}/recommendations", {Area.CONTACTS: R}),
    Endpoint(
        "contacts",
        "POST",
        "/contacts/{contact_id}/recommendations",
        {Area.CONTACTS: U},
        body={"issued_on": "2025-01-06", "delivery": "mail", "exams": ["xray"], "deadline_on": "2025-02-06"},
    ),
    Endpoint(
        "contacts",
        "PATCH",
        "/contacts/{contact_id}/recommendations/{recommendation_id}",
        {Area.CONTACTS: U},
        body=change({}),
    ),
    Endpoint(
        "contacts",
        "POST",
        "/contacts/{contact_id}/recommendations/{recommendation_id}/cancel",
        {Area.CONTACTS: U},
        body={"version": 1, "reason": "権限試験"},
    ),
    # contacts: requests between municipalities (R14); unknown ids answer 404 (or 422 for bodies naming them)
    Endpoint("contacts", "GET", "/requests", {Area.CONTACTS: R}, params={"limit": 1}),
    Endpoint(
        "contacts",
        "POST",
        "/requests",
        {Area.CONTACTS: U},
        body={"counterpart_name": "権限試験", "index_patient_id": MISSING, "items": [{"contact_id": MISSING}]},
    ),
    Endpoint(
        "contacts",
        "POST",
        "/requests/incoming",
        {Area.CONTACTS: U},
        body={"counterpart_name": "権限試験", "requested_on": "2000-01-01", "index_label": "権限試験", "people": []},
    ),
    Endpoint("contacts", "GET", "/requests/{request_id}", {Area.CONTACTS: R}),
    Endpoint("contacts", "PATCH", "/requests/{request_id}", {Area.CONTACTS: U}, body=change({})),
    Endpoint("contacts", "GET", "/requests/{request_id}/history", {Area.CONTACTS: R}),
    Endpoint("contacts", "POST", "/requests/{request_id}/packages", {Area.CONTACTS: U}),
    Endpoint("contacts", "GET", "/requests/{request_id}/packages/{package_id}", {Area.CONTACTS: U}),
    Endpoint(
        "contacts",
        "POST",
        "/requests/{request_id}/send",
        {Area.CONTACTS: U},
        body={"version": 1, "method": "paper_mail", "sent_on": "2000-01-01", "documents": "権限試験"},
    ),
    Endpoint(
        "contacts",
        "POST",
        "/requests/{request_id}/acknowledge",
        {Area.CONTACTS: U},
        body={"version": 1, "acknowledged_on": "2000-01-01"},
    ),
    Endpoint(
        "contacts",
        "POST",
        "/requests/{request_id}/reply",
        {Area.CONTACTS: U},
        body={"version": 1, "replied_on": "2000-01-01", "document": "権限試験"},
    ),
    Endpoint(
        "contacts",
        "POST",
        "/requests/{request_id}/withdraw",
        {Area.CONTACTS: U},
        body={"version": 1, "reason": "権限試験"},
    ),
    Endpoint("contacts", "GET", "/index-cases/{patient_id}/cluster", {Area.CONTACTS: R}),
    # contacts: group contacts (集団接触者)
    Endpoint("contacts", "GET", "/groups", {Area.CONTACTS: R}, params={"index_patient_id": "{patient_id}"}),
    Endpoint(
        "contacts",
        "POST",
        "/groups",
        {Area.CONTACTS: U},
        body={"index_patient_id": MISSING, "name": "権限試験", "setting": "other"},
    ),
    Endpoint("contacts", "GET", "/groups/{group_id}", {Area.CONTACTS: R}),
    Endpoint("contacts", "POST", "/groups/{group_id}/imports", {Area.CONTACTS: U}),
    Endpoint("contacts", "GET", "/groups/{group_id}/imports/{import_id}", {Area.CONTACTS: U}),
    Endpoint(
        "contacts",
        "POST",
        "/groups/{group_id}/imports/{import_id}/apply",
        {Area.CONTACTS: U},
        body={"group_version": 1},
    ),
    Endpoint(
        "contacts",
        "POST",
        "/groups/{group_id}/plan",
        {Area.CONTACTS: U},
        body={"version": 1, "kind": "xray", "planned_on": "2000-01-01"},
    ),
    Endpoint(
        "contacts",
        "POST",
        "/groups/{group_id}/results",
        {Area.CONTACTS: U},
        body={"version": 1, "kind": "xray", "results": [{"contact_id": MISSING}]},
    ),
    # reports: printing a form is reading personal data (audited as 印刷), not changing it
    Endpoint(
        "reports", "POST", "/documents", {Area.FORMS: R, Area.PATIENTS: R}, body={"form": "F03", "patient_id": MISSING}
    ),
    Endpoint("reports", "GET", "/documents", {Area.FORMS: R}, params={"patient_id": "{patient_id}", "limit": 1}),
    # the printed forms filed with a contact (F20) or a request (F27, F30) also need that record's area
    Endpoint(
        "reports",
        "GET",
        "/documents",
        {Area.FORMS: R, Area.CONTACTS: R},
        params={"owner_type": "contact", "owner_id": MISSING, "limit": 1},
        variant="contact",
    ),
    # the F25 受付簿 filed with its screening day (a day at a place) holds the contacts received: 接触者管理 too
    Endpoint(
        "reports",
        "GET",
        "/documents",
        {Area.FORMS: R, Area.CONTACTS: R},
        params={"owner_type": "screening_day", "owner_id": MISSING, "limit": 1},
        variant="screening_day",
    ),
    Endpoint("reports", "GET", "/documents/{document_id}", {Area.FORMS: R}),
    Endpoint("reports", "GET", "/scanner", {Area.AUDIT: R}),
    Endpoint("reports", "GET", "/documents/{document_id}/content", {Area.FORMS: R, Area.PATIENTS: R}),
    # reports: an encrypted package of a patient's documents to send (N32) reads their personal data
    Endpoint(
        "reports",
        "POST",
        "/documents/packages",
        {Area.FORMS: R, Area.PATIENTS: R},
        body={"patient_id": MISSING, "document_ids": [MISSING]},
    ),
    Endpoint("reports", "GET", "/documents/packages/{package_id}", {Area.FORMS: R, Area.PATIENTS: R}),
    Endpoint("reports", "GET", "/documents/packages/{package_id}/content", {Area.FORMS: R, Area.PATIENTS: R}),
    # reports: batch printing by genre (a batch of the genre 患者管理 also needs 患者管理)
    Endpoint(
        "reports",
        "POST",
        "/batches",
        {Area.FORMS: R, Area.PATIENTS: R},
        body={"genre": "患者管理", "patient_ids": [MISSING], "title": "権限試験"},
    ),
    Endpoint(  # a batch of the genre 診査会 prints a session's cases: it needs 診査会・公費
        "reports",
        "POST",
        "/batches",
        {Area.FORMS: R, Area.REVIEW: R},
        body={"genre": "診査会", "session_id": MISSING, "title": "権限試験"},
        variant="session",
    ),
    Endpoint(  # a batch of the genre 接触者健診 prints a screening day's contacts: it needs 接触者管理
        "reports",
        "POST",
        "/batches",
        {Area.FORMS: R, Area.CONTACTS: R},
        body={"genre": "接触者健診", "day": "2031-01-06", "place": "権限試験", "title": "権限試験"},
        variant="day",
    ),
    Endpoint("reports", "GET", "/batches", {Area.FORMS: R}),
    Endpoint("reports", "GET", "/batches/{batch_id}", {Area.FORMS: R}),
    Endpoint("reports", "GET", "/batches/{batch_id}/content", {Area.FORMS: R}),
    # reports: attachments (資料); an upload is refused before its (here missing) files are read
    Endpoint("reports", "POST", "/attachments", {Area.DOCUMENTS: U}),
    Endpoint(
        "reports",
        "GET",
        "/attachments",
        {Area.DOCUMENTS: R, Area.PATIENTS: R},
        params={"owner_type": "patient", "owner_id": "{patient_id}", "limit": 1},
    ),
    Endpoint("reports", "GET", "/attachments/{attachment_id}", {Area.DOCUMENTS: R}),
    Endpoint("reports", "POST", "/attachments/{attachment_id}/versions", {Area.DOCUMENTS: U}),
    Endpoint(
        "reports",
        "POST",
        "/attachments/{attachment_id}/withdraw",
        {Area.DOCUMENTS: U},
        body={"reason": "権限試験", "version": 1},
    ),
    Endpoint("reports", "GET", "/attachments/{attachment_id}/content", {Area.DOCUMENTS: R}),
    Endpoint("reports", "GET", "/attachments/{attachment_id}/preview", {Area.DOCUMENTS: R}),
    # reports: forms, the missing-data check and preview (reading personal data), template versions (様式改正)
    Endpoint("reports", "GET", "/forms", {Area.FORMS: R}),
    Endpoint(
        "reports", "GET", "/forms/{form_id}/check", {Area.FORMS: R, Area.PATIENTS: R}, params={"patient_id": MISSING}
    ),
    Endpoint(
        "reports", "GET", "/forms/{form_id}/preview", {Area.FORMS: R, Area.PATIENTS: R}, params={"patient_id": MISSING}
    ),
    Endpoint("reports", "GET", "/forms/{form_id}/templates", {Area.FORMS: R}),
    Endpoint("reports", "GET", "/forms/{form_id}/templates/source", {Area.FORMS: R}),
    Endpoint(
        "reports",
        "POST",
        "/forms/{form_id}/templates",
        {Area.MASTERS: U},
        body={"revision": "権限試験", "effective_from": "2000-01-01", "html": "<p></p>"},
    ),
    Endpoint("reports", "GET", "/request-letters/{request_id}/{form}", {Area.FORMS: R, Area.CONTACTS: R}),
    Endpoint(
        "reports",
        "GET",
        "/contact-letters/{contact_id}/F20",
        {Area.FORMS: R, Area.CONTACTS: R},
        params={"institution": "権限試験"},
    ),
    Endpoint("reports", "GET", "/contact-letters/{contact_id}/F29", {Area.FORMS: R, Area.CONTACTS: R}),
    Endpoint(
        "reports", "GET", "/contact-letters/F18", {Area.FORMS: R, Area.CONTACTS: R}, params={"contact_id": MISSING}
    ),
    Endpoint("reports", "GET", "/screening-days/F24", {Area.FORMS: R, Area.CONTACTS: R}, params={"day": "2000-01-01"}),
    Endpoint("reports", "GET", "/contact-forms/{contact_id}/{form}", {Area.FORMS: R, Area.CONTACTS: R}),
    Endpoint(
        "reports",
        "GET",
        "/reception-registers/F25",
        {Area.FORMS: R, Area.CONTACTS: R},
        params={"day": "2025-01-06", "place": "権限試験"},
    ),
    Endpoint("reports", "GET", "/index-contacts/{patient_id}/F05", {Area.FORMS: R, Area.CONTACTS: R, Area.PATIENTS: R}),
    Endpoint("reports", "GET", "/board/cases/{case_id}/forms", {Area.REVIEW: R, Area.FORMS: R}),
    Endpoint("reports", "GET", "/board/sessions/{session_id}/forms", {Area.REVIEW: R, Area.FORMS: R}),
    # search: results are limited to the areas the user may read (test_search_shows_… below)
    Endpoint("search", "GET", "/search", params={"q": GIVEN}),
    Endpoint("search", "GET", "/search/suggest", params={"q": GIVEN}),
    Endpoint("search", "POST", "/admin/reindex", {Area.AUDIT: U, Area.PATIENTS: R}, body={"patients": []}),
    Endpoint("search", "GET", "/admin/reindex", {Area.AUDIT: R}),  # the index and its latest rebuild (運用状況)
    Endpoint(
        "search",
        "POST",
        "/admin/reindex",
        {Area.AUDIT: U, Area.PATIENTS: R, Area.CONTACTS: R},
        body={"contacts": []},
        variant="contacts",
    ),
    # rebuilding the read models from the owner's current state (`tbms replay`)
    Endpoint("patients", "GET", "/admin/snapshots/patients", {Area.AUDIT: U, Area.PATIENTS: R}, params={"limit": 1}),
    Endpoint("reports", "POST", "/admin/backfill/patients", {Area.AUDIT: U}, body={"items": []}),
    Endpoint("contacts", "POST", "/admin/backfill/patients", {Area.AUDIT: U}, body={"items": []}),
    Endpoint(
        "patients", "GET", "/admin/snapshots/patients/versions", {Area.AUDIT: U, Area.PATIENTS: R}, params={"limit": 1}
    ),
    Endpoint("reports", "GET", "/admin/backfill/patients", {Area.AUDIT: U}, params={"limit": 1}),
    Endpoint("patients", "GET", "/admin/snapshots/lab-results", {Area.AUDIT: U, Area.PATIENTS: R}, params={"limit": 1}),
    Endpoint("reports", "POST", "/admin/backfill/lab-results", {Area.AUDIT: U}, body={"items": []}),
    Endpoint(
        "patients",
        "GET",
        "/admin/snapshots/lab-results/versions",
        {Area.AUDIT: U, Area.PATIENTS: R},
        params={"limit": 1},
    ),
    Endpoint("reports", "GET", "/admin/backfill/lab-results", {Area.AUDIT: U}, params={"limit": 1}),
    Endpoint("contacts", "GET", "/admin/backfill/patients", {Area.AUDIT: U}, params={"limit": 1}),
    *(  # reports' other read models fed by patients: declared as the lab results are
        endpoint
        for kind in ("care-records", "followup-exams", "investigations", "board-records")
        for endpoint in (
            Endpoint(
                "patients", "GET", f"/admin/snapshots/{kind}", {Area.AUDIT: U, Area.PATIENTS: R}, params={"limit": 1}
            ),
            Endpoint(
                "patients",
                "GET",
                f"/admin/snapshots/{kind}/versions",
                {Area.AUDIT: U, Area.PATIENTS: R},
                params={"limit": 1},
            ),
            Endpoint("reports", "POST", f"/admin/backfill/{kind}", {Area.AUDIT: U}, body={"items": []}),
            Endpoint("reports", "GET", f"/admin/backfill/{kind}", {Area.AUDIT: U}, params={"limit": 1}),
        )
    ),
    # identity: operation and login history
    Endpoint("identity", "GET", "/audit/events", {Area.AUDIT: R}, params={"user": "acl-nobody", "limit": 1}),
    Endpoint("identity", "GET", "/audit/events/export.csv", {Area.AUDIT: R}, params={"user": "acl-nobody"}),
    Endpoint("identity", "GET", "/audit/disclosure/{person_id}", {Area.AUDIT: R}),
    Endpoint("identity", "GET", "/audit/verify", {Area.AUDIT: R}),
    Endpoint("identity", "GET", "/logins/me/last"),  # the caller's own last login, shown to everybody (N04)
    Endpoint("identity", "GET", "/logins", {Area.AUDIT: R}, params={"user": "acl-nobody", "limit": 1}),
    Endpoint("identity", "GET", "/logins/export.csv", {Area.AUDIT: R}, params={"user": "acl-nobody"}),
    # identity: the unusual-access review and the change log (監査), the access-rights review (ユーザ管理)
    Endpoint("identity", "GET", "/access-review/rules", {Area.AUDIT: R}),
    Endpoint("identity", "POST", "/access-review/run", {Area.AUDIT: R}),
    Endpoint("identity", "GET", "/access-review/findings", {Area.AUDIT: R}, params={"rule": "acl-nothing"}),
    Endpoint("identity", "GET", "/access-review/findings/{finding_id}", {Area.AUDIT: R}),
    Endpoint(
        "identity",
        "POST",
        "/access-review/findings/{finding_id}/review",
        {Area.AUDIT: U},
        body={"status": "ok", "note": "", "version": 1},
    ),
    Endpoint("identity", "GET", "/access-review/summary", {Area.AUDIT: R}, params={"month": "2026-11-01"}),
    Endpoint("identity", "GET", "/access-review/protected-persons", {Area.AUDIT: R}),
    Endpoint(
        "identity",
        "POST",
        "/access-review/protected-persons",
        {Area.AUDIT: U},
        body={"person_id": "acl-probe", "reason": "権限試験"},
    ),
    Endpoint("identity", "DELETE", "/access-review/protected-persons/{person_id}", {Area.AUDIT: U}),
    Endpoint("identity", "GET", "/changes", {Area.AUDIT: R}, params={"service": "acl-nothing"}),
    Endpoint("identity", "GET", "/operations-log", {Area.AUDIT: R}, params={"kind": "maintenance_end", "limit": 1}),
    Endpoint("identity", "GET", "/usage/monthly", {Area.AUDIT: R}, params={"from": "2026-11-01", "to": "2026-11-30"}),
    Endpoint(
        "identity", "GET", "/usage/search-words", {Area.AUDIT: R}, params={"from": "2026-11-01", "to": "2026-11-30"}
    ),
    Endpoint("identity", "GET", "/review-calendar", {Area.AUDIT: R}),
    Endpoint(
        "identity",
        "POST",
        "/review-calendar/{kind}/{period}",
        {Area.AUDIT: U},
        body={"note": "権限試験"},
        ids={"kind": "access_log", "period": "2000-01"},  # a period not on the calendar: 404 once let through
    ),
    Endpoint(
        "identity", "POST", "/access-review/assignments", {Area.AUDIT: U, Area.PATIENTS: R}, body={"patients": []}
    ),
    Endpoint("identity", "GET", "/rights-review", {Area.USERS: R}),
    Endpoint("identity", "GET", "/rights-review/{user_id}/history", {Area.USERS: R}),
    Endpoint("identity", "POST", "/rights-review/{user_id}", {Area.USERS: U}, body={"decision": "keep", "note": ""}),
    # identity: user administration and the access matrix
    Endpoint("identity", "GET", "/users", {Area.USERS: R}, params={"q": "acl-nobody"}),
    Endpoint(
        "identity",
        "POST",
        "/users",
        {Area.USERS: U},  # an existing username: permitted, Keycloak refuses the duplicate (nothing is created)
        body={"username": "nurse1", "last_name": "権限試験", "temporary_password": NEW_PASSWORD},
    ),
    Endpoint("identity", "GET", "/users/{user_id}", {Area.USERS: R}),
    Endpoint("identity", "PATCH", "/users/{user_id}", {Area.USERS: U}, body={"job_title": "権限試験"}),
    Endpoint("identity", "POST", "/users/{user_id}/disable", {Area.USERS: U}),
    Endpoint("identity", "POST", "/users/{user_id}/enable", {Area.USERS: U}),
    Endpoint("identity", "POST", "/users/{user_id}/unlock", {Area.USERS: U}),
    Endpoint("identity", "POST", "/users/{user_id}/reset-password", {Area.USERS: U}, body=NEW_PASSWORD_BODY),
    Endpoint("identity", "GET", "/access/groups", {Area.USERS: R}),
    Endpoint("identity", "PUT", "/access/groups/{group_id}", {Area.USERS: U}, body={"stats": "read"}),
    Endpoint("identity", "GET", "/access/users/{user_id}", {Area.USERS: R}),
    Endpoint("identity", "PUT", "/access/users/{user_id}", {Area.USERS: U}, body={"stats": "read"}),
    # identity: an edit of a gateway text (使い方・お知らせ) recorded in the operation history
    Endpoint(
        "identity",
        "POST",
        "/help-text-edits",
        {Area.USERS: U},
        body={"slug": "faq", "label": "よくある質問", "version": 1, "characters": 0},
    ),
    # workflow: lists are filtered to the areas the user may read (any logged-in user may ask); a circulation or a
    # stamp of a record needs the area of the record's service (patients: 患者管理); routes are set under マスタ管理
    Endpoint("workflow", "GET", "/todos"),
    Endpoint("workflow", "GET", "/todos/counts"),
    Endpoint("workflow", "GET", "/todos/counts/mine"),
    Endpoint("workflow", "GET", "/todos/{todo_id}"),
    Endpoint("workflow", "POST", "/todos/{todo_id}/done", body={"version": 1}),
    Endpoint("workflow", "POST", "/todos/{todo_id}/snooze", body={"version": 1, "until": "2027-01-04"}),
    Endpoint(
        "workflow", "POST", "/todos/{todo_id}/reassign", body={"version": 1, "user_id": "acl", "name": "権限試験"}
    ),
    Endpoint("workflow", "POST", "/todos/{todo_id}/dismiss", body={"version": 1, "reason": "権限試験"}),
    Endpoint(
        "workflow",
        "POST",
        "/circulations",
        {Area.PATIENTS: U},
        body={
            "kind": "decision",
            "document_type": "acl-probe",
            "service": "patients",
            "record_kind": "patient",
            "record_id": MISSING,
            "record_version": 1,
            "title": "権限試験（使用しない）",
        },
    ),
    Endpoint("workflow", "GET", "/circulations/inbox"),
    Endpoint("workflow", "GET", "/circulations/inbox/count"),
    Endpoint("workflow", "GET", "/circulations/of/{service}/{record_kind}/{record_id}", {Area.PATIENTS: R}),
    Endpoint("workflow", "GET", "/stamps/{service}/{record_kind}/{record_id}", {Area.PATIENTS: R}),
    Endpoint("workflow", "GET", "/circulations/{circulation_id}"),
    *(
        Endpoint(
            "workflow", "POST", f"/circulations/{{circulation_id}}/{action}", body={"version": 1, "comment": "権限試験"}
        )
        for action in ("approve", "on-behalf", "send-back", "resubmit", "withdraw", "read")
    ),
    Endpoint("workflow", "GET", "/routes"),
    Endpoint("workflow", "GET", "/routes/{document_type}"),
    Endpoint(
        "workflow",
        "PUT",
        "/routes/{document_type}",
        {Area.MASTERS: U},
        body={"name": "権限試験（使用しない）", "steps": [{"role": "担当"}], "version": 0},
    ),
    # masters: reference data every form needs, read by any logged-in user; changed with マスタ管理 更新
    Endpoint("masters", "GET", "/districts"),
    Endpoint("masters", "GET", "/masters/staff_assignment/lookup", params={"district": "権限試験用地区"}),
    Endpoint("masters", "GET", "/masters/kinds"),
    Endpoint("masters", "GET", "/masters/{kind}"),
    Endpoint("masters", "GET", "/masters/{kind}/suggest", params={"q": "試験"}),
    Endpoint("masters", "GET", "/masters/{kind}/{code}"),
    Endpoint("masters", "GET", "/masters/{kind}/{code}/history"),
    Endpoint("masters", "GET", "/masters/{kind}/export.csv"),
    Endpoint("masters", "GET", "/masters/{kind}/export.xlsx"),
    Endpoint("masters", "GET", "/masters/imports/{import_id}", {Area.MASTERS: R}),  # uploaded files: masters staff
    Endpoint("masters", "GET", "/masters/imports/{import_id}/file", {Area.MASTERS: R}),
    Endpoint("masters", "POST", "/masters/{kind}", {Area.MASTERS: U}, body={}),
    Endpoint("masters", "PATCH", "/masters/{kind}/{code}", {Area.MASTERS: U}, body=change({})),
    Endpoint("masters", "POST", "/masters/{kind}/{code}/end", {Area.MASTERS: U}, body={}),
    Endpoint("masters", "POST", "/masters/{kind}/imports", {Area.MASTERS: U}),
    Endpoint("masters", "POST", "/masters/imports/{import_id}/apply", {Area.MASTERS: U}),
]
OPEN_PATHS = ("/health/live", "/health/ready")  # no login: probes of the supervisor and of docker compose


def user_for(endpoint: Endpoint, area: Area, level: Access) -> AccessUser:
    """The account holding the endpoint's other needs exactly, and `level` in `area`."""
    return AccessUser.of({**endpoint.needs, area: level})


def guarded_by(area: Area, *levels: Access) -> list[Endpoint]:
    """The endpoints needing one of these levels in the area."""
    return [e for e in ENDPOINTS if area in e.needs and e.needs[area] in levels]


REGISTRATION = next(e for e in ENDPOINTS if e.key == ("patients", "POST", "/patients"))
PATIENT_READER = AccessUser.of({Area.PATIENTS: R})
BLIND_TO_PATIENTS = AccessUser.of({area: U for area in Area if area != Area.PATIENTS})
NOBODY = AccessUser.of({})
EVERY_USER = {
    *(user_for(e, area, level) for e in ENDPOINTS for area in e.needs for level in Access),
    PATIENT_READER,
    BLIND_TO_PATIENTS,
    NOBODY,
}


Check = Callable[[httpx.Response], str | None]  # what is wrong with an answer, or None


class Api:
    """Calls endpoints over HTTP as the test accounts; each (endpoint, account) is called once per session."""

    def __init__(self, clients: Mapping[str, httpx.AsyncClient], tokens: Mapping[AccessUser, str]) -> None:
        self.clients, self.tokens = clients, tokens
        self.ids = {"patient_id": MISSING, "person_id": MISSING}
        self._calls: dict[tuple[tuple[str, str, str, str], str], asyncio.Task[httpx.Response]] = {}

    def call(self, endpoint: Endpoint, user: AccessUser | None) -> asyncio.Task[httpx.Response]:
        """The answer of the endpoint to this account (None: no login)."""
        key = (endpoint.case, user.username if user else "")
        if key not in self._calls:
            self._calls[key] = asyncio.ensure_future(self._send(endpoint, user))
        return self._calls[key]

    def fill(self, template: str, *, existing: bool, own: Mapping[str, str] | None = None) -> str:
        """A path or parameter with `{patient_id}` and the like filled in: the synthetic patient, or MISSING."""
        ids = (self.ids if existing else {}) | {"kind": "institution"} | dict(own or {})  # a master kind that exists
        return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), MISSING), template)

    async def _send(self, endpoint: Endpoint, user: AccessUser | None) -> httpx.Response:
        existing = endpoint.method == "GET"  # writes aim at records that do not exist: 404 once let through
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        params = {name: self.fill(str(value), existing=existing) for name, value in endpoint.params.items()}
        path = self.fill(endpoint.path, existing=existing, own=endpoint.ids)
        return await self.clients[endpoint.service].request(
            endpoint.method, path, json=endpoint.body, params=params, headers=headers
        )

    async def problems(self, cases: list[tuple[Endpoint, AccessUser | None]], check: Check) -> list[str]:
        """Runs the cases concurrently; one line per endpoint whose answer fails the check."""
        answers = await asyncio.gather(*(self.call(endpoint, user) for endpoint, user in cases))
        lines = []
        for (endpoint, user), answer in zip(cases, answers, strict=True):
            if problem := check(answer):
                lines.append(f"{endpoint} as {user.username if user else 'anonymous'}: {problem}")
        return lines


def refused_in(area: Area) -> Check:
    """A check: 403 with a Japanese message naming the area."""

    def check(answer: httpx.Response) -> str | None:
        if answer.status_code != 403:
            return f"expected 403, got {answer.status_code} {answer.text[:160]}"
        detail = str(answer.json().get("detail", ""))
        if not JAPANESE.search(detail) or f"「{area.label}」" not in detail:
            return f"403 without a Japanese message naming 「{area.label}」: {detail!r}"
        return None

    return check


def permitted(answer: httpx.Response) -> str | None:
    """A check: the access check let the request through (it may still be 404, 409 or 422 afterwards)."""
    if answer.status_code in (401, 403) or answer.status_code >= 500:
        return f"expected no refusal, got {answer.status_code} {answer.text[:160]}"
    return None


def unauthenticated(answer: httpx.Response) -> str | None:
    """A check: 401 with a Japanese message."""
    if answer.status_code != 401 or not JAPANESE.search(str(answer.json().get("detail", ""))):
        return f"expected 401 with a Japanese message, got {answer.status_code} {answer.text[:160]}"
    return None


@pytest.fixture(scope="session")
async def api(whole_stack: None) -> AsyncIterator[Api]:
    """Every test account logged in once, HTTP clients of the six services, and the synthetic patient."""
    tokens = await asyncio.to_thread(log_in_all, EVERY_USER)
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(httpx.AsyncClient(base_url=config.service_url(name), timeout=60))
            for name in SERVICES
        }
        api = Api(clients, tokens)
        registered = await api.call(REGISTRATION, user_for(REGISTRATION, Area.PATIENTS, U))
        assert registered.status_code == 201, registered.text
        api.ids["patient_id"] = api.ids["person_id"] = registered.json()["id"]
        yield api


@pytest.mark.req("R32")
async def test_every_endpoint_declares_the_access_it_needs(api: Api) -> None:
    served = set()
    for name in SERVICES:
        document = (await api.clients[name].get("/openapi.json")).raise_for_status().json()
        for path, operations in document["paths"].items():
            served |= {(name, method.upper(), path) for method in operations if path not in OPEN_PATHS}
    assert len(ENDPOINTS) == len({e.case for e in ENDPOINTS}), "an endpoint is declared twice"
    declared = [e.key for e in ENDPOINTS]
    undeclared = sorted(served - set(declared))
    assert not undeclared, f"declare the area and level these endpoints need in ENDPOINTS: {undeclared}"
    assert not sorted(set(declared) - served), f"declared but not served: {sorted(set(declared) - served)}"


@pytest.mark.req("R32", "R35")
@pytest.mark.parametrize("area", list(Area), ids=str)
async def test_read_only_users_cannot_write(api: Api, area: Area) -> None:
    writes = guarded_by(area, U)
    if not writes:
        pytest.skip(f"「{area.label}」({area}): no endpoint of any service changes data in this area yet")
    cases = [(e, user_for(e, area, R)) for e in writes]
    assert not await api.problems(cases, refused_in(area))


@pytest.mark.req("R32", "R35")
@pytest.mark.parametrize("area", list(Area), ids=str)
async def test_users_without_access_can_neither_read_nor_write(api: Api, area: Area) -> None:
    guarded = guarded_by(area, R, U)
    if not guarded:
        pytest.skip(f"「{area.label}」({area}): no endpoint of any service is guarded by this area yet")
    cases = [(e, user_for(e, area, Access.NONE)) for e in guarded]
    assert not await api.problems(cases, refused_in(area))


@pytest.mark.req("R32")
@pytest.mark.parametrize("area", list(Area), ids=str)
async def test_read_only_users_can_read(api: Api, area: Area) -> None:
    reads = guarded_by(area, R)
    if not reads:
        pytest.skip(f"「{area.label}」({area}): no endpoint of any service reads in this area yet")
    assert not await api.problems([(e, user_for(e, area, R)) for e in reads], permitted)


@pytest.mark.req("R32")
@pytest.mark.parametrize("area", list(Area), ids=str)
async def test_users_with_update_access_are_not_refused(api: Api, area: Area) -> None:
    guarded = guarded_by(area, R, U)
    if not guarded:
        pytest.skip(f"「{area.label}」({area}): no endpoint of any service is guarded by this area yet")
    assert not await api.problems([(e, user_for(e, area, U)) for e in guarded], permitted)


@pytest.mark.req("R32")
async def test_endpoints_for_every_logged_in_user_refuse_nobody(api: Api) -> None:
    assert not await api.problems([(e, NOBODY) for e in ENDPOINTS if not e.needs], permitted)


@pytest.mark.req("R32", "R35")
async def test_every_endpoint_refuses_requests_without_a_login(api: Api) -> None:
    assert not await api.problems([(e, None) for e in ENDPOINTS], unauthenticated)


@pytest.mark.req("R32")
@pytest.mark.parametrize("path", ["/search", "/search/suggest"])
async def test_search_shows_a_patient_only_to_users_who_may_read_patients(api: Api, path: str) -> None:
    search = api.clients["search"]
    subject = api.ids["patient_id"]

    async def found_by(user: AccessUser) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {api.tokens[user]}"}
        answer = (await search.get(path, params={"q": f"権限試験 {GIVEN}"}, headers=headers)).raise_for_status()
        return answer.json()["items"]

    async def reader_finds_subject() -> bool:
        return any(item["id"] == subject for item in await found_by(PATIENT_READER))

    await wait_for(reader_finds_subject, timeout=30, interval=0.5)
    for blind in (BLIND_TO_PATIENTS, NOBODY):
        assert [item for item in await found_by(blind) if item["area"] == Area.PATIENTS] == []
