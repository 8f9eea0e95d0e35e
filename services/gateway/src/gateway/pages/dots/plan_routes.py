"""The F01 assessment and the F07 support plan of a patient (R07): entered on their own pages, saved to patients,
and the patient's DOTS page says what was derived (the level and the suggested DOTS type)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area
from tbms_core.clock import today

from gateway.clients.patients import PatientsClient
from gateway.forms import EntryForm, required_reason
from gateway.pages.dots import entry_forms as ef
from gateway.pages.dots import view as v
from gateway.web.deps import PatientsDep, require_access
from gateway.web.templating import flash, render

router = APIRouter()
CAN_READ = [Depends(require_access(Area.PATIENTS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.PATIENTS, Access.UPDATE))]


async def _plan_page(
    request: Request, patients: PatientsClient, patient_id: uuid.UUID, form: EntryForm | None = None, status: int = 200
) -> Response:
    pid = str(patient_id)
    patient, settings, plans = await asyncio.gather(
        patients.patient(pid), patients.dots_settings(), patients.dots_plans(pid)
    )
    intensities = {i["key"]: i["value"] for i in settings.get("items", [])}.get("intensities", {})
    plan = v.plan_in_force(plans, today())
    fields = ef.plan_fields(settings, intensities, change=plan is not None)
    shown = form or (ef.filled_plan(fields, plan) if plan else EntryForm(fields))
    context = {
        "patient": patient,
        "plan": plan,
        "form": shown,
        "supporter_rows": range(ef.SUPPORTER_ROWS),
        "title": f"支援計画（{patient.get('name', '')}）",
    }
    return render(request, "dots/plan.html", context, status_code=status)


@router.get("/patients/{patient_id:uuid}/plan", dependencies=CAN_READ)
async def plan_form(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """The F07 plan: a new one, or the plan in force to change (a new version, with the reason)."""
    return await _plan_page(request, patients, patient_id)


@router.post("/patients/{patient_id:uuid}/plan", dependencies=CAN_UPDATE)
async def save_plan(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """Saves a new plan or a change of the plan in force; a refusal shows the form again as typed."""
    pid = str(patient_id)
    posted = await request.form()
    settings, plans, courses = await asyncio.gather(
        patients.dots_settings(), patients.dots_plans(pid), patients.dots_course(pid)
    )
    intensities = {i["key"]: i["value"] for i in settings.get("items", [])}.get("intensities", {})
    plan = v.plan_in_force(plans, today())
    form = EntryForm.posted(ef.plan_fields(settings, intensities, change=plan is not None), posted)
    if plan is not None:
        if not required_reason(form, "変更の理由"):
            return await _plan_page(request, patients, patient_id, form, 422)
        result = await patients.dots_change_plan(
            pid, str(plan["id"]), form.version, ef.plan_body(form), form.value("reason")
        )
    else:
        body = ef.plan_body(form)
        if courses:
            body["treatment_id"] = courses[-1]["treatment_id"]
        result = await patients.dots_record_plan(pid, body)
    if result.record is not None:
        flash(
            request,
            "支援計画を保存しました。"
            if plan is None
            else f"支援計画を変更しました（第{result.record.get('version')}版）。",
        )
        return RedirectResponse(f"/dots/patients/{patient_id}", status_code=303)
    form.place(result.errors or {})
    form.conflict = result.conflict or ""
    return await _plan_page(request, patients, patient_id, form, 409 if form.conflict else 422)


async def _assessment_page(
    request: Request,
    patients: PatientsClient,
    patient_id: uuid.UUID,
    *,
    typed: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    patient, settings = await asyncio.gather(patients.patient(str(patient_id)), patients.dots_settings())
    items = {i["key"]: i["value"] for i in settings.get("items", [])}.get("assessment_items", [])
    context = {
        "patient": patient,
        "groups": ef.assessment_groups(settings, items),
        "labels": {"assessed_on": "アセスメントの日", **{str(i["key"]): str(i["label"]) for i in items}},
        "typed": typed or {},
        "errors": errors or {},
        "title": f"DOTSアセスメント（{patient.get('name', '')}）",
    }
    return render(request, "dots/assessment.html", context, status_code=status)


@router.get("/patients/{patient_id:uuid}/assessment", dependencies=CAN_READ)
async def assessment_form(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """The F01 sheet with the items in force, grouped: each applies or not, with a note."""
    return await _assessment_page(request, patients, patient_id)


@router.post("/patients/{patient_id:uuid}/assessment", dependencies=CAN_UPDATE)
async def save_assessment(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """Records the assessment; the DOTS page then shows the level and the suggested DOTS type."""
    posted = {k: str(value) for k, value in (await request.form()).items()}
    settings = await patients.dots_settings()
    items = {i["key"]: i["value"] for i in settings.get("items", [])}.get("assessment_items", [])
    result = await patients.dots_record_assessment(str(patient_id), ef.assessment_body(posted, items))
    if result.record is not None:
        saved = result.record
        suggested = settings.get("dots_types", {}).get(saved.get("suggested_type"), saved.get("suggested_type"))
        flash(
            request,
            f"アセスメントを保存しました。支援の必要度は{saved.get('level')}、提案されるDOTSの種類は「{suggested}」です。",
        )
        return RedirectResponse(f"/dots/patients/{patient_id}", status_code=303)
    errors = {key.removeprefix("answers."): message for key, message in (result.errors or {}).items()}
    return await _assessment_page(request, patients, patient_id, typed=posted, errors=errors, status=422)


async def _outcome_page(
    request: Request,
    patients: PatientsClient,
    patient_id: uuid.UUID,
    treatment_id: uuid.UUID,
    form: EntryForm | None = None,
    status: int = 200,
) -> Response:
    pid, tid = str(patient_id), str(treatment_id)
    patient, settings, outcome = await asyncio.gather(
        patients.patient(pid), patients.dots_settings(), patients.dots_outcome(pid, tid)
    )
    review = outcome.get("review") or {}
    shown = form or EntryForm.filled(ef.outcome_fields(settings), review, review.get("version") or "0")
    context = {
        "patient": patient,
        "outcome": outcome,
        "form": shown,
        "title": f"コホート判定（{patient.get('name', '')}）",
    }
    return render(request, "dots/outcome.html", context, status_code=status)


@router.get("/patients/{patient_id:uuid}/outcomes/{treatment_id:uuid}", dependencies=CAN_READ)
async def outcome_page(
    request: Request, patient_id: uuid.UUID, treatment_id: uuid.UUID, patients: PatientsDep
) -> Response:
    """A course's computed outcome with its rule, the override beside it, and the review form."""
    return await _outcome_page(request, patients, patient_id, treatment_id)


@router.post("/patients/{patient_id:uuid}/outcomes/{treatment_id:uuid}", dependencies=CAN_UPDATE)
async def save_outcome(
    request: Request, patient_id: uuid.UUID, treatment_id: uuid.UUID, patients: PatientsDep
) -> Response:
    """Records the review; an override without its reason is refused beside the reason, nothing sent."""
    settings = await patients.dots_settings()
    form = EntryForm.posted(ef.outcome_fields(settings), await request.form())
    if form.value("override_outcome") and not form.value("override_reason").strip():
        form.errors["override_reason"] = "判定を変更するときは理由を入力してください。"
        return await _outcome_page(request, patients, patient_id, treatment_id, form, 422)
    result = await patients.dots_review_outcome(str(patient_id), str(treatment_id), ef.outcome_body(form))
    if result.record is not None:
        flash(request, f"コホート判定を保存しました（判定：{result.record.get('outcome_label')}）。")
        return RedirectResponse(f"/dots/patients/{patient_id}/outcomes/{treatment_id}", status_code=303)
    form.place(result.errors or {}, {"_": "override_reason"})
    form.conflict = result.conflict or ""
    return await _outcome_page(request, patients, patient_id, treatment_id, form, 409 if form.conflict else 422)
