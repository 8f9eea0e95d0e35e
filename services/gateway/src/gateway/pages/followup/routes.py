"""管理検診 (R06) and 行動調査 (R08) pages: a patient's follow-up plan, schedule (each date with its reason) and
exams, the proposal of 登録除外 to confirm, the clerk's list, and the 行動調査票 with the infectious period and the
delays computed by the patients service. Reads need 患者管理 参照; saving needs 患者管理 更新."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.clients.base import SaveResult
from gateway.clients.patients import PatientsClient
from gateway.clients.requests import RequestsClient
from gateway.pages.followup import settings_routes
from gateway.pages.followup import view as v
from gateway.web.deps import ContactsDep, PatientsDep, ReportsDep, RequestsDep, require_access
from gateway.web.templating import flash, render

router = APIRouter(prefix="/followup", tags=["管理検診・行動調査"])
CAN_READ = [Depends(require_access(Area.PATIENTS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.PATIENTS, Access.UPDATE))]
router.include_router(settings_routes.router)


@router.get("", dependencies=CAN_READ)
async def followup_list(
    request: Request, patients: PatientsDep, view: str = "due", month: str = "", district: str = "", offset: int = 0
) -> Response:
    """The clerk's list: notices to send this month, exams due, overdue, and results missing."""
    shown = view if view in v.VIEWS else "due"
    result = await patients.followup_list(shown, month, district, max(offset, 0))
    context = {
        "views": v.VIEWS,
        "view": shown,
        "month": month,
        "district": district,
        "page": result.record or {"items": [], "total": 0, "month": month},
        "errors": result.errors or {},
        "offset": max(offset, 0),
        "title": "管理検診の一覧",
        "nav_path": "/followup",
    }
    return render(request, "followup/list.html", context, status_code=422 if result.errors else 200)


async def _patient_page(
    request: Request,
    patients: PatientsClient,
    patient_id: uuid.UUID,
    *,
    plan_form: dict[str, Any] | None = None,
    exam_forms: dict[str, dict[str, Any]] | None = None,
    errors: dict[str, str] | None = None,
    conflict: str = "",
    status_code: int = 200,
) -> Response:
    pid = str(patient_id)
    patient = await patients.patient(pid)
    followup = await patients.followup(pid)
    plan = followup.get("plan") or {}
    context = {
        "patient": patient,
        "followup": followup,
        "plan_form": plan_form
        or {
            "ended_on": plan.get("ended_on") or "",
            "ltbi": "" if not plan else ("yes" if plan.get("ltbi") else "no"),
            "risk_factors": plan.get("risk_factors") or [],
            "note": plan.get("note") or "",
        },
        "exam_forms": exam_forms or {},
        "errors": errors or {},
        "conflict": conflict,
        "title": f"管理検診（{patient.get('name', '')}）",
    }
    return render(request, "followup/patient.html", context, status_code=status_code)


@router.get("/patients/{patient_id:uuid}", dependencies=CAN_READ)
async def patient_followup(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """The patient's plan, the schedule with the reason of each date, the exams and the proposal."""
    return await _patient_page(request, patients, patient_id)


@router.post("/patients/{patient_id:uuid}/plan", dependencies=CAN_UPDATE)
async def save_plan(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """Saves the plan; the patients service recomputes the dates of the exams not yet done."""
    posted = await request.form()
    typed = {
        "ended_on": str(posted.get("ended_on") or "").strip(),
        "ltbi": str(posted.get("ltbi") or ""),
        "risk_factors": [str(x) for x in posted.getlist("risk_factors")],
        "note": str(posted.get("note") or "").strip(),
        "reason": str(posted.get("reason") or "").strip(),
    }
    body: dict[str, Any] = {"risk_factors": typed["risk_factors"], "note": typed["note"], "reason": typed["reason"]}
    if typed["ended_on"]:
        body["ended_on"] = typed["ended_on"]
    if typed["ltbi"] in ("yes", "no"):
        body["ltbi"] = typed["ltbi"] == "yes"
    if posted.get("version"):
        body["version"] = str(posted.get("version"))
    result = await patients.followup_save_plan(str(patient_id), body)
    if result.record is not None:
        flash(request, "管理検診の計画を保存しました。予定日を計算し直しました。")
        return RedirectResponse(f"/followup/patients/{patient_id}", status_code=303)
    return await _failed(request, patients, patient_id, result, plan_form=typed)


@router.post("/patients/{patient_id:uuid}/exams/{exam_id:uuid}", dependencies=CAN_UPDATE)
async def record_exam(request: Request, patient_id: uuid.UUID, exam_id: uuid.UUID, patients: PatientsDep) -> Response:
    """Records the notice, appointment, results and judgement, or the outreach of one examination."""
    posted = await request.form()
    followup = await patients.followup(str(patient_id))
    exam = next((e for e in followup.get("exams", []) if e["id"] == str(exam_id)), {})
    typed = {name: str(posted.get(name) or "").strip() for name in v.EXAM_FIELDS}
    changes = v.exam_changes(typed, exam)
    if not changes:
        flash(request, "変更がないため保存しませんでした。")
        return RedirectResponse(f"/followup/patients/{patient_id}#exam-{exam_id}", status_code=303)
    version = str(posted.get("version") or "")
    result = await patients.followup_record_exam(
        str(patient_id), str(exam_id), version, changes, str(posted.get("reason") or "").strip()
    )
    if result.record is not None:
        flash(request, f"第{result.record.get('seq')}回管理検診の記録を保存しました。")
        return RedirectResponse(f"/followup/patients/{patient_id}", status_code=303)
    forms = {str(exam_id): {"values": typed, "errors": result.errors or {}, "conflict": result.conflict or ""}}
    return await _patient_page(
        request, patients, patient_id, exam_forms=forms, status_code=409 if result.conflict else 422
    )


@router.post("/patients/{patient_id:uuid}/exclusion", dependencies=CAN_UPDATE)
async def confirm_exclusion(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """The nurse confirms the proposed 登録除外 (経過観察終了)."""
    posted = await request.form()
    body = {"version": str(posted.get("version") or ""), "note": str(posted.get("note") or "").strip()}
    result = await patients.followup_confirm_exclusion(str(patient_id), body)
    if result.record is not None:
        flash(request, "登録除外（経過観察終了）を確定しました。")
        return RedirectResponse(f"/followup/patients/{patient_id}", status_code=303)
    return await _failed(request, patients, patient_id, result)


@router.post("/patients/{patient_id:uuid}/notice", dependencies=[Depends(require_access(Area.FORMS, Access.READ))])
async def print_notice(request: Request, patient_id: uuid.UUID, patients: PatientsDep, reports: ReportsDep) -> Response:
    """Prints the 管理検診お知らせ (F29) for the examination chosen (one of the patient's scheduled ones)."""
    chosen = str((await request.form()).get("exam_id") or "")
    exams = (await patients.followup(str(patient_id))).get("exams", [])
    if not any(e["id"] == chosen and e.get("status") != "cancelled" for e in exams):
        flash(request, "お知らせを出力する検診を選んでください（取り消した検診は選べません）。")
        return RedirectResponse(f"/followup/patients/{patient_id}#schedule-title", status_code=303)
    document = await reports.create_document("F29", str(patient_id), record_id=chosen)
    return RedirectResponse(f"/documents/{document['id']}", status_code=303)


async def _failed(
    request: Request,
    patients: PatientsClient,
    patient_id: uuid.UUID,
    result: SaveResult,
    *,
    plan_form: dict[str, Any] | None = None,
) -> Response:
    status = 409 if result.conflict else 422
    return await _patient_page(
        request,
        patients,
        patient_id,
        plan_form=plan_form,
        errors=result.errors or {},
        conflict=result.conflict or "",
        status_code=status,
    )


async def _investigation_page(
    request: Request,
    patients: PatientsClient,
    patient_id: uuid.UUID,
    *,
    typed: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    conflict: str = "",
    status_code: int = 200,
) -> Response:
    pid = str(patient_id)
    patient = await patients.patient(pid)
    stored = await patients.investigation(pid)
    shown = typed or stored
    items = shown.get("items") or {}
    context = {
        "patient": patient,
        "inv": stored,
        "shown": shown,
        "items": items,
        "rows": v.form_rows(items),
        "onsets": v.symptom_onsets(items),
        "errors": errors or {},
        "error_for": lambda *p, but=(): v.error_for(errors or {}, *p, but=but),
        "symptom_errors": v.symptom_errors(items, errors or {}),
        "conflict": conflict,
        "title": f"行動調査票（{patient.get('name', '')}）",
    }
    return render(request, "followup/investigation.html", context, status_code=status_code)


@router.get("/patients/{patient_id:uuid}/investigation", dependencies=CAN_READ)
async def investigation(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """The 行動調査票 with the computed infectious period (and its rule), the delays and the contact candidates."""
    return await _investigation_page(request, patients, patient_id)


@router.post("/patients/{patient_id:uuid}/investigation", dependencies=CAN_UPDATE)
async def save_investigation(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """Saves the interview; the patients service computes the period, delays and candidates."""
    posted = await request.form()
    stored = await patients.investigation(str(patient_id))
    body = v.investigation_body({k: str(x) for k, x in posted.items()}, stored.get("codes", {}).get("symptom", {}))
    result = await patients.investigation_save(str(patient_id), body)
    if result.record is not None:
        flash(request, "行動調査票を保存しました。感染性期間と遅れを計算し直しました。")
        return RedirectResponse(f"/followup/patients/{patient_id}/investigation", status_code=303)
    return await _investigation_page(
        request,
        patients,
        patient_id,
        typed=body,
        errors=result.errors or {},
        conflict=result.conflict or "",
        status_code=409 if result.conflict else 422,
    )


@router.post(
    "/patients/{patient_id:uuid}/investigation/candidates/{number:int}",
    dependencies=[Depends(require_access(Area.CONTACTS, Access.UPDATE))],
)
async def register_candidate(
    request: Request,
    patient_id: uuid.UUID,
    number: int,
    patients: PatientsDep,
    contacts: ContactsDep,
    requests: RequestsDep,
) -> Response:
    """Registers a household member as a contact, or a class, workplace or place as a contact group, exposed
    inside the infectious period (through the contacts API)."""
    candidates = (await patients.investigation(str(patient_id))).get("candidates", [])
    page = f"/followup/patients/{patient_id}/investigation"
    if not 0 <= number < len(candidates):
        flash(request, "候補が見つかりません。調査票が変わった可能性があります。画面を開き直してください。")
        return RedirectResponse(page, status_code=303)
    candidate = candidates[number]
    if candidate.get("kind") != "household":
        return await _register_group(request, str(patient_id), candidate, requests)
    result = await contacts.register(v.contact_body(str(patient_id), candidate))
    if result.record is not None:
        flash(request, f"{candidate.get('name')}さんを接触者として登録しました。健診の予定を確認してください。")
        return RedirectResponse(f"/contacts/{result.record['id']}", status_code=303)
    message = result.conflict or "、".join((result.errors or {}).values()) or "接触者を登録できませんでした。"
    flash(request, f"接触者を登録できませんでした：{message}")
    return RedirectResponse(page, status_code=303)


async def _register_group(
    request: Request, patient_id: str, candidate: dict[str, Any], requests: RequestsClient
) -> Response:
    """A group once: when the index patient already has a group of that name, its page opens instead."""
    name = str(candidate.get("name") or "")
    known = next((g for g in await requests.groups(patient_id) if g.get("name") == name), None)
    if known is not None:
        flash(request, f"「{name}」は接触者の集団として登録済みです。名簿はこの画面で追加します。")
        return RedirectResponse(f"/requests/groups/{known['id']}", status_code=303)
    result = await requests.create_group(v.group_body(patient_id, candidate))
    if result.record is not None:
        flash(request, f"「{name}」を接触者の集団として登録しました。名簿を読み込んで健診を計画してください。")
        return RedirectResponse(f"/requests/groups/{result.record['id']}", status_code=303)
    message = result.conflict or "、".join((result.errors or {}).values()) or "集団を登録できませんでした。"
    flash(request, f"接触者の集団を登録できませんでした：{message}")
    return RedirectResponse(f"/followup/patients/{patient_id}/investigation", status_code=303)
