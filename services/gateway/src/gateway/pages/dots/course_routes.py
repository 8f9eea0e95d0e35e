"""A course's tests and side effects (F04), the end of an LTBI course with the F02 checklist, and the DOTS forms
printed from the DOTS pages (F01, F02, F04, F07). Reads need 患者管理 参照, the checklist 患者管理 更新."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.clients.patients import PatientsClient
from gateway.pages.dots import view as v
from gateway.web.deps import PatientsDep, ReportsDep, require_access
from gateway.web.templating import flash, render

router = APIRouter()
CAN_READ = [Depends(require_access(Area.PATIENTS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.PATIENTS, Access.UPDATE))]
DOTS_FORMS = {
    "F01": "DOTSアセスメントシート",
    "F02": "LTBI治療終了後の管理に関するチェックリスト",
    "F04": "治療・服薬支援の経過",
    "F07": "結核患者服薬支援個別計画及び実施報告書",
}
SPUTUM_KINDS = {"smear": "塗抹", "culture": "培養", "naat": "核酸増幅"}


@router.get("/patients/{patient_id:uuid}/course", dependencies=CAN_READ)
async def course_page(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """F04: per course the sputum tests by month of treatment, the side effects and interruptions."""
    pid = str(patient_id)
    patient, courses = await asyncio.gather(patients.patient(pid), patients.dots_course(pid))
    context = {
        "patient": patient,
        "courses": courses,
        "kinds": SPUTUM_KINDS,
        "interruption": v.interruption_view,
        "percent": v.percent,
        "forms": DOTS_FORMS,
        "title": f"治療・服薬支援の経過（{patient.get('name', '')}）",
    }
    return render(request, "dots/course.html", context)


async def _ltbi_page(
    request: Request,
    patients: PatientsClient,
    patient_id: uuid.UUID,
    treatment_id: uuid.UUID,
    *,
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    conflict: str = "",
    status: int = 200,
) -> Response:
    pid, tid = str(patient_id), str(treatment_id)
    patient, settings, outcome, courses = await asyncio.gather(
        patients.patient(pid), patients.dots_settings(), patients.dots_outcome(pid, tid), patients.dots_course(pid)
    )
    review = outcome.get("review") or {}
    items = {i["key"]: i["value"] for i in settings.get("items", [])}.get("ltbi_checklist", [])
    context = {
        "patient": patient,
        "course": next((c for c in courses if c.get("treatment_id") == tid), None),
        "items": items,
        "end_reasons": settings.get("end_reasons", {}),
        "typed": typed if typed is not None else checklist_typed(review),
        "version": review.get("version") or 0,
        "errors": errors or {},
        "conflict": conflict,
        "forms": DOTS_FORMS,
        "title": f"LTBIの治療終了（{patient.get('name', '')}）",
    }
    return render(request, "dots/ltbi_end.html", context, status_code=status)


def checklist_typed(review: Mapping[str, Any]) -> dict[str, str]:
    """The stored review as the form's inputs: `c.<key>` ticked, `n.<key>` its note."""
    typed = {
        "ltbi_checked_on": str(review.get("ltbi_checked_on") or ""),
        "end_reason": str(review.get("end_reason") or ""),
        "meeting_note": str(review.get("meeting_note") or ""),
    }
    for key, answer in (review.get("ltbi_checklist") or {}).items():
        typed |= {f"c.{key}": "1" if answer.get("checked") else "", f"n.{key}": str(answer.get("note") or "")}
    return typed


def checklist_body(posted: Mapping[str, str], items: list[Mapping[str, Any]], version: int) -> dict[str, Any]:
    """The review as the API takes it: the checklist's date, each item in force ticked or not with its note."""
    return {
        "version": version,
        "ltbi_checked_on": posted.get("ltbi_checked_on", "").strip() or None,
        "end_reason": posted.get("end_reason") or None,
        "meeting_note": posted.get("meeting_note", "").strip(),
        "ltbi_checklist": {
            str(i["key"]): {
                "checked": bool(posted.get(f"c.{i['key']}")),
                "note": posted.get(f"n.{i['key']}", "").strip(),
            }
            for i in items
        },
    }


@router.get("/patients/{patient_id:uuid}/ltbi/{treatment_id:uuid}", dependencies=CAN_READ)
async def ltbi_end_page(
    request: Request, patient_id: uuid.UUID, treatment_id: uuid.UUID, patients: PatientsDep
) -> Response:
    """F02: the LTBI course's completion by doses and the checklist gone through at its end."""
    return await _ltbi_page(request, patients, patient_id, treatment_id)


@router.post("/patients/{patient_id:uuid}/ltbi/{treatment_id:uuid}", dependencies=CAN_UPDATE)
async def save_ltbi_end(
    request: Request, patient_id: uuid.UUID, treatment_id: uuid.UUID, patients: PatientsDep
) -> Response:
    """Saves the checklist with the course's review; a wrong date is named beside it and nothing is saved."""
    posted = {k: str(value) for k, value in (await request.form()).items()}
    settings = await patients.dots_settings()
    items = {i["key"]: i["value"] for i in settings.get("items", [])}.get("ltbi_checklist", [])
    version = int(posted.get("version") or 0) if str(posted.get("version") or "0").isdigit() else 0
    body = checklist_body(posted, items, version)
    result = await patients.dots_review_outcome(str(patient_id), str(treatment_id), body)
    if result.record is not None:
        flash(request, "LTBIの治療終了のチェックリストを保存しました。")
        return RedirectResponse(f"/dots/patients/{patient_id}/ltbi/{treatment_id}", status_code=303)
    errors = {key.removeprefix("ltbi_checklist."): message for key, message in (result.errors or {}).items()}
    return await _ltbi_page(
        request,
        patients,
        patient_id,
        treatment_id,
        typed=posted,
        errors=errors,
        conflict=result.conflict or "",
        status=409 if result.conflict else 422,
    )


@router.post("/patients/{patient_id:uuid}/documents", dependencies=CAN_READ)
async def print_dots_form(request: Request, patient_id: uuid.UUID, reports: ReportsDep) -> Response:
    """Generates one of the DOTS forms (F01, F02, F04, F07) for the patient and opens the PDF; F04 for the course
    chosen (`treatment_id`), else the current one."""
    posted = await request.form()
    form_code = str(posted.get("form") or "F07")
    form_code = form_code if form_code in DOTS_FORMS else "F07"
    course = str(posted.get("treatment_id") or "")
    try:
        chosen = str(uuid.UUID(course)) if course and form_code == "F04" else None
    except ValueError:
        chosen = None  # not a course id: the current course
    document = await reports.create_document(form_code, str(patient_id), record_id=chosen)
    return RedirectResponse(f"/documents/{document['id']}", status_code=303)
