"""reports' answers for the documents pages: a patient's stored files, the check before printing, a batch."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import respx

from ...conftest import PATIENT, PATIENT_ID, PATIENTS, REPORTS

ATTACHMENT_ID = "7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09"
BATCH_ID = "2a1b0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d"


def file_version(number: int, filename: str, content_type: str, label: str, *, previewable: bool) -> dict[str, Any]:
    """One stored version of a file as reports answers it."""
    return {
        "number": number,
        "filename": filename,
        "content_type": content_type,
        "type_label": label,
        "previewable": previewable,
        "size": 183_402,
        "sha256": "9" * 64,
        "scanned_by": "clamscan",
        "uploaded_by": "u-nurse",
        "uploaded_by_name": "保健 花子",
        "uploaded_at": f"2026-12-0{number}T01:30:00+00:00",
    }


def attachment(**changes: Any) -> dict[str, Any]:
    """A referral letter (紹介状) stored with the patient, in its second version."""
    second = file_version(2, "紹介状（差し替え）.pdf", "application/pdf", "PDF", previewable=True)
    first = file_version(1, "紹介状.pdf", "application/pdf", "PDF", previewable=True)
    value = {
        "id": ATTACHMENT_ID,
        "owner_type": "patient",
        "owner_id": PATIENT_ID,
        "person_id": PATIENT_ID,
        "kind": "referral",
        "kind_label": "紹介状",
        "title": "試験総合病院からの紹介状",
        "document_date": "2026-11-28",
        "note": "初診時",
        "version": 2,
        "withdrawn": False,
        "withdrawn_at": None,
        "withdrawn_reason": "",
        "created_by_name": "保健 花子",
        "created_at": "2026-12-01T01:30:00+00:00",
        "current": second,
        "versions": [second, first],
    }
    return value | changes


def mock_files_page(backends: respx.MockRouter, items: list[dict[str, Any]] | None = None) -> respx.Route:
    """patients answers the patient; reports the patient's stored files."""
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
    page = {"items": [attachment()] if items is None else items}
    page["total"] = len(page["items"])
    printed = {"items": [printed_document()], "total": 1}
    backends.get(f"{REPORTS}/documents").mock(return_value=httpx.Response(200, json=printed))
    return backends.get(f"{REPORTS}/attachments").mock(return_value=httpx.Response(200, json=page))


def printed_document() -> dict[str, Any]:
    """An F06 printed about the patient and filed with them by reports."""
    return {
        "id": "dddddddd-0000-4000-8000-000000000000", "kind": "F06", "title": "経過記録（2号記録）",
        "owner_type": "patient", "owner_label": "患者", "owner_id": PATIENT_ID, "patient_id": PATIENT_ID,
        "template_version": "1+672dd5b0", "created_by_name": "試験 保健師", "created_at": "2026-12-03T05:05:00+00:00",
    }  # fmt: skip


FORMS = [
    {
        "id": "F03",
        "title": "結核登録票",
        "genre": "患者管理",
        "required": [{"key": "name", "label": "氏名", "section": "basic-title"}],
    }
]
CHECK = {
    "form": "F03",
    "patient_id": PATIENT_ID,
    "on": "2026-12-03",
    "template_version": "1+3fa2b9c1",
    "missing": [
        {"key": "notification.doctor", "label": "届出医師", "section": "notification-title"},
        {"key": "diagnosed_on", "label": "診断日", "section": "disease-title"},
    ],
}


def batch(**changes: Any) -> dict[str, Any]:
    """A batch of F03 for 30 patients, 12 done."""
    value = {
        "id": BATCH_ID,
        "genre": "患者管理",
        "title": "患者管理 30件",
        "printed_for": "2026-12-03",
        "status": "running",
        "status_label": "印刷中",
        "total": 30,
        "done": 12,
        "percent": 40,
        "pages": 0,
        "size": 0,
        "sha256": "",
        "skipped": [],
        "error": "",
        "requested_by_name": "保健 花子",
        "created_at": "2026-12-03T01:00:00+00:00",
        "finished_at": None,
    }
    return copy.deepcopy(value | changes)


def mock_forms(backends: respx.MockRouter) -> None:
    """reports' printable forms."""
    backends.get(f"{REPORTS}/forms").mock(return_value=httpx.Response(200, json=FORMS))
